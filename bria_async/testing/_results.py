"""Helpers every route module shares: the route's template, and making result URLs."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

from aiohttp import web

from ._state import STATE_KEY, State

__all__ = [
    "PREFIX",
    "V2_PREFIX",
    "generate",
    "ok",
    "result_url",
    "route_template",
    "state_of",
]

PREFIX = "/v1"
V2_PREFIX = "/v2"


def state_of(request: web.Request) -> State:
    """The emulator state behind `request`."""
    return request.app[STATE_KEY]


def route_template(request: web.Request) -> str:
    """The path template `request` matched: a v1 one as ROUTES.md writes it, e.g.
    "/text-to-image/base/{model_version}", a v2 one with its prefix, e.g. "/v2/image/generate"."""
    canonical = (
        request.match_info.route.resource.canonical if request.match_info.route.resource else ""
    )
    return canonical.removeprefix(PREFIX)


def endpoint(request: web.Request) -> str:
    """The endpoint `request` spends, as rate limits and `EmulatorConfig.routes` name it:
    its method and route template, e.g. "POST /text-to-image/base/{model_version}"."""
    return f"{request.method} {route_template(request)}"


def ok(data: Any, status: int = 200) -> web.Response:
    """A JSON answer."""
    return web.json_response(data, status=status)


async def generate(
    request: web.Request,
    *,
    count: int,
    size: tuple[int, int],
    key: str,
    seed: int | None,
    sync: bool,
) -> list[tuple[str, int]]:
    """Make `count` PNG placeholders with the route's latency; (url, seed) for each.

    Seeds are `seed`, `seed + 1`, ... or random; with `sync` this waits until all are ready.
    """
    state = state_of(request)
    latency = state.config.latency_for(endpoint(request))
    made = []
    for index in range(count):
        image_seed = seed + index if seed is not None else state.random_seed()
        placeholder = state.storage.add_png(
            size[0], size[1], f"{key}|{image_seed}", latency.sample(state.rng)
        )
        made.append((placeholder, image_seed))
    if sync and made:
        wait = max(placeholder.ready_mono for placeholder, _ in made) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
    return [(placeholder.url, image_seed) for placeholder, image_seed in made]


def result_url(request: web.Request, size: tuple[int, int], key: str) -> str:
    """A ready PNG result URL, for direct routes."""
    return state_of(request).storage.add_png(size[0], size[1], key).url


def new_sid() -> str:
    """A session id for a result that is not tied to a visual."""
    return secrets.token_hex(16)
