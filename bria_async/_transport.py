"""The only module that talks to aiohttp for API calls: one session, retries, error mapping.

API requests carry the `api_token` header and never follow a redirect to another origin;
storage requests (placeholders, results) never carry it. Every body is read within a bound:
API answers up to `max_response_bytes`, downloads up to `max_download_bytes`, probes a few
bytes, error answers a few kilobytes.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import json.encoder as jsonenc
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, NamedTuple
from urllib.request import getproxies

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import _forks
from ._bodies import ERROR_BODY_BYTES, PROBE_BYTES, Body, is_file_type, read_head
from ._errors import (
    APIConnectionError,
    APIRedirectError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    BriaError,
    ClientStateError,
    RateLimitTimeoutError,
    error_class_for,
)
from ._events import Hooks, RequestEvent, RetryEvent, current_job, emit, logger
from ._headers import user_agent
from ._json import loads
from ._limiter import AdaptiveLimiter
from ._ratelimit import LocalRateLimiter, RateLimiter, Throttle, account_of, endpoint_of
from ._redirects import MAX_REDIRECTS, REDIRECT_STATUSES, origin_of, redirect_target
from ._request import (
    CAPTURE,
    Call,
    Deadline,
    RequestOptions,
    TimeoutKind,
    captured,
    merge_headers,
    with_extras,
)
from ._retry import (
    Action,
    Attempt,
    Failure,
    Outcome,
    RetryBudget,
    decide,
    parse_retry_after,
)
from ._settings import Settings
from ._urls import Secret, versioned_base_urls

#: What a timeout raises: on Python 3.10 asyncio's TimeoutError is not the built-in one.
TIMEOUTS = (TimeoutError, asyncio.TimeoutError)
OK_STATUSES = frozenset({200, 201, 202, 204, 205, 208, 209})
_DOWNLOAD_OK = frozenset({200})
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-amz-request-id")
_NO_DEADLINE = Deadline(None)
#: What `_dumps` hands the C encoder: json.dumps' own defaults (its TypeError for a value
#: that is not JSON, ASCII escapes, separators), with a fresh circular reference check.
_make_encoder = jsonenc.c_make_encoder  # type: ignore[attr-defined]  # (typeshed lacks it)
_DEFAULT = jsonlib.JSONEncoder().default
_ESCAPE = jsonenc.encode_basestring_ascii


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
        self._origin = origin_of(URL(base_url))
        self._token = token
        self._settings = settings
        #: How calls without options of their own are sent (the client's settings).
        self.options = RequestOptions.of(settings)
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
        timeout = self.options.timeout(kind, deadline or _NO_DEADLINE)
        try:
            async with self.session.get(url, headers=dict(headers or {}), timeout=timeout) as resp:
                head = await read_head(resp, PROBE_BYTES)
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

        async def once(call: Call, url: str, timeout: aiohttp.ClientTimeout) -> Response:
            async with self.session.get(url, timeout=timeout) as resp:
                if resp.status != 200:
                    return await _error_response("GET", url, resp)
                await consume(
                    Body(resp, method="GET", url=url, limit=self._settings.max_download_bytes)
                )
                return Response("GET", url, resp.status, resp.headers, b"")

        call = Call("GET", url, kind="download", options=self.options, deadline=deadline)
        await self._attempts(call, url, once, _DOWNLOAD_OK, None)

    def send(self, call: Call) -> Coroutine[Any, Any, Response]:
        """Send an API request, retrying what `decide` allows; return a success response.
        (A plain function returning the sending coroutine: one coroutine layer less.)

        The call goes under the base URL of its API version (same origin, same token), with
        its options (the transport's own, the client's, when it has none) and its deadline.
        A redirect is followed only within the API's origin (the token goes nowhere else):
        to another origin it raises APIRedirectError. Raises the typed error otherwise.
        """
        options = call.options
        if options is None:
            call = call.sent_with(self.options, call.deadline)
        elif options.extras is not None:
            call = with_extras(call, options.extras)
        method, path, version = call.method, call.path, call.version
        url = (self.v2_base_url if version == 2 else self.base_url) + path
        rated = (
            None
            if self.throttle is None
            else (self._credentials()[1], call.endpoint or endpoint_of(method, path, version))
        )
        sending = self._attempts(call, url, self._exchange, OK_STATUSES, rated)
        capture = CAPTURE.get()
        if capture is None or capture.closed:
            return sending  # the usual call: nobody asked for its raw response
        return captured(sending, capture)

    async def _exchange(self, call: Call, url: str, timeout: aiohttp.ClientTimeout) -> Response:
        """One attempt of an API call, following redirects within the API's origin."""
        headers = self._credentials()[0]
        extra = call.options.headers if call.options is not None else None
        if extra:  # over the defaults and the User-Agent, never over the token
            headers = {**merge_headers(headers, extra), "api_token": headers["api_token"]}
        params = call.params
        query = {k: _query_value(v) for k, v in params.items() if v is not None} if params else {}
        target: str | URL = url  # a string until a redirect: aiohttp parses it once
        method, json, data = call.method, call.json, call.data
        for _ in range(MAX_REDIRECTS + 1):
            async with self.session.request(
                method,
                target,
                params=query or None,
                json=json,
                data=data() if data is not None else None,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            ) as resp:
                location = resp.headers.get("Location")
                if resp.status not in REDIRECT_STATUSES or not location:
                    return await self._api_response(method, url, str(target), resp)
                await read_head(resp, ERROR_BODY_BYTES)
                target = redirect_target(method, url, resp, location, self._origin)
                query = {}
                if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                    method, json, data = "GET", None, None
        raise APIRedirectError(
            f"more than {MAX_REDIRECTS} redirects in a row",
            method=call.method,
            url=url,
            status=resp.status,
            location=str(target),
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
        limit = (
            s.max_download_bytes
            if is_file_type(resp.headers.get("Content-Type"))
            else (s.max_response_bytes)
        )
        declared = resp.content_length
        if declared is not None and declared <= limit and "Content-Encoding" not in resp.headers:
            body = await resp.read()  # the usual answer: its length declared, and allowed
        else:
            body = await Body(resp, method=method, url=url, limit=limit).read_all()
        return Response(method, answered, resp.status, resp.headers, body)

    async def _attempts(
        self,
        call: Call,
        url: str,
        once: Callable[[Call, str, aiohttp.ClientTimeout], Awaitable[Response]],
        ok: frozenset[int],
        rated: tuple[str, str] | None,
    ) -> Response:
        """Run `once` (one attempt) until it answers a status in `ok` or `decide` says to
        stop. With `rated` (account, endpoint), each attempt first waits for its slot under
        the endpoint's rate limit (inside the submission slot of a billable one)."""
        if self.forked:  # before the rate limiter, whose connections are the parent's too
            raise _forks.forked_error("BriaClient")
        throttle = self.throttle if rated is not None else None
        options, method, billable = call.options, call.method, call.billable
        assert options is not None
        deadline = call.deadline or _NO_DEADLINE
        number = 0
        maybe_done = False  # an earlier attempt may have done the work before it failed
        while True:
            number += 1
            started = time.monotonic()
            waited = False
            response: Response | None = None
            error: BriaError | None = None
            if billable and not self.submissions.try_acquire():
                await self.submissions.acquire()
            try:
                if throttle is not None and rated is not None:
                    wait = throttle.reserve_now(rated, deadline)  # no await where none is due
                    if wait != 0.0:
                        waited = await throttle.acquire(rated, deadline, reserved=wait)
                        started = time.monotonic()  # the wait for its slot is not the request's
                response = await once(call, url, options.timeout(call.kind, deadline))
            except RateLimitTimeoutError:
                raise  # nothing was sent (and it is a TimeoutError: not one to retry)
            except (*TIMEOUTS, aiohttp.ClientError) as exc:
                error = _connection_error(exc, method, url)
                connect = isinstance(exc, aiohttp.ClientConnectorError)
                outcome = Outcome(failure=Failure.CONNECT if connect else Failure.BROKEN)
            except BriaError as exc:  # a refused redirect, a body too large: never repeated
                error, outcome = exc, Outcome(failure=Failure.REFUSED)
            else:
                status = response.status
                if status in ok:
                    self._budget.record_success()
                    if waited and throttle is not None and rated is not None:
                        throttle.on_success(rated, waited)
                    if billable:
                        self.submissions.on_success()
                    if self._hooks.on_request is not None or logger.isEnabledFor(logging.DEBUG):
                        self._emit_request(method, url, status, started, number)
                    return response
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                outcome = Outcome(status, None, retry_after)
                if status == 429 and billable:
                    self.submissions.on_rate_limited()
                if status == 429 and throttle is not None and rated is not None:
                    await throttle.on_rate_limited(rated, retry_after)
            finally:
                if billable:
                    self.submissions.release()
            attempt = Attempt(
                number,
                maybe_done,
                throttle is not None,
                self._budget.available(),
                self._rng.random(),
            )
            decision = decide(call, attempt, outcome)
            if decision.action is Action.GONE and response is not None:
                # the attempt that broke deleted it: gone is what was asked for
                logger.info("%s %s answered 404 after a failed attempt: done", method, url)
                self._emit_request(method, url, outcome.status, started, number)
                return Response(method, response.url, 204, response.headers, b"")
            if error is None and response is not None:
                error = status_error(response)
            assert error is not None
            self._emit_request(method, url, outcome.status, started, number, error)
            maybe_done = maybe_done or not outcome.not_done
            if decision.action is Action.RAISE:
                raise error if decision.note is None else _with_note(error, decision.note)
            if decision.action is Action.RETRY:
                self._budget.try_spend()
            delay = decision.delay
            reason = str(outcome.status) if outcome.status is not None else type(error).__name__
            logger.info("retrying %s %s in %.2fs after %s", method, url, delay, reason)
            hook = self._hooks.on_retry
            if hook is not None:
                emit(
                    hook,
                    RetryEvent(method=method, url=url, attempt=number, delay=delay, reason=reason),
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
    body = await read_head(resp, ERROR_BODY_BYTES)
    return Response(method, str(resp.url), resp.status, resp.headers, body)


def _proxies_in_env() -> bool:
    """Whether the environment names an HTTP(S) proxy (``getproxies``, as aiohttp reads it)."""
    return not {"http", "https"}.isdisjoint(getproxies())


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
