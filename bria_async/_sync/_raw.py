"""``Bria.with_raw_response``: what the generated sync views (`_sync/_raw_views`) are made
of. Each is the twin of an async view, and each call the async view's raw call run on the
loop thread, its Job (if it gave one) waited for: a RawResponse of what the sync call gives
(a route's result, where the async call gives its Job: the response is still its
submission's)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, NoReturn, ParamSpec, TypeVar, overload

from .._jobs import Job
from .._raw import RawMethod, RawResponse, missing
from ._portal import Twin

A = TypeVar("A")
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class SyncRawNamespace(Twin[A]):
    """A view of ``Bria.with_raw_response``: the twin of the async view `A`."""

    if not TYPE_CHECKING:  # to a type checker, a name the view lacks is an error

        def __getattr__(self, name: str) -> NoReturn:
            raise missing(name)


class SyncRawMethod(Generic[P, T]):
    """An async view's `RawMethod` on its sync twin: it takes the call's parameters `P` and
    answers ``RawResponse[T]``, `T` being what the sync call returns."""

    def __init__(self, method: RawMethod[Any, P, Any]) -> None:
        self.method = method
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, view: None, owner: type[Any]) -> SyncRawMethod[P, T]: ...

    @overload
    def __get__(
        self, view: SyncRawNamespace[Any], owner: type[Any]
    ) -> Callable[P, RawResponse[T]]: ...

    def __get__(
        self, view: SyncRawNamespace[Any] | None, owner: type[Any]
    ) -> SyncRawMethod[P, T] | Callable[P, RawResponse[T]]:
        if view is None:
            return self
        raw = self.method.__get__(view._async, type(view._async))
        portal = view._portal

        @functools.wraps(raw)
        def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            return portal.run(_settled(raw, args, kwargs))

        return call


def settled_job(method: RawMethod[Any, P, Job[R]]) -> SyncRawMethod[P, R]:
    """`method`, whose RawResponse parses to a Job, on a sync view: it parses to its result."""
    return SyncRawMethod(method)


def settled_call(method: RawMethod[Any, P, R]) -> SyncRawMethod[P, R]:
    """`method`, whose RawResponse parses to a result, on a sync view: the same."""
    return SyncRawMethod(method)


async def _settled(
    call: Callable[..., Awaitable[RawResponse[Any]]], args: Any, kwargs: Any
) -> RawResponse[Any]:
    """The raw response of `call`, its Job (if it gave one) awaited: the sync call's result."""
    raw = await call(*args, **kwargs)
    parsed = raw.parse()
    return raw._with_parsed(await parsed) if isinstance(parsed, Job) else raw
