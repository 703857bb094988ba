"""Fixtures of the batch tests that run the CLI in this process: a quick emulator, a
PostgreSQL journal in a schema of its own, and `bria-async` against the emulator."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from bria_async import BriaClient
from bria_async.cli import main
from bria_async.testing import Emulator, EmulatorConfig, Latency
from tests.integration.cli_support import SERVER
from tests.integration.testing_cli import fast_polling_init


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The emulator, quick: images ready after 0.1 s (median), 64 px."""
    config = EmulatorConfig(
        placeholder_latency=Latency.lognormal(median=0.1, p95=0.3), max_image_side=64, seed=7
    )
    async with Emulator(config, host="127.0.0.1", port=0, storage_port=0) as running:
        yield running


@pytest.fixture
async def journal() -> AsyncIterator[str]:
    """A journal URL whose tables live in a new schema, dropped at the end; skipped without
    a server (failed under CI=true)."""
    asyncpg = pytest.importorskip("asyncpg")
    try:
        conn = await asyncpg.connect(SERVER, timeout=5)
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as error:
        message = f"PostgreSQL is not reachable at {SERVER}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    schema = f"bria_test_{secrets.token_hex(4)}"
    await conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{SERVER}?search_path={schema}"
    finally:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        await conn.close()


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], emulator: Emulator
) -> Callable[..., Awaitable[tuple[int, str]]]:
    """`bria-async ARGS` in this process (a thread with its own event loop) against
    `emulator`, polling as testing_cli.py does: its exit code and output."""
    monkeypatch.setenv("BRIA_API_TOKEN", emulator.api_token)
    monkeypatch.setenv("BRIA_BASE_URL", emulator.base_url)
    monkeypatch.setattr(BriaClient, "__init__", fast_polling_init)

    async def run(*argv: str) -> tuple[int, str]:
        code = await asyncio.to_thread(main, list(argv))
        output = capsys.readouterr()
        return code, output.out + output.err

    return run


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which a plain open() makes files others can read."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)
