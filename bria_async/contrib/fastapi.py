"""FastAPI integration: one `BriaClient` for the app's lifetime, handed to handlers.

```text
app = FastAPI(lifespan=bria_lifespan())

@app.get("/fox")
async def fox(bria: Bria) -> list[str]:
    return list((await bria.images.generate("a red fox")).urls)
```

Needs the ``fastapi`` extra; ``import bria_async`` never imports this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from .._client import BriaClient
from .._errors import ClientStateError

__all__ = ["Bria", "bria_lifespan", "get_bria", "open_bria"]

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
            "or open one with open_bria(app) in your lifespan")
    return bria  # type: ignore[no-any-return]


#: Annotate a handler parameter with this to receive the app's client.
Bria = Annotated[BriaClient, Depends(get_bria)]
