"""``bria.with_raw_response``: any call of the client, answered with its HTTP response.

A call made through it runs the plain call with a `_request.Capture` set in its context,
which `Transport.send` fills with the Response of the call's first API request (the
submission of a Job, the answer of a direct call). Nothing else changes, so the plain
call's checks, retries and result are the raw call's too.

The views themselves (``.images``, ``.v2.image``, ...) are generated (`_raw_views`, by
``python -m bria_async._sync._generate``) as classes of `RawMethod` attributes, one per
call of a namespace, so a type checker sees each raw call's parameters and
``RawResponse[...]`` as the plain call's.
"""

from __future__ import annotations

import copy
import functools
import types
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, NoReturn, ParamSpec, TypeVar, overload

from multidict import CIMultiDictProxy

from ._errors import BriaError
from ._jobs import Job
from ._redact import redact_url
from ._request import CAPTURE, Capture
from ._response import Response, answer_headers, request_id_of

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")
T = TypeVar("T")


class RawResponse(Generic[R]):
    """The HTTP response of one call made through ``bria.with_raw_response``: its
    `status_code`, `headers` (as the server sent them, less any ``api_token`` it echoed),
    `request_id` (from those headers) and `url` (the request's: the token travels in a
    header, never in it), and `parse()`: what the plain call returns.

    For a route that returns a Job this is the response of its submission: the Job is sent,
    and `parse()` gives it, submitted (``await raw.parse()`` waits for its result)."""

    __slots__ = ("_parsed", "headers", "method", "request_id", "status_code", "url")

    def __init__(self, response: Response, parsed: R) -> None:
        self.status_code = response.status
        self.headers: CIMultiDictProxy[str] = answer_headers(response.headers)
        self.request_id = request_id_of(response.headers)
        self.url = redact_url(response.url)
        self.method = response.method
        self._parsed = parsed

    def parse(self) -> R:
        """What the plain call returns: its result, or its submitted Job."""
        return self._parsed

    def _with_parsed(self, parsed: T) -> RawResponse[T]:
        """This response, parsed as `parsed` (the sync client's: a Job's result)."""
        other: RawResponse[Any] = copy.copy(self)
        other._parsed = parsed
        return other

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} {self.method} {self.url}>"


class RawNamespace(Generic[S]):
    """A view of ``bria.with_raw_response``: the namespace (or client) `target`, whose
    calls its generated `RawMethod` attributes answer with a RawResponse."""

    def __init__(self, target: S) -> None:
        self._target = target

    if not TYPE_CHECKING:  # to a type checker, a name the view lacks is an error

        def __getattr__(self, name: str) -> NoReturn:
            raise missing(name)

    def __repr__(self) -> str:
        return f"<with_raw_response of {self._target!r}>"


def missing(name: str) -> AttributeError:
    """The error for `name`, which a view of ``with_raw_response`` does not offer."""
    if name.startswith("_"):
        return AttributeError(name)
    return AttributeError(
        f"with_raw_response has no {name!r}: it offers the client's namespaces and request, "
        "and the namespaces' calls that send a request (a Job's or a direct call's); call "
        "anything else without with_raw_response"
    )


class RawMethod(Generic[S, P, T]):
    """A call of namespace class `S` on a view of ``with_raw_response``: it takes the
    call's parameters `P` and answers ``RawResponse[T]``, `T` being what the call returns."""

    def __init__(self, method: Callable[Concatenate[S, P], object]) -> None:
        self.method = method
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, view: None, owner: type[Any]) -> RawMethod[S, P, T]: ...

    @overload
    def __get__(
        self, view: RawNamespace[S], owner: type[Any]
    ) -> Callable[P, Awaitable[RawResponse[T]]]: ...

    def __get__(
        self, view: RawNamespace[S] | None, owner: type[Any]
    ) -> RawMethod[S, P, T] | Callable[P, Awaitable[RawResponse[T]]]:
        if view is None:
            return self
        return _raw(types.MethodType(self.method, view._target))


def raw_job(method: Callable[Concatenate[S, P], Job[R]]) -> RawMethod[S, P, Job[R]]:
    """`method`, a route that returns a Job, on a view: its RawResponse parses to the Job."""
    return RawMethod(method)


def raw_call(method: Callable[Concatenate[S, P], Awaitable[R]]) -> RawMethod[S, P, R]:
    """`method`, a call awaited for its result, on a view: its RawResponse parses to it."""
    return RawMethod(method)


def _raw(method: Callable[..., Any]) -> Callable[..., Awaitable[RawResponse[Any]]]:
    """`method` answering a RawResponse: its call, its first API response captured."""

    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
        capture = Capture()
        reset = CAPTURE.set(capture)
        try:
            made = method(*args, **kwargs)
            parsed: Any = await (made.submit() if isinstance(made, Job) else made)
        finally:
            CAPTURE.reset(reset)
            capture.closed = True  # tasks begun in this context (the poller's) keep nothing
        response = capture.response
        if response is None:
            raise BriaError(f"{method.__qualname__} sent no API request to answer with")
        return RawResponse(response, parsed)

    return call
