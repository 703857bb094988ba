"""The names openai/anthropic users expect: AsyncBria and Bria, BriaClient as an alias,
``await client.close()``, and a FastAPI dependency that cannot be taken for the sync client."""

from __future__ import annotations

import pytest

import bria_async
from bria_async import AsyncBria, Bria, BriaClient, ClientStateError, Settings
from tests.conftest import BASE_URL, TOKEN, MockAPI


def test_async_bria_and_bria_client_are_one_class() -> None:
    assert AsyncBria is BriaClient
    assert isinstance(BriaClient(TOKEN, base_url=BASE_URL), AsyncBria)
    assert isinstance(AsyncBria(TOKEN, base_url=BASE_URL), BriaClient)
    assert {"AsyncBria", "Bria", "BriaClient"} <= set(bria_async.__all__)


def test_the_sync_client_runs_an_async_bria() -> None:
    with Bria(TOKEN, base_url=BASE_URL) as bria:
        assert isinstance(bria.aio, AsyncBria)


async def test_await_close_closes_the_client_as_aclose_does(mock_api: MockAPI) -> None:
    client = AsyncBria(TOKEN, base_url=BASE_URL, settings=Settings.for_testing())
    async with client:
        pass
    await client.close()  # twice: closing is idempotent
    fresh = AsyncBria(TOKEN, base_url=BASE_URL, settings=Settings.for_testing())
    await fresh.__aenter__()
    await fresh.close()
    with pytest.raises(ClientStateError, match="closed"):
        await fresh.images.generate("a fox", sync=True)
    assert not mock_api.requests


def test_the_fastapi_dependency_is_named_for_the_async_client() -> None:
    fastapi = pytest.importorskip("bria_async.contrib.fastapi")
    assert "AsyncBriaDep" in fastapi.__all__
    assert "Bria" not in fastapi.__all__
    assert not hasattr(fastapi, "Bria")
