"""What `Transport.send` takes: one immutable Call (the request) carrying its RequestOptions.

Every API request is a Call: a submission, calling again, a status read, a training look.
Resources make the route's Call without options; the Job (or any other sender) hands it
the options of the client or ``with_options`` view it came from, so a view's timeouts and
retries reach every request it causes.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, NamedTuple, TypeVar

import aiohttp

from ._errors import ValidationError
from ._settings import RetrySettings, Settings, Timeouts

T = TypeVar("T")
TimeoutKind = Literal["quick", "upload", "sync_generation", "poll", "download"]
_KINDS: tuple[TimeoutKind, ...] = ("quick", "upload", "sync_generation", "poll", "download")


class Deadline:
    """A moment on the monotonic clock after which a call must give up; None: no deadline.
    (A slotted class: every request makes one, and calling a class costs less than making a
    NamedTuple.)"""

    __slots__ = ("at",)

    def __init__(self, at: float | None) -> None:
        self.at = at

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        return cls(None if seconds is None else time.monotonic() + seconds)

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def allows(self, wait: float) -> bool:
        left = self.remaining()
        return left is None or wait < left

    def cap(self, timeout: float) -> float:
        """The timeout for one attempt, never past the deadline."""
        left = self.remaining()
        return timeout if left is None else max(0.001, min(timeout, left))


class Extras(NamedTuple):
    """What a caller adds to a call's checked query and JSON body (``extra_query``,
    ``extra_body``): the keys they name win, every other checked field stays as it was; a
    None in the query drops that parameter."""

    query: Mapping[str, Any]
    body: Mapping[str, Any]


class RequestOptions:
    """How the requests of one client or one ``with_options`` view are sent: the timeout
    of each kind of attempt, the retry policy, headers added to the API token's, and what
    a call adds to its query and body (`extras`).

    Made once per client and per view, and per call only for a call given its own extras or
    timeout (`with_extras`); treat it as immutable.
    """

    __slots__ = ("_by_kind", "extras", "headers", "retries", "timeouts")

    def __init__(
        self,
        *,
        timeouts: Timeouts,
        retries: RetrySettings,
        headers: Mapping[str, str] | None = None,
        extras: Extras | None = None,
    ) -> None:
        self.timeouts = timeouts
        self.retries = retries
        #: Sent with every API request beside the API token (which they never replace),
        #: winning over the client's default headers and User-Agent.
        self.headers: Mapping[str, str] = dict(headers or {})
        #: Merged into each call's query and JSON body by the transport (None: nothing).
        self.extras = extras
        self._by_kind = {
            kind: (
                aiohttp.ClientTimeout(total=getattr(timeouts, kind), sock_connect=timeouts.connect),
                max(getattr(timeouts, kind), timeouts.connect),
            )
            for kind in _KINDS
        }

    @classmethod
    def of(cls, settings: Settings) -> RequestOptions:
        """The options a client (or view) with `settings` sends with."""
        return cls(timeouts=settings.timeouts, retries=settings.retries)

    def with_extras(
        self,
        *,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        timeouts: Timeouts | None = None,
    ) -> RequestOptions:
        """These options with one call's own ``extra_headers`` (over these headers),
        ``extra_query``, ``extra_body`` (over these extras) and `timeouts`, all checked
        already (`_extras.check_extras`); these options themselves when none is given."""
        if headers is None and query is None and body is None and timeouts is None:
            return self
        extras = self.extras
        if query is not None or body is not None:
            old = extras or Extras({}, {})
            extras = Extras({**old.query, **(query or {})}, {**old.body, **(body or {})})
        return RequestOptions(
            timeouts=timeouts or self.timeouts,
            retries=self.retries,
            headers=merge_headers(self.headers, headers or {}),
            extras=extras,
        )

    def timeout(self, kind: TimeoutKind, deadline: Deadline) -> aiohttp.ClientTimeout:
        """One attempt's aiohttp timeout: the kind's own, cut short where the deadline is
        sooner."""
        timeout, longest = self._by_kind[kind]
        at = deadline.at
        if at is None or at - time.monotonic() >= longest:
            return timeout  # the usual attempt: the deadline is further off
        return aiohttp.ClientTimeout(
            total=deadline.cap(getattr(self.timeouts, kind)),
            sock_connect=deadline.cap(self.timeouts.connect),
        )


def merge_headers(base: Mapping[str, str], over: Mapping[str, str]) -> dict[str, str]:
    """`base` with `over`'s headers, which replace `base`'s of the same name in any case."""
    names = {name.lower() for name in over}
    return {**{k: v for k, v in base.items() if k.lower() not in names}, **over}


class Call(NamedTuple):
    """One API request, as a resource method prepared it (already validated); a NamedTuple,
    the cheapest immutable record, as one is made per request (`_replace` makes another).

    `prepare`, when set, runs once as the Job is sent, before the request: it returns the
    Call to send (for example with the JSON body once image files were read off the event
    loop and checked); its ValidationError fails the Job before anything is sent.
    """

    method: str
    #: Under the base URL of `version`.
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    #: A factory, so that a multipart or form body is rebuilt for each attempt.
    data: Callable[[], Any] | None = None
    kind: TimeoutKind = "quick"
    #: Creates paid work: repeated only where the server cannot have done it.
    billable: bool = False
    #: The API version whose base URL the path is under (1 or 2).
    version: int = 1
    #: False: sent once, never repeated, whatever the answer (v2 submissions).
    repeat: bool = True
    prepare: Callable[[Call], Awaitable[Call]] | None = None
    #: None: the transport's own (the client's settings).
    options: RequestOptions | None = None
    #: When the whole call (every attempt and wait) must give up; None: no deadline.
    deadline: Deadline | None = None
    #: The rate-limit endpoint it spends (its route's, from the route table); None: derived
    #: from the method and path (`_ratelimit.endpoint_of`).
    endpoint: str | None = None

    def sent_with(self, options: RequestOptions, deadline: Deadline | None) -> Call:
        """This request with the options and deadline it is sent under (positionally:
        cheaper than `_replace`, and made per request)."""
        return Call(
            self.method,
            self.path,
            self.params,
            self.json,
            self.data,
            self.kind,
            self.billable,
            self.version,
            self.repeat,
            self.prepare,
            options,
            deadline,
            self.endpoint,
        )


class Capture:
    """Where a raw-response call (``bria.with_raw_response``) keeps the Response of its
    first API request: set in `CAPTURE` by that call, filled by `Transport.send`. `closed`
    once the call returned, so that tasks begun in its context (the poller's) keep nothing."""

    __slots__ = ("closed", "response")

    def __init__(self) -> None:
        self.response: Any = None
        self.closed = False


#: The raw-response call running in this context, if any (None: the usual call).
CAPTURE: contextvars.ContextVar[Capture | None] = contextvars.ContextVar(
    "bria_async_capture", default=None
)


async def captured(sending: Awaitable[T], capture: Capture) -> T:
    """What `sending` answers, kept in `capture` when it is the first answer there."""
    response = await sending
    if capture.response is None and not capture.closed:
        capture.response = response
    return response


def with_extras(call: Call, extras: Extras) -> Call:
    """`call` with its options' extra query and JSON body merged over its own (once per
    call, before its first attempt). An extra body needs a JSON object (or no body) to go
    into: ValidationError, before anything is sent, for a form or a JSON array."""
    params = call.params
    if extras.query:
        params = {**(params or {}), **extras.query}
    body = call.json
    if extras.body:
        if call.data is not None or not (body is None or isinstance(body, Mapping)):
            raise ValidationError(
                "extra_body", extras.body, "none for this route, whose body is not a JSON object"
            )
        body = {**(body or {}), **extras.body}
    return call._replace(params=params, json=body)
