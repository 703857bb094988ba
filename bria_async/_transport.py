"""The only module that talks to aiohttp for API calls: one session, retries, error mapping.

API requests carry the `api_token` header and never follow a redirect to another origin;
storage requests (placeholders, results) never carry it. Every body is read within a bound:
API answers up to `max_response_bytes`, downloads up to `max_download_bytes`, probes a few
bytes, error answers a few kilobytes.
"""

from __future__ import annotations

import asyncio
import functools
import json as jsonlib
import json.encoder as jsonenc
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit
from urllib.request import getproxies

import aiohttp
from aiohttp.helpers import parse_content_type
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import _forks
from ._errors import (
    APIConnectionError,
    APIRedirectError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    BriaError,
    ClientStateError,
    ConfigurationError,
    RateLimitTimeoutError,
    ResponseTooLargeError,
    error_class_for,
)
from ._events import Hooks, RequestEvent, RetryEvent, current_job, emit, logger
from ._headers import user_agent
from ._json import loads
from ._limiter import AdaptiveLimiter
from ._ratelimit import LocalRateLimiter, RateLimiter, Throttle, account_of, endpoint_of
from ._redact import redact_url
from ._retry import (
    NOT_DONE_STATUSES,
    RETRYABLE_STATUSES,
    Deadline,
    RetryBudget,
    backoff_delay,
    parse_retry_after,
)
from ._settings import Settings

#: What a timeout raises: on Python 3.10 asyncio's TimeoutError is not the built-in one.
TIMEOUTS = (TimeoutError, asyncio.TimeoutError)
TimeoutKind = Literal["quick", "upload", "sync_generation", "poll", "download"]
OK_STATUSES = frozenset({200, 201, 202, 204, 205, 208, 209})
_DOWNLOAD_OK = frozenset({200})
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-amz-request-id")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
#: API answers of these types are files (the mask generator's zip): capped as downloads.
_FILE_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
)
_PROBE_BYTES = 64
_ERROR_BODY_BYTES = 64 * 1024
#: What `_dumps` hands the C encoder: json.dumps' own defaults (its TypeError for a value
#: that is not JSON, ASCII escapes, separators), with a fresh circular reference check.
_make_encoder = jsonenc.c_make_encoder  # type: ignore[attr-defined]  # (typeshed lacks it)
_DEFAULT = jsonlib.JSONEncoder().default
_ESCAPE = jsonenc.encode_basestring_ascii


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


def _dumps(value: Any) -> str:
    """JSON text of a request body, as json.dumps writes it, made by the C encoder json.dumps
    ends in without its three Python layers (one body per request)."""
    if _make_encoder is None:  # an interpreter without the C accelerator
        return jsonlib.dumps(value)
    encode = _make_encoder({}, _DEFAULT, _ESCAPE, None, ": ", ", ", False, False, True)
    return "".join(encode(value, 0))


class Body:
    """A success body being read, never past `limit` bytes: Content-Length is checked up front
    and the bytes as they arrive; passing the limit closes the connection and raises
    ResponseTooLargeError, so the rest is never buffered."""

    def __init__(self, resp: aiohttp.ClientResponse, *, method: str, url: str, limit: int) -> None:
        self._resp = resp
        self._method = method
        self.url = url
        self.limit = limit
        self._size = 0
        declared = resp.content_length
        if declared is not None and declared > limit:
            self._too_large()

    @property
    def status(self) -> int:
        return self._resp.status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._resp.headers

    async def read(self) -> bytes:
        """The next bytes that arrived (b"" at the end)."""
        chunk = await self._resp.content.readany()
        self._size += len(chunk)
        if self._size > self.limit:
            self._too_large()
        return chunk

    async def read_all(self) -> bytes:
        """The whole body, chunk by chunk as it arrives (checked against the limit)."""
        chunks = []
        while chunk := await self.read():
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> None:
        self._resp.close()
        raise ResponseTooLargeError(method=self._method, url=self.url, limit=self.limit)


async def _read_head(resp: aiohttp.ClientResponse, size: int) -> bytes:
    """At most the first `size` bytes of the body; the connection is closed (not pooled
    half-read) when more would have followed."""
    head = b""
    while len(head) < size and (chunk := await resp.content.read(size - len(head))):
        head += chunk
    if not resp.content.at_eof():
        resp.close()
    return head


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
        headers=_answer_headers(response.headers),
    )
    error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
    return error


def _answer_headers(headers: CIMultiDictProxy[str]) -> CIMultiDictProxy[str]:
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


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    return host in {"localhost", "::1"} or host.startswith("127.")


def check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    """The base URL without a trailing slash; plain http only to loopback unless allowed."""
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {redact_url(base_url)!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not allow_insecure_http:
        raise ConfigurationError(
            f"base_url {redact_url(base_url)!r} is plain http to a host that is not loopback: "
            "the API token would travel unencrypted. Use https, or pass allow_insecure_http=True."
        )
    return base_url.rstrip("/")


def versioned_base_urls(base_url: str) -> tuple[str, str]:
    """The v1 and v2 base URLs of one checked base URL: a trailing ``/v1`` (or ``/v2``) is
    swapped for the other; a base URL without a version gets ``/v1`` and ``/v2`` appended.
    So one ``BRIA_BASE_URL`` (and one emulator) serves both API versions."""
    head, _, last = base_url.rpartition("/")
    if last in ("v1", "v2") and urlsplit(head).hostname:
        return f"{head}/v1", f"{head}/v2"
    return f"{base_url}/v1", f"{base_url}/v2"


class Transport:
    """Sends API requests with retries and maps statuses to errors; fetches storage URLs."""

    def __init__(
        self,
        *,
        base_url: str,
        token: Callable[[], Secret],
        settings: Settings,
        hooks: Hooks,
        v2_base_url: str | None = None,
        rate_limiter: RateLimiter | None = None,
        headers: Mapping[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.base_url = base_url
        self.v2_base_url = v2_base_url or versioned_base_urls(base_url)[1]
        self._origin = _origin(URL(base_url))
        self._token = token
        self._settings = settings
        # per kind: the settings' timeouts, and the longest of them
        self._timeouts: dict[str, tuple[aiohttp.ClientTimeout, float]] = {}
        self._hooks = hooks
        self._rng = random.Random()
        self._budget = RetryBudget(settings.retries)
        self.submissions = AdaptiveLimiter(settings.max_submissions)
        #: Per-endpoint rates (None without `settings.rate_limits`), on `rate_limiter` or
        #: on a limiter of this client's own.
        self.throttle = (
            None
            if settings.rate_limits is None
            else Throttle(
                settings.rate_limits,
                rate_limiter if rate_limiter is not None else LocalRateLimiter(),
                backoff_scale=settings.retries.backoff_scale,
            )
        )
        #: What every API request carries but the token: the User-Agent, then the caller's
        #: default headers (which may replace it).
        self._headers = {"User-Agent": user_agent(), **(headers or {})}
        self._credentials_of: tuple[dict[str, str], str] | None = None
        self._session: aiohttp.ClientSession | None = session
        #: Whether the session is this transport's to close (not a caller's `session`).
        self._owns_session = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        #: Whether this process is a child forked after the transport was made: then it
        #: sends nothing, and its session is left untouched to the parent.
        self.forked = False
        _forks.watch(self)

    def _after_fork_in_child(self) -> None:
        self.forked = True
        session, self._session, self._loop = self._session, None, None
        if session is not None:
            _forks.leave_to_parent(session)

    @property
    def session(self) -> aiohttp.ClientSession:
        """The client's one aiohttp session, opened in the running loop on first use (or the
        caller's `session`, used in its own loop only, while its owner keeps it open).

        The session made here takes proxies from the environment (HTTP_PROXY, HTTPS_PROXY,
        NO_PROXY) when one is set: aiohttp's `trust_env`, which looks them up (and ~/.netrc)
        on each request, so it is left off when no proxy variable is set."""
        loop = asyncio.get_running_loop()
        session = self._session
        if (
            session is not None
            and loop is self._loop
            and (self._owns_session or not session.closed)
        ):
            return session  # the usual request: open, and in its own loop
        if self.forked:
            raise _forks.forked_error("BriaClient")
        if self._closed:
            raise ClientStateError("this BriaClient is closed; open a new one")
        if self._loop is not None and loop is not self._loop:
            raise ClientStateError(
                "this BriaClient belongs to another event loop: create one client per loop "
                "(for example inside your FastAPI lifespan), do not share it across loops"
            )
        if session is not None and not self._owns_session:
            if session.closed:
                raise ClientStateError(
                    "the aiohttp session given as session= was closed by its owner: keep it "
                    "open while the client is used"
                )
            if (
                session._loop is not loop
            ):  # aiohttp has no public way to ask (its .loop is deprecated)
                raise ClientStateError(
                    "the aiohttp session given as session= belongs to another event loop: "
                    "make it in the loop the client runs in"
                )
            self._loop = loop
        if self._session is None:
            self._loop = loop
            connector = aiohttp.TCPConnector(
                limit=self._settings.max_connections,
                ttl_dns_cache=self._settings.dns_cache_ttl,
                keepalive_timeout=self._settings.keepalive_timeout,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                raise_for_status=False,
                auto_decompress=True,
                json_serialize=_dumps,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=_proxies_in_env(),
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
        if self.forked:
            return  # the connections and the rate limiter's are the parent's
        if self._session is not None:
            if self._owns_session:
                await self._session.close()
            self._session = None
        if self.throttle is not None:
            await self.throttle.limiter.aclose()

    def _timeout(
        self, kind: TimeoutKind, deadline: Deadline, settings: Settings | None = None
    ) -> aiohttp.ClientTimeout:
        """The attempt's timeouts: the client settings' own (made once per kind) unless the
        deadline comes sooner, or a call's own `settings` (``with_options``) set others."""
        if settings is None or settings is self._settings:
            cached = self._timeouts.get(kind)
            if cached is None:
                t = self._settings.timeouts
                total, connect = getattr(t, kind), t.connect
                cached = self._timeouts[kind] = (
                    aiohttp.ClientTimeout(total=total, sock_connect=connect),
                    max(total, connect),
                )
            timeout, longest = cached
            if deadline.at is None or deadline.at - time.monotonic() >= longest:
                return timeout  # the usual attempt: the deadline is further off
        t = (settings or self._settings).timeouts
        total, connect = getattr(t, kind), t.connect
        return aiohttp.ClientTimeout(total=deadline.cap(total), sock_connect=deadline.cap(connect))

    async def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        kind: TimeoutKind = "poll",
        deadline: Deadline | None = None,
    ) -> Response:
        """One GET of a storage URL (a probe), without the API token and without retries.

        The response's body holds at most the first 64 bytes, whether or not the host
        honoured a Range header: enough to tell an image from an error page.
        """
        deadline = deadline or Deadline(None)
        try:
            async with self.session.get(
                url, headers=dict(headers or {}), timeout=self._timeout(kind, deadline)
            ) as resp:
                head = await _read_head(resp, _PROBE_BYTES)
                return Response("GET", url, resp.status, resp.headers, head)
        except (*TIMEOUTS, aiohttp.ClientError) as exc:
            raise _connection_error(exc, "GET", url) from exc

    async def download(
        self,
        url: str,
        consume: Callable[[Body], Awaitable[None]],
        *,
        deadline: Deadline | None = None,
    ) -> None:
        """GET a storage URL without the API token, under the one retry policy of API calls
        (backoff, Retry-After, the retry budget, the deadline); `consume` reads a 200's body,
        capped at `max_download_bytes`, and starts over if a broken transfer is retried."""

        async def once(timeout: aiohttp.ClientTimeout) -> Response:
            async with self.session.get(url, timeout=timeout) as resp:
                if resp.status != 200:
                    return await _error_response("GET", url, resp)
                await consume(
                    Body(resp, method="GET", url=url, limit=self._settings.max_download_bytes)
                )
                return Response("GET", url, resp.status, resp.headers, b"")

        await self._send(
            "GET",
            url,
            once,
            ok=_DOWNLOAD_OK,
            kind="download",
            billable=False,
            deadline=deadline or Deadline(None),
        )

    def request(
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
        version: int = 1,
        repeat: bool = True,
        settings: Settings | None = None,
    ) -> Coroutine[Any, Any, Response]:
        """Send an API request, retrying what is safe to retry; return a success response.
        (A plain function returning the sending coroutine: one coroutine layer less.)

        `data` is a factory so that a multipart body is rebuilt for each attempt. A billable
        request (one that creates paid work) is repeated only where the server cannot have
        done the work, unless the settings allow more. A redirect is followed only within
        the API's origin (the token goes nowhere else): to another origin it raises
        APIRedirectError. Raises the typed error otherwise. `version` 2 sends it under the
        v2 base URL (same origin, same token). `repeat=False` sends it once whatever
        happens (v2 submissions: Bria has no idempotency key). `settings` replaces the
        client's timeouts and retry policy for this call (a ``with_options`` view's).
        """
        url = (self.v2_base_url if version == 2 else self.base_url) + path
        headers, account = self._credentials()
        query = {k: _query_value(v) for k, v in params.items() if v is not None} if params else {}

        async def once(timeout: aiohttp.ClientTimeout) -> Response:
            target: str | URL = url  # a string until a redirect: aiohttp parses it once
            verb, query_now, body_json, body_data = method, query, json, data
            for _ in range(_MAX_REDIRECTS + 1):
                async with self.session.request(
                    verb,
                    target,
                    params=query_now or None,
                    json=body_json,
                    data=body_data() if body_data is not None else None,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                ) as resp:
                    location = resp.headers.get("Location")
                    if resp.status not in _REDIRECT_STATUSES or not location:
                        return await self._api_response(verb, url, str(target), resp)
                    await _read_head(resp, _ERROR_BODY_BYTES)
                    target = _redirect_target(verb, url, resp, location, self._origin)
                    query_now = {}
                    if resp.status == 303 or (resp.status in (301, 302) and verb == "POST"):
                        verb, body_json, body_data = "GET", None, None
            raise APIRedirectError(
                f"more than {_MAX_REDIRECTS} redirects in a row",
                method=method,
                url=url,
                status=resp.status,
                location=str(target),
            )

        return self._send(
            method,
            url,
            once,
            ok=OK_STATUSES,
            kind=kind,
            billable=billable,
            deadline=deadline or Deadline(None),
            repeat=repeat,
            settings=settings,
            rated=None if self.throttle is None else (account, endpoint_of(method, path, version)),
        )

    def _credentials(self) -> tuple[dict[str, str], str]:
        """The API token's header, and the hash naming its account in rate limiter keys: made
        on the first request (a client's token is fixed; aiohttp copies the headers it is
        given, so one dict serves all). Without a token, each request raises."""
        made = self._credentials_of
        if made is None:
            token = self._token().reveal()
            made = self._credentials_of = (
                {**self._headers, "api_token": token},
                account_of(token),
            )
        return made

    async def _api_response(
        self, method: str, url: str, answered: str, resp: aiohttp.ClientResponse
    ) -> Response:
        """The response to a request of `url`, answered by `answered` (where a redirect led;
        as a string already made, where ``str(resp.url)`` would make it again)."""
        if resp.status not in OK_STATUSES:
            return await _error_response(method, url, resp)
        s = self._settings
        is_file = _is_file_type(resp.headers.get("Content-Type"))
        limit = s.max_download_bytes if is_file else s.max_response_bytes
        declared = resp.content_length
        if declared is not None and declared <= limit and "Content-Encoding" not in resp.headers:
            body = await resp.read()  # the usual answer: its length declared, and allowed
        else:
            body = await Body(resp, method=method, url=url, limit=limit).read_all()
        return Response(method, answered, resp.status, resp.headers, body)

    async def _send(
        self,
        method: str,
        url: str,
        once: Callable[[aiohttp.ClientTimeout], Awaitable[Response]],
        *,
        ok: frozenset[int],
        kind: TimeoutKind,
        billable: bool,
        deadline: Deadline,
        repeat: bool = True,
        settings: Settings | None = None,
        rated: tuple[str, str] | None = None,
    ) -> Response:
        """Run `once` (one attempt) until it answers a status in `ok`, under the client's one
        retry policy: backoff with jitter, Retry-After, the retry budget and the deadline.
        With `rated` (account, endpoint), each attempt first waits for its slot under the
        endpoint's rate limit (inside the submission slot of a billable one)."""
        if self.forked:  # before the rate limiter, whose connections are the parent's too
            raise _forks.forked_error("BriaClient")
        throttle = self.throttle if rated is not None else None
        retries = (settings or self._settings).retries
        attempt = 0
        maybe_done = False  # an earlier attempt may have done the work before it failed
        while True:
            attempt += 1
            started = time.monotonic()
            retry_after: float | None = None
            status: int | None = None
            waited = False
            if billable and not self.submissions.try_acquire():
                await self.submissions.acquire()
            try:
                if throttle is not None and rated is not None:
                    wait = throttle.reserve_now(rated, deadline)  # no await where none is due
                    if wait != 0.0:
                        waited = await throttle.acquire(rated, deadline, reserved=wait)
                        started = time.monotonic()  # the wait for its slot is not the request's
                response = await once(self._timeout(kind, deadline, settings))
            except RateLimitTimeoutError:
                raise  # nothing was sent (and it is a TimeoutError: not one to retry)
            except (*TIMEOUTS, aiohttp.ClientError) as exc:
                error: BriaError = _connection_error(exc, method, url)
                retryable = True
                not_done = isinstance(exc, aiohttp.ClientConnectorError)
            except BriaError as exc:  # a refused redirect, a body too large: never repeated
                error, retryable, not_done = exc, False, False
            else:
                status = response.status
                if status in ok:
                    self._budget.record_success()
                    if waited and throttle is not None and rated is not None:
                        throttle.on_success(rated, waited)
                    if billable:
                        self.submissions.on_success()
                    if self._hooks.on_request is not None or logger.isEnabledFor(logging.DEBUG):
                        self._emit_request(method, url, status, started, attempt)
                    return response
                if status == 404 and maybe_done and method == "DELETE":
                    # the attempt that broke deleted it: gone is what was asked for
                    logger.info("%s %s answered 404 after a failed attempt: done", method, url)
                    self._emit_request(method, url, status, started, attempt)
                    return Response(method, response.url, 204, response.headers, b"")
                error = status_error(response)
                retryable = status in RETRYABLE_STATUSES
                not_done = status in NOT_DONE_STATUSES
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if status == 429 and billable:
                    self.submissions.on_rate_limited()
                if status == 429 and throttle is not None and rated is not None:
                    await throttle.on_rate_limited(rated, retry_after)
            finally:
                if billable:
                    self.submissions.release()
            self._emit_request(method, url, status, started, attempt, error)
            maybe_done = maybe_done or not not_done
            allowed = not billable or not_done or retries.retry_billable_server_errors
            # Under rate limits a 429 is waited out within the deadline, spending neither
            # attempts nor the retry budget: its Retry-After (the wait, without backoff) paused
            # the endpoint for everyone (polls are rescheduled by the poller instead).
            waits_out = (
                status == 429
                and throttle is not None
                and deadline.at is not None
                and kind != "poll"
            )
            if not (retryable and allowed and repeat) or (
                attempt >= retries.max_attempts and not waits_out
            ):
                raise error
            delay = backoff_delay(attempt, retries, self._rng)
            if retry_after is not None:
                scaled = retry_after * retries.backoff_scale
                delay = scaled if waits_out else max(delay, scaled)
            if not deadline.allows(delay):
                raise _with_note(
                    error, f"not retried: waiting {delay:.1f}s would pass the call's deadline"
                )
            if not waits_out and not self._budget.try_spend():
                raise _with_note(error, "not retried: the client's retry budget is spent")
            reason = str(status) if status is not None else type(error).__name__
            logger.info("retrying %s %s in %.2fs after %s", method, url, delay, reason)
            hook = self._hooks.on_retry
            if hook is not None:
                emit(
                    hook,
                    RetryEvent(method=method, url=url, attempt=attempt, delay=delay, reason=reason),
                )
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
        if logger.isEnabledFor(logging.DEBUG):
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
                error_type=None if error is None else type(error).__name__,
                job_id=current_job.get(),
            ),
        )


async def _error_response(method: str, url: str, resp: aiohttp.ClientResponse) -> Response:
    """An error answer with at most its first 64 KiB of body: enough for the message."""
    body = await _read_head(resp, _ERROR_BODY_BYTES)
    return Response(method, str(resp.url), resp.status, resp.headers, body)


@functools.lru_cache(maxsize=64)
def _is_file_type(content_type: str | None) -> bool:
    """Whether a Content-Type header names a file type, read as aiohttp reads it (none at all
    is application/octet-stream); cached, as an API answers with a handful of values."""
    if content_type is None:
        return "application/octet-stream" in _FILE_TYPES
    return parse_content_type(content_type)[0] in _FILE_TYPES


def _proxies_in_env() -> bool:
    """Whether the environment names an HTTP(S) proxy (``getproxies``, as aiohttp reads it)."""
    return not {"http", "https"}.isdisjoint(getproxies())


def _origin(url: URL) -> tuple[str, str | None, int | None]:
    return url.scheme, url.host, url.port


def _redirect_target(
    method: str,
    url: str,
    resp: aiohttp.ClientResponse,
    location: str,
    origin: tuple[str, str | None, int | None],
) -> URL:
    """Where a redirect of the API points, if it stays within the API's origin."""
    try:
        target = resp.url.join(URL(location))
    except ValueError:
        target = None
    if target is None or _origin(target) != origin:
        raise APIRedirectError(
            "not followed: it leaves the API's origin, and the API token goes nowhere else",
            method=method,
            url=url,
            status=resp.status,
            location=location,
        )
    return target


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _connection_error(exc: BaseException, method: str, url: str) -> APIConnectionError:
    if isinstance(exc, TIMEOUTS):
        return APITimeoutError("no answer in time", method=method, url=url)
    return APIConnectionError(_describe(exc), method=method, url=url)


def _with_note(error: BriaError, note: str) -> BriaError:
    error.args = (f"{error.args[0]} ({note})", *error.args[1:])
    return error
