"""The pytest plugin's `bria_emulator` fixture gives a running emulator with fast defaults."""

from __future__ import annotations

import aiohttp

from bria_async.testing import Emulator


async def test_bria_emulator_fixture_serves_on_loopback(bria_emulator: Emulator) -> None:
    assert bria_emulator.base_url.startswith("http://127.0.0.1:")
    assert bria_emulator.config.placeholder_latency.sample(bria_emulator.state.rng) < 0.5
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            bria_emulator.base_url + "/tailored-gen/datasets",
            headers={"api_token": bria_emulator.api_token},
        ) as response,
    ):
        assert response.status == 200
        assert await response.json() == []
