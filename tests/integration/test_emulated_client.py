"""`BriaClient.emulated()` and `Bria.emulated()`: the README's samples without a token, on an
emulator started in this process for the block and stopped after it."""

from __future__ import annotations

import threading

import aiohttp
import pytest
import requests

from bria_async import Bria, BriaClient, ClientStateError, ConfigurationError, Settings


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
        with pytest.raises(ConfigurationError, match=r"AsyncBria\.emulated\(\)"):
            await bria.images.generate("a red fox")


def test_the_sync_client_runs_on_an_emulator_of_its_own_then_stops_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BRIA_API_TOKEN", raising=False)
    monkeypatch.delenv("BRIA_BASE_URL", raising=False)
    before = _loop_threads()
    with Bria.emulated(settings=Settings.for_testing()) as bria:
        assert isinstance(bria, Bria)
        result = bria.images.generate("a red fox", num_results=2)
        assert len(result.images) == 2
        assert bria.run(result.images[0].read()).startswith(b"\x89PNG")
        state_url = bria.aio.base_url.removesuffix("/v1") + "/_emulator/state"
    with pytest.raises(ClientStateError, match="closed"):
        bria.images.generate("a red fox")
    with pytest.raises(requests.ConnectionError):
        requests.get(state_url, timeout=5)
    assert _loop_threads() == before  # both loop threads stopped


@pytest.mark.parametrize("option", ["api_token", "base_url"])
def test_the_sync_emulated_client_sets_its_token_and_url_itself(option: str) -> None:
    refused = pytest.raises(ConfigurationError, match=rf"Bria\.emulated\(\) sets {option} itself")
    with refused, Bria.emulated(**{option: "x"}):
        pass


async def test_the_sync_emulated_client_refuses_a_running_loop_and_starts_nothing() -> None:
    before = _loop_threads()
    with pytest.raises(ClientStateError, match="synchronous client"), Bria.emulated():
        pass
    assert _loop_threads() == before


def _loop_threads() -> set[threading.Thread]:
    """The sync clients' loop threads now (not asyncio's executor threads, which a closed
    loop lets end on their own, a moment later on 3.13)."""
    return {t for t in threading.enumerate() if t.name == "bria-sync-loop"}
