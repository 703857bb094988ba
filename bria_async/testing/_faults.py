"""Injected faults for API routes: dropped connections, 429 with Retry-After, 500, 503 and
slow answers, each drawn at its configured rate from the emulator's seeded random source.
"""

from __future__ import annotations

import asyncio
import math
import random

from aiohttp import web

from ._config import RouteConfig
from ._validate import error_response

__all__ = ["inject_fault"]


async def inject_fault(
    request: web.Request, route: RouteConfig, rng: random.Random, *, v2: bool = False
) -> web.StreamResponse | None:
    """A fault answer for this request, or None to handle it normally (maybe after a delay).

    A dropped connection closes the transport and returns a response nobody will receive;
    `v2` answers with v2's error object.
    """
    if route.rate_drop and rng.random() < route.rate_drop:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)
    if route.rate_429 and rng.random() < route.rate_429:
        retry_after = str(max(0, math.ceil(route.retry_after)))
        message = "Too many requests: rate limit exceeded."
        return error_response(429, message, v2=v2, headers={"Retry-After": retry_after})
    if route.rate_500 and rng.random() < route.rate_500:
        return error_response(500, "Internal server error.", v2=v2)
    if route.rate_503 and rng.random() < route.rate_503:
        return error_response(503, "Service unavailable.", v2=v2)
    if route.slow_rate and rng.random() < route.slow_rate:
        await asyncio.sleep(route.slow_seconds)
    return None
