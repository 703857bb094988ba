"""Small real HTTP servers on 127.0.0.1 for tests that need hosts of their own: each server
is its own origin (its own port), and bodies can be streamed without being held in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

CHUNK = b"0123456789abcdef" * 4096  # 64 KiB of ASCII, sent again and again


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Run `app` on a free 127.0.0.1 port; its base URL, e.g. http://127.0.0.1:41234."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def stream(request: web.Request, head: bytes, size: int, content_type: str) -> int:
    """Answer 200 with `head` then filler up to `size` bytes, chunked (no Content-Length),
    whatever Range asked; stop when the client goes away. The bytes sent."""
    response = web.StreamResponse(headers={"Content-Type": content_type})
    await response.prepare(request)
    sent = 0
    try:
        await response.write(head)
        sent = len(head)
        while sent < size:
            chunk = CHUNK[: size - sent]
            await response.write(chunk)
            sent += len(chunk)
        await response.write_eof()
    except (ConnectionError, RuntimeError):  # the client closed the connection
        pass
    return sent
