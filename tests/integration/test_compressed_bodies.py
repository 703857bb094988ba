"""A compressed API answer is bounded by what it unpacks to, not by its Content-Length."""

from __future__ import annotations

import gzip

import pytest
from aiohttp import web

import bria_async as ba
from bria_async import BriaClient, Settings
from tests.integration.http_support import serve

LIMIT = 64 * 1024


async def test_a_gzip_answer_that_unpacks_past_the_limit_is_refused() -> None:
    packed = gzip.compress(b'{"caption": "' + b"a" * (4 * LIMIT) + b'"}')
    assert len(packed) < LIMIT  # its Content-Length is well under the limit

    async def caption(request: web.Request) -> web.Response:
        return web.Response(
            body=packed, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    app = web.Application()
    app.router.add_get("/v1/vis1/caption", caption)
    async with serve(app) as url:
        settings = Settings(max_response_bytes=LIMIT)
        async with BriaClient("t", base_url=f"{url}/v1", settings=settings) as bria:
            with pytest.raises(ba.ResponseTooLargeError):
                await bria.visuals.caption("vis1")


async def test_a_gzip_answer_within_the_limit_is_read() -> None:
    packed = gzip.compress(b'{"caption": "a fox"}')

    async def caption(request: web.Request) -> web.Response:
        return web.Response(
            body=packed, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    app = web.Application()
    app.router.add_get("/v1/vis1/caption", caption)
    async with serve(app) as url, BriaClient("t", base_url=f"{url}/v1") as bria:
        assert (await bria.visuals.caption("vis1")).caption == "a fox"
