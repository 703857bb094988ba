"""`bria-async emulator` run as a subprocess answers requests and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bria_async.cli import main

FAST = "/text-to-image/fast/2.3"


@contextlib.asynccontextmanager
async def _emulator(*options: str) -> AsyncIterator[tuple[str, str]]:
    """The emulator CLI with `options`: its base URL and its second (informational) line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bria_async.cli",
        "emulator",
        "--port",
        "0",
        "--latency",
        "0.05",
        "--seed",
        "1",
        *options,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        base_url = (await asyncio.wait_for(process.stdout.readline(), timeout=15)).decode()
        info = (await asyncio.wait_for(process.stdout.readline(), timeout=15)).decode()
        yield base_url.strip(), info
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0


async def _post(base_url: str, token: str) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            base_url + FAST, json={"prompt": "p", "num_results": 1}, headers={"api_token": token}
        ) as response,
    ):
        return response.status


async def test_cli_emulator_subcommand_serves_until_sigterm() -> None:
    async with _emulator() as (base_url, info):
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        assert "api_token 'emulator-token'" in info
        assert await _post(base_url, "emulator-token") == 200
        assert await _post(base_url, "t") == 401
        async with (
            aiohttp.ClientSession() as session,
            session.get(base_url.removesuffix("/v1") + "/_emulator/state") as response,
        ):
            state = await response.json()
    assert state["submissions"] == {"/text-to-image/fast/{model_version}": 1}
    assert "emulator-token" not in str(state["requests"])


async def test_cli_emulator_accepts_its_own_token_without_echoing_it() -> None:
    async with _emulator("--api-token", "secret-6f1d9c") as (base_url, info):
        assert "secret-6f1d9c" not in info
        assert "api_token as given by --api-token" in info
        assert await _post(base_url, "secret-6f1d9c") == 200
        assert await _post(base_url, "emulator-token") == 401


async def test_cli_emulator_any_token_accepts_any() -> None:
    async with _emulator("--any-token") as (base_url, info):
        assert "any api_token accepted" in info
        assert await _post(base_url, "t") == 200


async def test_cli_emulator_enforces_a_rate_limit() -> None:
    async with _emulator("--rate-limit", "2/min") as (base_url, info):
        assert "rate limit 2/min per token and endpoint" in info
        statuses = [await _post(base_url, "emulator-token") for _ in range(3)]
        async with (
            aiohttp.ClientSession() as session,
            session.get(base_url.removesuffix("/v1") + "/_emulator/state") as response,
        ):
            state = await response.json()
    assert statuses == [200, 200, 429]
    assert state["per_minute"] == {"POST /text-to-image/fast/{model_version}": {"0": 2}}
    assert state["rate_limited"] == {"POST /text-to-image/fast/{model_version}": 1}


async def test_cli_emulator_latency_median_alone_varies_around_it_as_the_demos_does() -> None:
    async with _emulator("--latency-median", "3") as (base_url, info):
        assert "images ready after 3 s typically, 95% within 6 s" in info
        assert await _post(base_url, "emulator-token") == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--latency-p95", "2"], "--latency-p95 needs --latency-median"),
        (["--latency-median", "0"], "--latency-median must be above 0, not 0"),
        (
            ["--latency-median", "3", "--latency-p95", "2"],
            "--latency-p95 must be at least --latency-median (3), not 2",
        ),
    ],
)
def test_cli_emulator_refuses_latencies_that_cannot_be(options: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--port", "0", *options])
    assert str(exited.value.code) == f"bria-async emulator: {message}"
