"""Shared fixtures: the aioresponses mock of the API, and a client in testing mode."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any
from unittest.mock import Mock

import aiohttp
import pytest
from aioresponses import aioresponses

from bria_async import BriaClient, Settings

BASE_URL = "https://engine.test.bria-api.com/v1"
TOKEN = "test-token-6f1d9c"


class _StandInStreamWriterResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 builds ClientResponse without the `stream_writer` that aiohttp 3.14
    requires (aioresponses issue #289); this supplies a stand-in. Remove it once upstream is
    fixed."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", Mock(output_size=0))
        super().__init__(method, url, **kwargs)


class MockAPI(aioresponses):
    """aioresponses whose every mocked response uses the stand-in response class."""

    def add(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("response_class", _StandInStreamWriterResponse)
        callback = kwargs.get("callback")
        if callback is not None and inspect.iscoroutinefunction(callback):
            kwargs["callback"] = functools.partial(_with_stand_in_async, callback)
        elif callback is not None:
            kwargs["callback"] = functools.partial(_with_stand_in, callback)
        super().add(*args, **kwargs)


def _with_stand_in(callback: Any, url: Any, **kwargs: Any) -> Any:
    return _stand_in(callback(url, **kwargs))


async def _with_stand_in_async(callback: Any, url: Any, **kwargs: Any) -> Any:
    return _stand_in(await callback(url, **kwargs))


def _stand_in(result: Any) -> Any:
    if result is not None and result.response_class is None:
        result.response_class = _StandInStreamWriterResponse
    return result


@pytest.fixture
def mock_api() -> Iterator[MockAPI]:
    """Mocked HTTP for unit tests: no request leaves the process."""
    mocked = MockAPI()
    with mocked:
        yield mocked


@pytest.fixture
async def client(mock_api: MockAPI) -> AsyncIterator[BriaClient]:
    """A client in testing mode against the mocked API at BASE_URL."""
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as bria:
        yield bria
