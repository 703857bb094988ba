"""``bria.with_raw_response``: any call of the client, answered with its HTTP response.

The view wraps the client's namespaces generically, not method by method: a call made
through it runs the plain call with a `_request.Capture` set in its context, which
`Transport.send` fills with the Response of the call's first API request (the submission of
a Job, the answer of a direct call). Nothing else changes, so the plain call's checks,
retries and result are the raw call's too.
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from multidict import CIMultiDictProxy

from ._errors import BriaError
from ._jobs import Job
from ._redact import redact_url
from ._request import CAPTURE, Capture
from ._response import Response, answer_headers, request_id_of
from .resources._base import Resource

R = TypeVar("R")
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


class RawView:
    """``bria.with_raw_response``: the client's namespaces (``.images``, ``.v2.image``, ...)
    and ``.request``, whose calls return a RawResponse instead of their result."""

    __slots__ = ("_target",)

    def __init__(self, target: object) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(self._target, name)
        if isinstance(attr, Resource):
            return RawView(attr)
        if inspect.ismethod(attr) and (isinstance(self._target, Resource) or name == "request"):
            return _raw(attr)
        raise AttributeError(
            f"with_raw_response has no {name!r}: it offers the client's namespaces and request"
        )

    def __repr__(self) -> str:
        return f"<with_raw_response of {self._target!r}>"


def _raw(method: Callable[..., Any]) -> Callable[..., Awaitable[RawResponse[Any]]]:
    """`method` answering a RawResponse: its call, its first API response captured."""

    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
        capture = Capture()
        reset = CAPTURE.set(capture)
        try:
            made = method(*args, **kwargs)
            if isinstance(made, Job):
                parsed: Any = await made.submit()
            elif inspect.isawaitable(made):
                parsed = await made
            else:
                raise TypeError(
                    f"{method.__qualname__} returns a {type(made).__name__}, not a call to "
                    "answer with a response: call it without with_raw_response"
                )
        finally:
            CAPTURE.reset(reset)
            capture.closed = True  # tasks begun in this context (the poller's) keep nothing
        response = capture.response
        if response is None:
            raise BriaError(f"{method.__qualname__} sent no API request to answer with")
        return RawResponse(response, parsed)

    return call
