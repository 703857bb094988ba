"""``Bria.with_raw_response``: the sync twin of the raw-response view, written by hand (the
view has no methods of its own for the generator to copy: it wraps the namespaces')."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from .._jobs import Job
from .._raw import RawResponse, RawView
from ._portal import Twin


class SyncRawView(Twin[RawView]):
    """``bria.with_raw_response.<namespace>.<method>(...)`` of the sync client: a RawResponse
    whose `parse()` gives what the sync call gives (a route's result, where the async call
    gives its Job: the raw response is still its submission's)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(self._async, name)
        if isinstance(attr, RawView):
            return SyncRawView._wrap(attr, self._portal)
        portal = self._portal

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            return portal.run(_settled(attr, args, kwargs))

        return call


async def _settled(
    call: Callable[..., Awaitable[RawResponse[Any]]], args: Any, kwargs: Any
) -> RawResponse[Any]:
    """The raw response of `call`, its Job (if it gave one) awaited: the sync call's result."""
    raw = await call(*args, **kwargs)
    parsed = raw.parse()
    return raw._with_parsed(await parsed) if isinstance(parsed, Job) else raw
