"""Redirects over real HTTP, with each server its own origin on 127.0.0.1: the API token
never leaves the API's origin, while storage redirects are followed without it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

import bria_async as ba
from bria_async import BriaClient, Settings
from tests.integration.http_support import serve

TOKEN = "redirect-test-token-51c2"
PNG = b"\x89PNG\r\n\x1a\n" + b"pixels"
MODELS: list[dict[str, Any]] = []


class Host:
    """A server that records the headers of every request it gets."""

    def __init__(self) -> None:
        self.url = ""
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.app = web.Application()

    def route(
        self, method: str, path: str, answer: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            self.seen.append((request.path, dict(request.headers)))
            return await answer(request)

        self.app.router.add_route(method, path, handler)

    def tokens(self) -> list[str]:
        """Every header value that holds the API token."""
        return [v for _, headers in self.seen for v in headers.values() if TOKEN in v]


async def _running(*hosts: Host) -> AsyncExitStack:
    """Start every host (each on its own port); the stack that stops them."""
    stack = AsyncExitStack()
    for host in hosts:
        host.url = await stack.enter_async_context(serve(host.app))
    return stack


def _client(api: Host) -> BriaClient:
    return BriaClient(TOKEN, base_url=api.url + "/v1", settings=Settings.for_testing())


def redirect(
    status: int, location: Callable[[], str]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def answer(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location()})

    return answer


def json_answer(body: Any) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def answer(request: web.Request) -> web.StreamResponse:
        return web.json_response(body)

    return answer


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_the_token_never_follows_a_redirect_to_another_origin(status: int) -> None:
    api, other = Host(), Host()
    for method, path in (
        ("GET", "/v1/tailored-gen/models"),
        ("POST", "/v1/text-to-image/base/2.3"),
    ):
        api.route(method, path, redirect(status, lambda: other.url + "/collect"))
    other.route("*", "/collect", json_answer({"result": []}))
    async with await _running(api, other), _client(api) as bria:
        for call in (bria.models.list(), bria.images.generate("a fox", sync=True, num_results=1)):
            with pytest.raises(ba.APIRedirectError) as info:
                await call
            assert info.value.status == status
            assert info.value.location == other.url + "/collect"
            assert other.url + "/collect" in str(info.value)
            assert TOKEN not in str(info.value)
    assert other.seen == []  # nothing at all went to the other origin
    assert len(api.tokens()) == 2  # each call went to the API once, with the token


@pytest.mark.parametrize("swap", [("http://", "https://"), ("127.0.0.1", "localhost")])
async def test_another_scheme_or_host_name_on_the_same_port_is_another_origin(
    swap: tuple[str, str],
) -> None:
    api = Host()
    path = "/v1/tailored-gen/models"
    api.route("GET", path, redirect(307, lambda: (api.url + "/v1/moved").replace(*swap)))
    api.route("GET", "/v1/moved", json_answer(MODELS))
    async with await _running(api), _client(api) as bria:
        with pytest.raises(ba.APIRedirectError, match="origin"):
            await bria.models.list()
    assert [p for p, _ in api.seen] == [path]


async def test_a_redirect_within_the_api_origin_is_followed_with_the_token() -> None:
    api = Host()
    api.route("GET", "/v1/tailored-gen/models", redirect(301, lambda: "/v1/moved/models"))
    api.route("GET", "/v1/moved/models", json_answer(MODELS))

    async def generated(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        return web.json_response(
            {"result": [{"urls": [f"{api.url}/x.png"], "seed": body["num_results"]}]}
        )

    api.route("POST", "/v1/text-to-image/base/2.3", redirect(308, lambda: "/v1/moved/generate"))
    api.route("POST", "/v1/moved/generate", generated)
    async with await _running(api), _client(api) as bria:
        assert len(await bria.models.list()) == 0
        result = await bria.images.generate("a fox", sync=True, num_results=1)
    assert result.images[0].seed == 1  # 308 kept the method and the body
    assert [path for path, _ in api.seen] == [
        "/v1/tailored-gen/models",
        "/v1/moved/models",
        "/v1/text-to-image/base/2.3",
        "/v1/moved/generate",
    ]
    assert len(api.tokens()) == 4


async def test_a_redirect_loop_within_the_api_fails_typed() -> None:
    api = Host()
    api.route("GET", "/v1/tailored-gen/models", redirect(302, lambda: "/v1/tailored-gen/models"))
    async with await _running(api), _client(api) as bria:
        with pytest.raises(ba.APIRedirectError, match="more than 5 redirects"):
            await bria.models.list()
    assert len(api.seen) == 6


async def test_storage_redirects_are_followed_and_never_carry_the_token(tmp_path: Path) -> None:
    api, storage, cdn = Host(), Host(), Host()

    async def generated(request: web.Request) -> web.StreamResponse:
        return web.json_response({"result": [{"urls": [storage.url + "/a.png"], "seed": 1}]})

    async def image(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Range") == "bytes=0-0":
            return web.Response(status=206, body=PNG[:1])
        return web.Response(body=PNG, content_type="image/png")

    api.route("POST", "/v1/text-to-image/base/2.3", generated)
    storage.route("GET", "/a.png", redirect(302, lambda: cdn.url + "/real.png"))
    cdn.route("GET", "/real.png", image)
    async with await _running(api, storage, cdn), _client(api) as bria:
        result = await bria.images.generate("a fox", num_results=1)  # probed
        assert await result.images[0].read() == PNG
        (path,) = await result.save(tmp_path)
    assert path.read_bytes() == PNG
    assert len(storage.seen) == len(cdn.seen) == 3  # probe, read, save
    assert storage.tokens() == cdn.tokens() == []
    assert all("api_token" not in {k.lower() for k in h} for _, h in storage.seen + cdn.seen)
    assert len(api.tokens()) == 1
