"""Helpers for the CLI tests: the emulator and `bria-async` commands as real subprocesses."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp

TOKEN = "cli-test-token"
#: The PostgreSQL server of the journal tests (database `test`, trust auth).
SERVER = os.environ.get("BRIA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


class EmulatorProcess:
    """`bria-async emulator` in another process, and its state endpoint."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def env(self, **extra: str) -> dict[str, str]:
        """The environment that points a `bria-async` command at this emulator."""
        return {**os.environ, "BRIA_API_TOKEN": TOKEN, "BRIA_BASE_URL": self.base_url, **extra}

    async def state(self) -> dict[str, Any]:
        url = self.base_url.removesuffix("/v1") + "/_emulator/state?requests=false"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            data: dict[str, Any] = await response.json()
            return data


@contextlib.asynccontextmanager
async def emulator_process(*options: str) -> AsyncIterator[EmulatorProcess]:
    """Run the emulator CLI on a free port with `options`; SIGTERM it at the end."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bria_async.cli",
        "emulator",
        "--port",
        "0",
        "--api-token",
        TOKEN,
        *options,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=15)
        yield EmulatorProcess(line.decode().strip())
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=10)


#: `bria-async` with its client polling soon enough for the emulator (see testing_cli.py).
TESTING_CLI = (str(Path(__file__).with_name("testing_cli.py")),)


async def start_cli(
    *args: str, env: dict[str, str], cwd: Path, program: Sequence[str] = ("-m", "bria_async.cli")
) -> asyncio.subprocess.Process:
    """Start `bria-async ARGS` (or another `program`) with stdout and stderr piped together."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *program,
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def run_cli(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 60
) -> tuple[int, str]:
    """Run `bria-async ARGS` to its end: the exit code and the output."""
    process = await start_cli(*args, env=env, cwd=cwd)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
    assert process.returncode is not None
    return process.returncode, output.decode()


def records(path: Path) -> list[dict[str, Any]]:
    """The JSON Lines records of `path` (none if it does not exist)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def wait_for_lines(
    path: Path, text: str, count: int, process: asyncio.subprocess.Process, timeout: float = 30
) -> None:
    """Wait until `path` holds `count` lines containing `text` (or the process ended)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline and process.returncode is None:
        if path.exists() and path.read_text().count(text) >= count:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"{path} did not reach {count} lines with {text!r} in time")
