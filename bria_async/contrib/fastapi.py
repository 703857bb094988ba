"""FastAPI integration: one `BriaClient` for the app's lifetime, handed to handlers.

```text
app = FastAPI(lifespan=bria_lifespan())

@app.get("/fox")
async def fox(bria: Bria) -> list[str]:
    return list((await bria.images.generate("a red fox")).urls)
```

A handler may return a result (or a list of them) as it is when its return annotation or
``response_model`` names the type: FastAPI answers the result's ``to_dict()``.

Replicas of an app share one budget per endpoint with
``bria_lifespan(settings=Settings(rate_limits=RateLimits.plan("payg")),
rate_limiter=RedisRateLimiter(url))``: the limiter is any BriaClient option.

For v2 webhooks, mount ``app.include_router(bria_webhook_router("/bria/webhook"))`` and pass
``webhook_url="https://<your host>/bria/webhook"``: deliveries are verified with the client's
API token and complete their Jobs at once.

Needs the ``fastapi`` extra; ``import bria_async`` never imports this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response

from .._client import BriaClient
from .._errors import ClientStateError, WebhookVerificationError

__all__ = ["Bria", "bria_lifespan", "bria_webhook_router", "get_bria", "open_bria"]

#: A webhook body is one status body: far below this; a larger one is refused unread.
MAX_WEBHOOK_BYTES = 1024 * 1024

STATE_ATTRIBUTE = "bria_client"
Lifespan = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]


@contextlib.asynccontextmanager
async def open_bria(app: FastAPI, **options: Any) -> AsyncIterator[BriaClient]:
    """Open a BriaClient (`options` go to it) for `app`, for use inside your own lifespan."""
    async with BriaClient(**options) as bria:
        setattr(app.state, STATE_ATTRIBUTE, bria)
        try:
            yield bria
        finally:
            delattr(app.state, STATE_ATTRIBUTE)


def bria_lifespan(**options: Any) -> Lifespan:
    """A lifespan that opens one BriaClient (`options` go to it) and closes it at shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_bria(app, **options):
            yield

    return lifespan


async def get_bria(request: Request) -> BriaClient:
    """The app's BriaClient, for ``Depends(get_bria)``; fails clearly without the lifespan.

    A coroutine, so FastAPI calls it in the event loop rather than in its thread pool.
    """
    bria = getattr(request.app.state, STATE_ATTRIBUTE, None)
    if bria is None:
        raise ClientStateError(
            "no BriaClient: create the app with FastAPI(lifespan=bria_lifespan()) "
            "or open one with open_bria(app) in your lifespan"
        )
    return bria  # type: ignore[no-any-return]


#: Annotate a handler parameter with this to receive the app's client.
Bria = Annotated[BriaClient, Depends(get_bria)]


def bria_webhook_router(
    path: str = "/bria/webhook",
    *,
    tolerance: float | None = 300,
    max_bytes: int = MAX_WEBHOOK_BYTES,
) -> APIRouter:
    """A router with ``POST path`` for Bria's v2 webhooks: it reads at most `max_bytes`,
    verifies the signature with the app's client's API token (400 if it does not hold),
    delivers the status to the Job this process follows (`bria.jobs.deliver`) and answers
    204 at once, well within Bria's 10 s. Needs the app's BriaClient (`bria_lifespan`)."""
    router = APIRouter()

    @router.post(path, status_code=204, include_in_schema=False)
    async def bria_webhook(request: Request, bria: Bria) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_bytes:
                return Response(status_code=413)
        try:
            bria.jobs.receive(bytes(body), request.headers, tolerance=tolerance)
        except WebhookVerificationError:
            return Response(status_code=400)
        return Response(status_code=204)

    return router
