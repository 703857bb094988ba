"""The only module that talks to aiohttp for API calls: one session, retries, error mapping
(what an answer or a failed attempt raises is `_response`'s; the session is `_session`'s).

API requests carry the `api_token` header and never follow a redirect to another origin;
storage requests (placeholders, results) never carry it. Every body is read within a bound:
API answers up to `max_response_bytes`, downloads up to `max_download_bytes`, probes a few
bytes, error answers a few kilobytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

import aiohttp
from yarl import URL

from . import _forks
from ._attempts import Attempts
from ._bodies import ERROR_BODY_BYTES, PROBE_BYTES, Body, is_file_type, read_head
from ._errors import APIRedirectError, ClientStateError
from ._events import Hooks
from ._headers import user_agent
from ._ratelimit import RateLimiter, account_of, endpoint_of
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
from ._response import (
    TIMEOUTS,
    Response,
    connection_error,
    error_response,
    request_id_of,
)
from ._session import open_session
from ._settings import Settings
from ._urls import Secret, versioned_base_urls

#: Re-exported from `_response`: the resources read a `Response` from here, storage its
#: request id.
__all__ = ["OK_STATUSES", "Response", "Transport", "request_id_of"]

OK_STATUSES = frozenset({200, 201, 202, 204, 205, 208, 209})
_DOWNLOAD_OK = frozenset({200})
_NO_DEADLINE = Deadline(None)


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
        self._attempts = Attempts(settings, hooks, rate_limiter)
        #: The attempts' submission limiter and per-endpoint rates (None without
        #: `settings.rate_limits`), named here for whoever reads them.
        self.submissions = self._attempts.submissions
        self.throttle = self._attempts.throttle
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

        The session made here is `open_session`'s (proxies from the environment)."""
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
            self._session = open_session(self._settings)
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
            raise connection_error(exc, "GET", url) from exc

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
                    return await error_response("GET", url, resp)
                await consume(
                    Body(resp, method="GET", url=url, limit=self._settings.max_download_bytes)
                )
                return Response("GET", url, resp.status, resp.headers, b"")

        call = Call("GET", url, kind="download", options=self.options, deadline=deadline)
        await self._attempts.run(call, url, once, _DOWNLOAD_OK, None)

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
        sending = self._attempts.run(call, url, self._exchange, OK_STATUSES, rated)
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
            return await error_response(method, url, resp)
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


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
