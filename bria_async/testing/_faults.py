"""Injected faults for API routes: dropped connections, 429 with Retry-After, 500, 503 and
slow answers, each drawn at its configured rate from the emulator's seeded random source.
"""

from __future__ import annotations

import asyncio
import math
import random

from aiohttp import web

from ._config import RouteConfig

__all__ = ["inject_fault"]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


async def inject_fault(
    request: web.Request, route: RouteConfig, rng: random.Random
) -> web.StreamResponse | None:
    """A fault answer for this request, or None to handle it normally (maybe after a delay).

    A dropped connection closes the transport and returns a response nobody will receive.
    """
    if route.rate_drop and rng.random() < route.rate_drop:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)
    if route.rate_429 and rng.random() < route.rate_429:
        retry_after = str(max(0, math.ceil(route.retry_after)))
        return _error(429, "Too many requests: rate limit exceeded.", {"Retry-After": retry_after})
    if route.rate_500 and rng.random() < route.rate_500:
        return _error(500, "Internal server error.")
    if route.rate_503 and rng.random() < route.rate_503:
        return _error(503, "Service unavailable.")
    if route.slow_rate and rng.random() < route.slow_rate:
        await asyncio.sleep(route.slow_seconds)
    return None
