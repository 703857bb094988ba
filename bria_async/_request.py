"""What `Transport.send` takes: one immutable Call (the request) carrying its RequestOptions.

Every API request is a Call: a submission, calling again, a status read, a training look.
Resources make the route's Call without options; the Job (or any other sender) hands it
the options of the client or ``with_options`` view it came from, so a view's timeouts and
retries reach every request it causes.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, NamedTuple

import aiohttp

from ._settings import RetrySettings, Settings, Timeouts

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


class RequestOptions:
    """How the requests of one client or one ``with_options`` view are sent: the timeout
    of each kind of attempt, the retry policy, and headers added to the API token's.

    Made once per client and per view, never per call (so each kind's aiohttp timeout is
    made once too); treat it as immutable.
    """

    __slots__ = ("_by_kind", "headers", "retries", "timeouts")

    def __init__(
        self,
        *,
        timeouts: Timeouts,
        retries: RetrySettings,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.timeouts = timeouts
        self.retries = retries
        #: Sent with every API request beside the API token (which they never replace).
        self.headers: Mapping[str, str] = dict(headers or {})
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
