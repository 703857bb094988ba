"""A finished HTTP exchange (`Response`) and the typed errors made of one: an error answer's
status error, a failed attempt's connection error.

An error carries its status, body, headers and request id, never the API token: a header a
server echoed back with it is dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, NamedTuple

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from ._bodies import ERROR_BODY_BYTES, read_head
from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    BriaError,
    error_class_for,
)
from ._json import loads
from ._retry import parse_retry_after

#: What a timeout raises: on Python 3.10 asyncio's TimeoutError is not the built-in one.
TIMEOUTS = (TimeoutError, asyncio.TimeoutError)
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-amz-request-id")


class Response(NamedTuple):
    """A finished HTTP exchange: status, headers and the whole body (a NamedTuple: one is
    made per request, and a tuple is the cheapest immutable record)."""

    method: str
    url: str
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (None when empty); APIResponseValidationError if it is not JSON."""
        body = self.body
        if not body:
            return None
        try:
            return loads(body)
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError and too deep alike
            raise APIResponseValidationError(
                f"the answer is not JSON ({exc})",
                status=self.status,
                method=self.method,
                url=self.url,
                request_id=request_id_of(self.headers),
                excerpt=repr(self.body[:120]),
            ) from None


async def error_response(method: str, url: str, resp: aiohttp.ClientResponse) -> Response:
    """An error answer with at most its first 64 KiB of body: enough for the message."""
    body = await read_head(resp, ERROR_BODY_BYTES)
    return Response(method, str(resp.url), resp.status, resp.headers, body)


def _error_message(body: Any, text: str) -> str:
    if isinstance(body, Mapping):
        for key in ("error", "message", "detail", "description"):
            if body.get(key):
                return str(body[key])
    return text[:500] or "(empty body)"


def status_error(response: Response) -> APIStatusError:
    """The typed error for an error response, carrying its status, body and request id."""
    text = response.body.decode("utf-8", "replace")
    try:
        body: Any = loads(text) if text else None
    except ValueError:
        body = text
    error = error_class_for(response.status)(
        _error_message(body, text),
        status=response.status,
        method=response.method,
        url=response.url,
        body=body,
        request_id=request_id_of(response.headers),
        headers=answer_headers(response.headers),
    )
    error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
    return error


def answer_headers(headers: CIMultiDictProxy[str]) -> CIMultiDictProxy[str]:
    """An error answer's headers as the server sent them, but for an ``api_token`` header a
    server echoed back: the token travels in requests only, and never in an error."""
    if "api_token" not in headers:
        return headers
    kept = CIMultiDict(headers)
    kept.popall("api_token")
    return CIMultiDictProxy(kept)


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id a server put in its answer's headers, if any."""
    return next((headers[h] for h in _REQUEST_ID_HEADERS if h in headers), None)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def connection_error(exc: BaseException, method: str, url: str) -> APIConnectionError:
    """What a timeout or a broken connection of `method` `url` raises."""
    if isinstance(exc, TIMEOUTS):
        return APITimeoutError("no answer in time", method=method, url=url)
    return APIConnectionError(_describe(exc), method=method, url=url)


def with_note(error: BriaError, note: str) -> BriaError:
    """`error` with `note` (why it was not retried) after its message."""
    error.args = (f"{error.args[0]} ({note})", *error.args[1:])
    return error
