"""`BriaClient.emulated()`: the README's samples without a token, on an emulator started in
this process for the block and stopped after it."""

from __future__ import annotations

import aiohttp
import pytest

from bria_async import BriaClient, ConfigurationError, Settings


async def test_the_emulated_client_generates_then_stops_its_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BRIA_API_TOKEN", raising=False)
    monkeypatch.delenv("BRIA_BASE_URL", raising=False)
    async with BriaClient.emulated(settings=Settings.for_testing()) as bria:
        assert isinstance(bria, BriaClient)
        assert bria.base_url.startswith("http://127.0.0.1:")
        result = await bria.images.generate("a red fox", num_results=2)
        assert len(result.images) == 2
        assert (await result.images[0].read()).startswith(b"\x89PNG")
        base_url = bria.base_url
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(base_url.removesuffix("/v1") + "/_emulator/state")


@pytest.mark.parametrize("option", ["api_token", "base_url"])
async def test_the_emulated_client_sets_its_token_and_url_itself(option: str) -> None:
    with pytest.raises(ConfigurationError, match=f"sets {option} itself"):
        async with BriaClient.emulated(**{option: "x"}):
            pass


async def test_no_token_says_how_to_try_without_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIA_API_TOKEN", raising=False)
    monkeypatch.delenv("BRIA_BASE_URL", raising=False)
    async with BriaClient() as bria:
        with pytest.raises(ConfigurationError, match=r"BriaClient\.emulated\(\)"):
            await bria.images.generate("a red fox")
