"""Every ```python block of the README runs, against the emulator, as a user would run it."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bria_async.testing import Emulator

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def _environ(**values: str) -> dict[str, str]:
    """This environment without BRIA_* variables, plus `values`, importing this checkout's
    bria_async (not whichever one is installed) with warnings as errors."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIA_")}
    path = os.pathsep.join(p for p in (str(README.parent), os.environ.get("PYTHONPATH")) if p)
    return {**env, "PYTHONWARNINGS": "error", "PYTHONPATH": path, **values}


async def _run(*args: str, env: dict[str, str], cwd: Path) -> str:
    """Run this interpreter with `args` to its end; its output, asserting exit status 0."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, output.decode()
    return output.decode()


def test_readme_opens_with_the_two_set_up_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert first_block is not None
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("bria-async demo")
    assert commands[1].endswith("python -m pytest -q")
    assert text.index("```bash") < text.index("```python")


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
async def test_readme_python_block_runs(code: str, bria_emulator: Emulator, tmp_path: Path) -> None:
    env = _environ(BRIA_API_TOKEN=bria_emulator.api_token, BRIA_BASE_URL=bria_emulator.base_url)
    await _run("-c", code, env=env, cwd=tmp_path)


def test_readme_testing_sample_runs_on_the_plugin_fixtures(tmp_path: Path) -> None:
    """The pyproject and tests of "Testing your own code", in a project of their own: they
    pass on `bria_client` and `bria_sync`, and the plugin adds no fixture called plain `bria`."""
    section = README.read_text(encoding="utf-8").split("## Testing your own code", 1)[1]
    config = re.search(r"```toml\n(.*?)```", section, re.S)
    samples = re.findall(r"```text\n(.*?)```", section.split("Outside pytest", 1)[0], re.S)
    assert config is not None
    assert len(samples) == 2  # async, then sync
    (tmp_path / "pyproject.toml").write_text(config.group(1) + 'filterwarnings = ["error"]\n')
    (tmp_path / "test_foxes.py").write_text(
        samples[0] + "\n\ndef test_generic_name(bria):\n    pass\n"
    )
    (tmp_path / "test_foxes_sync.py").write_text(samples[1])
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=_environ(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "2 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "fixture 'bria' not found" in done.stdout


async def test_readme_requests_jsonl_runs_as_written_on_the_emulator(
    bria_emulator: Emulator, tmp_path: Path
) -> None:
    section = README.read_text(encoding="utf-8").split("## Batch generation", 1)[1]
    requests = re.search(
        r"A `requests.jsonl` to try on the\s+emulator:\s+```text\n(.*?)```", section, re.S
    )
    assert requests is not None
    (tmp_path / "requests.jsonl").write_text(requests.group(1))
    env = _environ(BRIA_API_TOKEN=bria_emulator.api_token, BRIA_BASE_URL=bria_emulator.base_url)
    output = await _run(
        "-m", "bria_async.cli", "batch", "requests.jsonl", "--out", "out/", env=env, cwd=tmp_path
    )
    assert "lines failed: 0" in output
    assert len(list((tmp_path / "out" / "images").glob("line-*.png"))) >= 6


async def test_the_quick_start_runs_without_a_token_on_the_emulated_client(
    tmp_path: Path,
) -> None:
    """The one change the Quick start's note asks for, and nothing in the environment."""
    quick_start = BLOCKS[0]
    assert quick_start.count("AsyncBria()") == 1
    code = quick_start.replace("AsyncBria()", "AsyncBria.emulated()")
    await _run("-c", code, env=_environ(), cwd=tmp_path)
    assert len(list((tmp_path / "out").glob("*.png"))) == 2


async def test_the_sync_sample_runs_without_a_token_on_the_emulated_client(tmp_path: Path) -> None:
    """The same one change for the synchronous client's sample."""
    (sync_sample,) = [block for block in BLOCKS if "with Bria() as bria:" in block]
    code = sync_sample.replace("with Bria() as bria:", "with Bria.emulated() as bria:")
    output = await _run("-c", code, env=_environ(), cwd=tmp_path)
    assert "4 jobs done" in output
    assert len(list((tmp_path / "out").glob("*.png"))) == 2
