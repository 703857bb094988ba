"""A bare `pip install bria-async` (no extras) must not break the user's project: pytest loads
the plugin, `bria-async --help` works, and what needs an extra names it.

Each check runs in a fresh interpreter where Pillow, rich, FastAPI, OpenTelemetry, redis and
asyncpg cannot be imported, as on a base install. (.ci/run also installs the built wheel alone
into a fresh venv.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Prepended to every script: imports of the extras' modules fail as if they were not installed.
WITHOUT_EXTRAS = """
import sys

class _WithoutExtras:
    def find_spec(self, name, path=None, target=None):
        extras = {"PIL", "rich", "fastapi", "uvicorn", "opentelemetry", "redis", "asyncpg"}
        if name.partition(".")[0] in extras:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _WithoutExtras())
"""


def _run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `script` without the extras, this checkout's bria_async first on the path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WITHOUT_EXTRAS + script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("argv", [["--help"], ["emulator", "--help"], ["demo", "--help"]])
def test_cli_help_works_without_the_extras(argv: list[str], tmp_path: Path) -> None:
    done = _run(f"from bria_async.cli import main; raise SystemExit(main({argv!r}))", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "usage: bria-async" in done.stdout


@pytest.mark.parametrize(
    ("argv", "extra", "module"),
    [
        (["emulator"], "emulator", "PIL"),
        (["demo"], "cli", "rich"),
        (["batch", "prompts.txt", "--out", "out"], "cli", "rich"),
        (
            ["batch-status", "--journal", "postgresql://db/x", "--batch-id", "b"],
            "postgres",
            "asyncpg",
        ),
    ],
)
def test_cli_command_without_its_extra_says_which_to_install(
    argv: list[str], extra: str, module: str, tmp_path: Path
) -> None:
    done = _run(f"from bria_async.cli import main; raise SystemExit(main({argv!r}))", tmp_path)
    assert done.returncode == 1
    assert f"install bria-async[{extra}]" in done.stderr
    assert f"pip install 'bria-async[{extra}]'" in done.stderr
    assert module in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_batch_status_of_a_folder_needs_no_extra(tmp_path: Path) -> None:
    argv = ["batch-status", "--out", "out"]
    done = _run(f"from bria_async.cli import main; raise SystemExit(main({argv!r}))", tmp_path)
    assert done.returncode == 1, done.stderr
    assert "no batch journal in out" in done.stderr
    assert "install" not in done.stderr


def test_pytest_plugin_loads_without_the_extras_and_its_fixture_names_the_extra(
    tmp_path: Path,
) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    (tmp_path / "test_user.py").write_text(
        "def test_the_users_own_test():\n"
        "    assert 1 + 1 == 2\n\n"
        "async def test_with_the_emulator(bria_emulator):\n"
        "    pass\n"
    )
    done = _run(
        "import pytest; raise SystemExit(pytest.main(['-q', '-p', 'no:cacheprovider']))", tmp_path
    )
    output = done.stdout + done.stderr
    assert "1 passed, 1 error" in output, output
    assert "pip install 'bria-async[emulator]'" in output
    assert done.returncode == 1  # a test error, not pytest's 3 (an internal or plugin error)


def test_emulator_config_imports_without_pillow(tmp_path: Path) -> None:
    done = _run(
        "from bria_async.testing import EmulatorConfig\n"
        "assert EmulatorConfig().seed == 1234\n"
        "try:\n"
        "    from bria_async.testing import Emulator\n"
        "except ImportError as error:\n"
        "    print(error)\n",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'bria-async[emulator]'" in done.stdout


def test_the_emulated_client_without_pillow_names_the_extra(tmp_path: Path) -> None:
    done = _run(
        "import asyncio\n"
        "from bria_async import BriaClient, ConfigurationError\n"
        "async def main():\n"
        "    async with BriaClient.emulated():\n"
        "        pass\n"
        "try:\n"
        "    asyncio.run(main())\n"
        "except ConfigurationError as error:\n"
        "    print(error)\n"
        "from bria_async import Bria\n"
        "try:\n"
        "    Bria.emulated().__enter__()\n"
        "except ConfigurationError as error:\n"
        "    print(error)\n",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "AsyncBria.emulated() needs the emulator" in done.stdout
    assert "Bria.emulated() needs the emulator" in done.stdout
    assert "pip install 'bria-async[emulator]'" in done.stdout


def test_the_opentelemetry_module_without_its_extra_says_which_to_install(tmp_path: Path) -> None:
    done = _run("import bria_async.contrib.opentelemetry", tmp_path)
    assert done.returncode == 1
    assert "pip install 'bria-async[otel]'" in done.stderr


def test_the_redis_limiter_without_its_extra_names_the_extra(tmp_path: Path) -> None:
    done = _run(
        "import bria_async\n"
        "try:\n"
        "    bria_async.RedisRateLimiter()\n"
        "except bria_async.ConfigurationError as error:\n"
        "    print(error)\n",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'bria-async[redis]'" in done.stdout
