"""`default_headers=`, `session=`, proxies from the environment and the User-Agent, over
real HTTP: servers on 127.0.0.1 that record what reaches them."""

from __future__ import annotations

import asyncio
import platform
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

import bria_async as ba
from bria_async import AsyncBria, Bria, Settings
from tests.integration.http_support import serve

TOKEN = "options-test-token-7d1e"
PNG = b"\x89PNG\r\n\x1a\n" + b"pixels"
GENERATE = "/v1/text-to-image/base/2.3"


class Recorder:
    """A server answering every request (a generated image's JSON, or the image) and
    recording each request's target and headers."""

    def __init__(self) -> None:
        self.url = ""
        self.image_url = ""  # where the generated image lives (this server by default)
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._answer)

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((str(request.url), dict(request.headers)))
        if request.path.endswith(".png"):
            return web.Response(body=PNG, content_type="image/png")
        image = self.image_url or self.url + "/a.png"
        return web.json_response({"result": [{"urls": [image], "seed": 1}]})

    def headers(self, path_end: str) -> list[dict[str, str]]:
        return [h for target, h in self.seen if target.endswith(path_end)]


@asynccontextmanager
async def running(recorder: Recorder) -> AsyncIterator[Recorder]:
    async with serve(recorder.app) as url:
        recorder.url = url
        yield recorder


def expected_user_agent() -> str:
    python = ".".join(platform.python_version_tuple()[:2])
    aiohttp_version = ".".join(aiohttp.__version__.split(".")[:2])
    return f"bria-async/{ba.__version__} (python {python}; aiohttp {aiohttp_version})"


async def test_api_requests_carry_the_user_agent_and_default_headers_storage_requests_not(
    tmp_path: Path,
) -> None:
    async with running(Recorder()) as api, running(Recorder()) as storage:
        api.image_url = storage.url + "/a.png"
        client = AsyncBria(
            TOKEN,
            base_url=api.url + "/v1",
            settings=Settings.for_testing(),
            default_headers={"X-Team": "vision", "User-Agent-Suffix": "batch"},
        )
        async with client as bria:
            result = await bria.images.generate("a fox", sync=True, num_results=1)
            await result.save(tmp_path)
    (sent,) = api.headers(GENERATE)
    assert sent["User-Agent"] == expected_user_agent()
    assert (sent["X-Team"], sent["User-Agent-Suffix"]) == ("vision", "batch")
    assert sent["api_token"] == TOKEN
    assert storage.seen
    for _, headers in storage.seen:
        assert "X-Team" not in headers
        assert "api_token" not in {k.lower() for k in headers}


async def test_a_default_user_agent_replaces_the_sdk_s() -> None:
    async with running(Recorder()) as api:
        client = AsyncBria(
            TOKEN, base_url=api.url + "/v1", default_headers={"user-agent": "my-app/2"}
        )
        async with client as bria:
            await bria.images.generate("a fox", sync=True, num_results=1)
    (sent,) = api.headers(GENERATE)
    assert sent["User-Agent"] == "my-app/2"


async def test_the_sync_client_sends_default_headers_and_the_user_agent_too() -> None:
    def script(base_url: str) -> None:
        with Bria(TOKEN, base_url=base_url, default_headers={"X-Team": "ops"}) as bria:
            bria.images.generate("a fox", sync=True, num_results=1)

    async with running(Recorder()) as api:
        await asyncio.to_thread(script, api.url + "/v1")  # the server goes on in this loop
    (sent,) = api.headers(GENERATE)
    assert (sent["X-Team"], sent["User-Agent"]) == ("ops", expected_user_agent())


async def test_a_callers_session_is_used_and_left_open() -> None:
    async with (
        running(Recorder()) as api,
        aiohttp.ClientSession(headers={"X-Session": "mine"}) as session,
    ):
        async with AsyncBria(TOKEN, base_url=api.url + "/v1", session=session) as bria:
            await bria.images.generate("a fox", sync=True, num_results=1)
        assert not session.closed  # the client's close left it to its owner
        async with session.get(api.url + "/after.png") as answer:  # still usable
            assert answer.status == 200
    (sent,) = api.headers(GENERATE)
    assert sent["X-Session"] == "mine"
    assert sent["User-Agent"] == expected_user_agent()


async def test_a_session_closed_by_its_owner_is_refused_clearly() -> None:
    async with running(Recorder()) as api:
        session = aiohttp.ClientSession()
        async with AsyncBria(TOKEN, base_url=api.url + "/v1", session=session) as bria:
            await session.close()
            with pytest.raises(ba.ClientStateError, match="session"):
                await bria.images.generate("a fox", sync=True, num_results=1)
    assert not api.headers(GENERATE)


async def test_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(Recorder()) as proxy:
        for name in ("no_proxy", "NO_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        base_url = "http://bria.proxied.invalid/v1"  # resolvable by the proxy alone
        client = AsyncBria(TOKEN, base_url=base_url, allow_insecure_http=True)
        async with client as bria:
            await bria.images.generate("a fox", sync=True, num_results=1)
    (target, sent) = proxy.seen[0]
    assert target == "http://bria.proxied.invalid" + GENERATE
    assert sent["api_token"] == TOKEN


async def test_no_proxy_keeps_loopback_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(Recorder()) as proxy, running(Recorder()) as api:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        async with AsyncBria(TOKEN, base_url=api.url + "/v1") as bria:
            await bria.images.generate("a fox", sync=True, num_results=1)
    assert api.headers(GENERATE)
    assert not proxy.seen


if sys.platform == "win32":  # pragma: no cover - proxies there come from the registry too
    pytestmark = pytest.mark.skip("the proxy tests set environment variables only")
