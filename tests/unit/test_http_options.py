"""The checks of `default_headers=` and `session=`: a bad value is refused at construction,
naming the parameter, what it got and what is allowed, and never showing a header's value."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import aiohttp
import pytest

from bria_async import AsyncBria, Bria, ClientStateError, ValidationError
from tests.conftest import BASE_URL, TOKEN


@pytest.mark.parametrize("name", ["api_token", "API_TOKEN", "Api_Token"])
def test_a_default_header_cannot_override_the_api_token(name: str) -> None:
    with pytest.raises(ValidationError, match="api_token") as refused:
        AsyncBria(TOKEN, base_url=BASE_URL, default_headers={name: "other-token-123"})
    assert refused.value.parameter == "default_headers"
    assert "other-token-123" not in str(refused.value)


@pytest.mark.parametrize("name", ["Content-Type", "content-length", "Transfer-Encoding", "Host"])
def test_headers_each_request_sets_itself_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match=name):
        AsyncBria(TOKEN, base_url=BASE_URL, default_headers={name: "x"})


@pytest.mark.parametrize(
    ("headers", "shown"),
    [
        (["X-A", "1"], "['X-A', '1']"),
        ({"X-A": 1}, "'X-A'"),
        ({"X A": "1"}, "'X A'"),
        ({"": "1"}, "''"),
        ({"X-A": "line\r\nX-Injected: 1"}, "'X-A'"),
    ],
)
def test_bad_default_headers_are_refused_naming_what_is_wrong(headers: Any, shown: str) -> None:
    with pytest.raises(ValidationError, match="default_headers") as refused:
        AsyncBria(TOKEN, base_url=BASE_URL, default_headers=headers)
    assert shown in str(refused.value)
    assert "X-Injected" not in str(refused.value)  # a value is never shown: it may be secret


def test_session_must_be_an_aiohttp_session() -> None:
    with pytest.raises(ValidationError, match=r"session=.*aiohttp\.ClientSession"):
        AsyncBria(TOKEN, base_url=BASE_URL, session="http://proxy")  # type: ignore[arg-type]


async def test_a_closed_session_is_refused_at_construction() -> None:
    session = aiohttp.ClientSession()
    await session.close()
    with pytest.raises(ValidationError, match=r"open aiohttp\.ClientSession"):
        AsyncBria(TOKEN, base_url=BASE_URL, session=session)


def test_the_sync_client_takes_no_session_its_loop_is_private() -> None:
    assert "default_headers" in inspect.signature(Bria).parameters
    assert "session" not in inspect.signature(Bria).parameters


def test_a_session_of_another_event_loop_is_refused_clearly() -> None:
    theirs = asyncio.new_event_loop()

    async def make() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    async def use(session: aiohttp.ClientSession) -> None:
        async with AsyncBria(TOKEN, base_url=BASE_URL, session=session) as bria:
            await bria.images.generate("a fox", sync=True)

    session = theirs.run_until_complete(make())
    try:
        with pytest.raises(ClientStateError, match="another event loop"):
            asyncio.run(use(session))
    finally:
        theirs.run_until_complete(session.close())
        theirs.close()
