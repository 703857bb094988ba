"""`bria-async emulator` run as a subprocess answers requests and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys

import aiohttp


async def test_cli_emulator_subcommand_serves_until_sigterm() -> None:
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
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=15)
        base_url = line.decode().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        async with aiohttp.ClientSession() as session:
            async with session.post(
                base_url + "/text-to-image/fast/2.3",
                json={"prompt": "p", "num_results": 1},
                headers={"api_token": "t"},
            ) as response:
                assert response.status == 200
            async with session.get(base_url.removesuffix("/v1") + "/_emulator/state") as response:
                state = await response.json()
        assert state["submissions"] == {"/text-to-image/fast/{model_version}": 1}
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0
