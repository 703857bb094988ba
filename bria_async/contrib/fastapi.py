"""FastAPI integration: one `AsyncBria` for the app's lifetime, handed to handlers.

```text
app = FastAPI(lifespan=bria_lifespan())

@app.get("/fox")
async def fox(bria: AsyncBriaDep) -> list[str]:
    return list((await bria.images.generate("a red fox")).urls)
```

A handler may return a result (or a list of them) as it is when its return annotation or
``response_model`` names the type: FastAPI answers the result's ``to_dict()``.

Replicas of an app share one budget per endpoint with
``bria_lifespan(settings=Settings(rate_limits=RateLimits.plan("payg")),
rate_limiter=RedisRateLimiter(url))``: the limiter is any AsyncBria option.

For v2 webhooks, mount ``app.include_router(bria_webhook_router("/bria/webhook"))`` and pass
``webhook_url="https://<your host>/bria/webhook"``: deliveries are verified with the client's
API token and complete their Jobs at once.

Needs the ``fastapi`` extra; ``import bria_async`` never imports this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from starlette.requests import ClientDisconnect

from .._client import AsyncBria
from .._errors import ClientStateError, ValidationError, WebhookVerificationError
from .._events import logger
from .._validation import check_number, require_int
from ..webhooks import check_headers

__all__ = ["AsyncBriaDep", "bria_lifespan", "bria_webhook_router", "get_bria", "open_bria"]

#: A webhook body is one status body: far below this; a larger one is refused unread.
MAX_WEBHOOK_BYTES = 1024 * 1024
#: Seconds a webhook body (and its wait for a turn) may take: Bria gives up after 10 s.
READ_TIMEOUT = 10.0
#: Bodies read at once, before any is verified: what unsigned senders can make the app hold
#: is this many times `max_bytes`; a burst of genuine (small) deliveries waits its turn.
MAX_CONCURRENT_READS = 16

STATE_ATTRIBUTE = "bria_client"
Lifespan = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]


@contextlib.asynccontextmanager
async def open_bria(app: FastAPI, **options: Any) -> AsyncIterator[AsyncBria]:
    """Open a AsyncBria (`options` go to it) for `app`, for use inside your own lifespan."""
    async with AsyncBria(**options) as bria:
        setattr(app.state, STATE_ATTRIBUTE, bria)
        try:
            yield bria
        finally:
            delattr(app.state, STATE_ATTRIBUTE)


def bria_lifespan(**options: Any) -> Lifespan:
    """A lifespan that opens one AsyncBria (`options` go to it) and closes it at shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_bria(app, **options):
            yield

    return lifespan


async def get_bria(request: Request) -> AsyncBria:
    """The app's AsyncBria, for ``Depends(get_bria)``; fails clearly without the lifespan.

    A coroutine, so FastAPI calls it in the event loop rather than in its thread pool.
    """
    bria = getattr(request.app.state, STATE_ATTRIBUTE, None)
    if bria is None:
        raise ClientStateError(
            "no AsyncBria: create the app with FastAPI(lifespan=bria_lifespan()) "
            "or open one with open_bria(app) in your lifespan"
        )
    return bria  # type: ignore[no-any-return]


#: Annotate a handler parameter with this to receive the app's client (an AsyncBria: the
#: name says so, since ``bria_async.Bria`` is the synchronous client).
AsyncBriaDep = Annotated[AsyncBria, Depends(get_bria)]


def _check_limits(max_bytes: int, read_timeout: float, max_concurrent_reads: int) -> None:
    require_int("max_bytes", max_bytes, 1)
    require_int("max_concurrent_reads", max_concurrent_reads, 1)
    if check_number("read_timeout", read_timeout, 0.001, 3600.0) is None:
        raise ValidationError("read_timeout", None, "a number of seconds within [0.001, 3600]")


def _refused(status: int) -> Response:
    """`status`, and the connection closed: the sender's unread body is never waited for."""
    return Response(status_code=status, headers={"Connection": "close"})


async def _read_body(
    request: Request, max_bytes: int, read_timeout: float, reads: anyio.Semaphore
) -> bytes | int:
    """The request's body, or the status to refuse it with: 413 over `max_bytes` (declared
    or sent), 408 past `read_timeout` (its wait for a turn among `reads` included), 400 if
    the sender went away."""
    declared = request.headers.get("content-length", "")
    if len(declared) > 20 or (declared.isdigit() and int(declared) > max_bytes):
        return 413
    with anyio.move_on_after(read_timeout):
        async with reads:
            body = bytearray()
            try:
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > max_bytes:
                        return 413
            except ClientDisconnect:
                logger.debug("a webhook sender went away before sending its whole body")
                return 400
            return bytes(body)
    return 408


def bria_webhook_router(
    path: str = "/bria/webhook",
    *,
    tolerance: float | None = 300,
    max_bytes: int = MAX_WEBHOOK_BYTES,
    read_timeout: float = READ_TIMEOUT,
    max_concurrent_reads: int = MAX_CONCURRENT_READS,
) -> APIRouter:
    """A router with ``POST path`` for Bria's v2 webhooks. It checks the signing headers
    first (400 before reading the body if they are missing, of the wrong form or older than
    `tolerance` seconds: see `bria_async.webhooks.check_headers` for that trade-off), reads
    at most `max_bytes` (413) within `read_timeout` seconds (408, its wait for a turn
    included), `max_concurrent_reads` bodies at once, and closes the connection of whatever
    it refuses, so unsigned senders cannot hold the app's memory or connections. It then verifies
    the signature with the app's client's API token (400), delivers the status to the Job
    this process follows (`bria.jobs.deliver`) and answers 204, well within Bria's 10 s.
    Needs the app's AsyncBria (`bria_lifespan`)."""
    _check_limits(max_bytes, read_timeout, max_concurrent_reads)
    router = APIRouter()
    reads = anyio.Semaphore(max_concurrent_reads)

    @router.post(path, status_code=204, include_in_schema=False)
    async def bria_webhook(request: Request, bria: AsyncBriaDep) -> Response:
        try:
            check_headers(request.headers, tolerance=tolerance)
        except WebhookVerificationError:
            return _refused(400)
        body = await _read_body(request, max_bytes, read_timeout, reads)
        if isinstance(body, int):
            return _refused(body)
        try:
            bria.jobs.receive(body, request.headers, tolerance=tolerance)
        except WebhookVerificationError:
            return Response(status_code=400)
        return Response(status_code=204)

    return router
