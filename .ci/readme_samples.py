"""Each extra's README sample, run in a fresh venv holding the built wheel with that extra alone.

Usage: ``python .ci/readme_samples.py WHEEL WORKDIR`` with the project's dev environment (it
serves the samples an emulator, as `BRIA_BASE_URL` and `BRIA_API_TOKEN`).

A sample is the README block right after a ``<!-- sample: EXTRA -->`` line: a ``python`` block
runs with the venv's python, a ``bash`` block with the venv's commands first on PATH. Every
extra of pyproject.toml but those in NOT_SAMPLED needs an entry in SAMPLES and a sample, so a
new extra is one line here and one marked block in the README.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import venv
from pathlib import Path

import tomllib

from bria_async.testing import Emulator

ROOT = Path(__file__).resolve().parent.parent
#: extra -> what its sample uses besides the extra (the OpenTelemetry one sets up the SDK,
#: where an app would have its own).
SAMPLES: dict[str, list[str]] = {
    "emulator": [],
    "cli": [],
    "fastapi": [],
    "redis": [],  # and the Redis server the machines run on 127.0.0.1:6379
    "otel": ["opentelemetry-sdk"],
    "postgres": [],
}
NOT_SAMPLED = {"dev", "docs"}  # tools for working on bria-async, not features of it
MARKED = re.compile(r"^<!-- sample: (\S+) -->\n```(python|bash)\n(.*?)^```", re.M | re.S)


def samples() -> dict[str, tuple[str, str]]:
    """extra -> (language, code) of its README sample."""
    found: dict[str, tuple[str, str]] = {}
    for extra, language, code in MARKED.findall((ROOT / "README.md").read_text("utf-8")):
        if extra in found:
            raise SystemExit(f"README.md has two samples of the {extra!r} extra")
        found[extra] = (language, code)
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    missing = set(extras["optional-dependencies"]) - NOT_SAMPLED - (set(SAMPLES) & set(found))
    missing |= set(SAMPLES) - set(found)
    if missing:
        raise SystemExit(
            f"extras without a README sample: {sorted(missing)}. Mark one README block "
            "'<!-- sample: EXTRA -->' and add the extra to SAMPLES in .ci/readme_samples.py"
        )
    return found


def install(extra: str, wheel: Path, workdir: Path) -> Path:
    """A fresh venv with `wheel[extra]` (and what its sample needs); returns its bin/."""
    env_dir = workdir / f"venv-{extra}"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run(  # noqa: S603 - pip of the venv just made
        [bin_dir / "python", "-m", "pip", "install", "--quiet", f"{wheel}[{extra}]"]
        + SAMPLES[extra],
        check=True,
    )
    return bin_dir


async def run(extra: str, language: str, code: str, bin_dir: Path, workdir: Path) -> None:
    cwd = workdir / f"sample-{extra}"
    cwd.mkdir()
    script = cwd / ("sample.py" if language == "python" else "sample.sh")
    script.write_text(code, "utf-8")
    async with Emulator() as emulator:
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}},
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "BRIA_API_TOKEN": emulator.api_token,
            "BRIA_BASE_URL": emulator.base_url,
            "PYTHONWARNINGS": "error",
        }
        command = [bin_dir / "python"] if language == "python" else ["bash", "-euo", "pipefail"]
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command,
            script,
            cwd=cwd,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    if process.returncode != 0:
        sys.stderr.write(output.decode(errors="replace"))
        raise SystemExit(f"the README sample of the {extra!r} extra failed")
    print(f"== the {extra} extra's README sample ran in {time.monotonic() - started:.1f} s")


def main() -> None:
    wheel, workdir = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    found = samples()
    for extra in SAMPLES:
        language, code = found[extra]
        bin_dir = install(extra, wheel, workdir)
        asyncio.run(run(extra, language, code, bin_dir, workdir))


if __name__ == "__main__":
    main()
