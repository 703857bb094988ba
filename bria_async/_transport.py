"""The only module that talks to aiohttp for API calls: one session, retries, error mapping.

API requests carry the `api_token` header; storage requests (placeholders, results) never do.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp
import attrs
from multidict import CIMultiDictProxy

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BriaError,
    ClientStateError,
    ConfigurationError,
    error_class_for,
)
from ._events import Hooks, RequestEvent, RetryEvent, emit, logger
from ._limiter import AdaptiveLimiter
from ._retry import (
    NOT_DONE_STATUSES,
    RETRYABLE_STATUSES,
    Deadline,
    RetryBudget,
    backoff_delay,
    parse_retry_after,
)
from ._settings import Settings

TimeoutKind = Literal["quick", "upload", "sync_generation", "poll", "download"]
OK_STATUSES = frozenset({200, 201, 202, 204, 205, 208, 209})
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-amz-request-id")


class Secret:
    """A string that never shows itself in a repr, str or f-string."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@attrs.frozen
class Response:
    """A finished HTTP exchange: status, headers and the whole body."""

    method: str
    url: str
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        if not self.body:
            return None
        return jsonlib.loads(self.body)


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
        body: Any = jsonlib.loads(text) if text else None
    except ValueError:
        body = text
    request_id = next(
        (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None
    )
    return error_class_for(response.status)(
        _error_message(body, text),
        status=response.status,
        method=response.method,
        url=response.url,
        body=body,
        request_id=request_id,
    )


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    return host in {"localhost", "::1"} or host.startswith("127.")


def check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    """The base URL without a trailing slash; plain http only to loopback unless allowed."""
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {base_url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not allow_insecure_http:
        raise ConfigurationError(
            f"base_url {base_url!r} is plain http to a host that is not loopback: the API token "
            "would travel unencrypted. Use https, or pass allow_insecure_http=True."
        )
    return base_url.rstrip("/")


class Transport:
    """Sends API requests with retries and maps statuses to errors; fetches storage URLs."""

    def __init__(
        self,
        *,
        base_url: str,
        token: Callable[[], Secret],
        settings: Settings,
        hooks: Hooks,
    ) -> None:
        self.base_url = base_url
        self._token = token
        self._settings = settings
        self._hooks = hooks
        self._rng = random.Random()
        self._budget = RetryBudget(settings.retries)
        self.submissions = AdaptiveLimiter(settings.max_submissions)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    @property
    def session(self) -> aiohttp.ClientSession:
        """The client's one aiohttp session, opened in the running loop on first use."""
        loop = asyncio.get_running_loop()
        if self._closed:
            raise ClientStateError("this BriaClient is closed; open a new one")
        if self._loop is not None and loop is not self._loop:
            raise ClientStateError(
                "this BriaClient belongs to another event loop: create one client per loop "
                "(for example inside your FastAPI lifespan), do not share it across loops"
            )
        if self._session is None:
            self._loop = loop
            connector = aiohttp.TCPConnector(
                limit=self._settings.max_connections,
                ttl_dns_cache=self._settings.dns_cache_ttl,
                keepalive_timeout=self._settings.keepalive_timeout,
            )
            self._session = aiohttp.ClientSession(
                connector=connector, raise_for_status=False, auto_decompress=True
            )
        return self._session

    @property
    def open_connections(self) -> int:
        """Connections the pool holds right now, busy or idle (for tests and benchmarks)."""
        if self._session is None or self._session.connector is None:
            return 0
        connector = self._session.connector
        acquired = len(getattr(connector, "_acquired", ()))
        idle = sum(len(v) for v in getattr(connector, "_conns", {}).values())
        return acquired + idle

    async def close(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _timeout(self, kind: TimeoutKind, deadline: Deadline) -> aiohttp.ClientTimeout:
        t = self._settings.timeouts
        return aiohttp.ClientTimeout(
            total=deadline.cap(getattr(t, kind)), sock_connect=deadline.cap(t.connect)
        )

    async def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        kind: TimeoutKind = "poll",
        deadline: Deadline | None = None,
    ) -> Response:
        """One GET of a storage URL, without the API token and without retries."""
        deadline = deadline or Deadline(None)
        try:
            async with self.session.get(
                url, headers=dict(headers or {}), timeout=self._timeout(kind, deadline)
            ) as resp:
                body = await resp.read()
                return Response("GET", url, resp.status, resp.headers, body)
        except TimeoutError as exc:
            raise APITimeoutError("no answer in time", method="GET", url=url) from exc
        except aiohttp.ClientError as exc:
            raise APIConnectionError(_describe(exc), method="GET", url=url) from exc

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Callable[[], Any] | None = None,
        kind: TimeoutKind = "quick",
        billable: bool = False,
        deadline: Deadline | None = None,
    ) -> Response:
        """Send an API request, retrying what is safe to retry; return a success response.

        `data` is a factory so that a multipart body is rebuilt for each attempt. A billable
        request (one that creates paid work) is repeated only where the server cannot have
        done the work, unless the settings allow more. Raises the typed error otherwise.
        """
        deadline = deadline or Deadline(None)
        url = self.base_url + path
        retries = self._settings.retries
        headers = {"api_token": self._token().reveal()}
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            retry_after: float | None = None
            if billable:
                await self.submissions.acquire()
            try:
                async with self.session.request(
                    method,
                    url,
                    params=query or None,
                    json=json,
                    data=data() if data is not None else None,
                    headers=headers,
                    timeout=self._timeout(kind, deadline),
                ) as resp:
                    body = await resp.read()
                    response = Response(method, str(resp.url), resp.status, resp.headers, body)
            except (TimeoutError, aiohttp.ClientError) as exc:
                error: BriaError = _connection_error(exc, method, url)
                retryable = True
                not_done = isinstance(exc, aiohttp.ClientConnectorError)
                status: int | None = None
            else:
                status = response.status
                if status in OK_STATUSES:
                    self._budget.record_success()
                    if billable:
                        self.submissions.on_success()
                    self._emit_request(method, url, status, started, attempt)
                    return response
                error = status_error(response)
                retryable = status in RETRYABLE_STATUSES
                not_done = status in NOT_DONE_STATUSES
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if status == 429 and billable:
                    self.submissions.on_rate_limited()
            finally:
                if billable:
                    await self.submissions.release()
            self._emit_request(method, url, status, started, attempt, error)
            allowed = not billable or not_done or retries.retry_billable_server_errors
            if not (retryable and allowed) or attempt >= retries.max_attempts:
                raise error
            delay = backoff_delay(attempt, retries, self._rng)
            if retry_after is not None:
                delay = max(delay, retry_after * retries.backoff_scale)
            if not deadline.allows(delay):
                raise _with_note(
                    error, f"not retried: waiting {delay:.1f}s would pass the call's deadline"
                )
            if not self._budget.try_spend():
                raise _with_note(error, "not retried: the client's retry budget is spent")
            reason = str(status) if status is not None else type(error).__name__
            logger.info("retrying %s %s in %.2fs after %s", method, url, delay, reason)
            hook = self._hooks.on_retry
            if hook is not None:
                emit(hook, RetryEvent(method=method, url=url, attempt=attempt, delay=delay,
                                      reason=reason))
            await asyncio.sleep(delay)

    def _emit_request(
        self,
        method: str,
        url: str,
        status: int | None,
        started: float,
        attempt: int,
        error: BaseException | None = None,
    ) -> None:
        elapsed = time.monotonic() - started
        logger.debug("%s %s -> %s in %.3fs", method, url, status, elapsed)
        hook = self._hooks.on_request
        if hook is None:
            return
        emit(
            hook,
            RequestEvent(
                method=method,
                url=url,
                status=status,
                elapsed=elapsed,
                attempt=attempt,
                error=None if error is None else str(error),
            ),
        )


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _connection_error(exc: BaseException, method: str, url: str) -> APIConnectionError:
    if isinstance(exc, TimeoutError):
        return APITimeoutError("no answer in time", method=method, url=url)
    return APIConnectionError(_describe(exc), method=method, url=url)


def _with_note(error: BriaError, note: str) -> BriaError:
    error.args = (f"{error.args[0]} ({note})", *error.args[1:])
    return error
