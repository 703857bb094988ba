"""The poller's entries: each watch follows one pending thing of a job, one step when due.

    placeholder  probes one placeholder URL until it holds its image
    call         runs a check (call again, training status) until it says done
    status       reads one v2 job's ``/v2/status/{request_id}`` until it is final

A placeholder is probed with ``GET`` and ``Range: bytes=0-0``, reading at most a few bytes
whether or not the host honours Range (200/206 whose first bytes can begin an image: ready;
403/404/416, an empty body or one that cannot be an image, such as an HTML page: not yet;
429/5xx or a broken connection: retry with backoff; other 4xx: failed), the first time near
the route's expected ready time, learned from what this client observed (`RouteTimes`).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ._errors import (
    APIConnectionError,
    NotFoundError,
    RateLimitError,
    RequestExpiredError,
    ServerError,
)
from ._events import PollEvent, emit, logger
from ._files import could_be_result
from ._request import Call, Deadline
from ._retry import parse_retry_after

if TYPE_CHECKING:
    from ._followed import Followed
    from ._poller import Poller
    from ._transport import Response

_NOT_YET = frozenset({403, 404, 416})


class Outcome(str, enum.Enum):
    """What one probe found: the image is ready, not yet, worth another try, or never coming;
    or the entry's window ended before any of that."""

    READY = "ready"
    PENDING = "pending"
    RETRY = "retry"
    FAILED = "failed"
    EXPIRED = "expired"


Report = Callable[[Outcome, BaseException | None], None]


def watch_placeholder(
    poller: Poller,
    url: str,
    *,
    route: str,
    job_id: str,
    waited: float,
    window: float,
    on_outcome: Report,
) -> PlaceholderWatch:
    """Probe `url` of job `job_id`, submitted `waited` seconds ago, for at most `window`
    more seconds."""
    now = time.monotonic()
    first = poller.times.first_delay(route) - waited
    entry = PlaceholderWatch(
        poller, url, route, job_id, now - waited, now + window, on_outcome, late=first <= 0
    )
    poller.schedule(entry, max(0.0, first))
    return entry


def watch_call(
    poller: Poller,
    check: Callable[[], Awaitable[bool]],
    *,
    job_id: str,
    interval: float,
    window: float,
    on_outcome: Report,
    first: float | None = None,
) -> CallWatch:
    """Run `check` of job `job_id` every `interval` seconds (the first after `first`,
    default `interval`) until it returns True, for at most `window` seconds."""
    entry = CallWatch(check, interval, time.monotonic() + window, on_outcome, job_id)
    poller.schedule(entry, interval if first is None else first)
    return entry


def watch_status(
    job: Followed,
    request_id: str,
    deliver: Callable[[Any], bool],
    *,
    not_before: float | None = None,
) -> StatusWatch:
    """Read the status of v2 job `job` (its `request_id`) for one polling window, first near
    its route's learned ready time (not sooner than `not_before` seconds after submission);
    `deliver(body)` settles the job with a status and says whether it was final."""
    runtime = job.runtime
    poller = runtime.poller
    waited = max(0.0, time.time() - job.submitted_at)
    first = poller.times.first_delay(job.kind)
    if not_before is not None:
        first = max(first, not_before)
    now = time.monotonic()
    watch = StatusWatch(
        job,
        request_id,
        deliver,
        started=now - waited,
        deadline=now + runtime.settings.polling.job_timeout,
        late=first <= waited,
    )
    poller.schedule(watch, max(0.0, first - waited))
    return watch


class PlaceholderWatch:
    """Probes one placeholder URL until it is ready, fails, or its window expires."""

    __slots__ = (
        "_errors",
        "_last_pending",
        "_late",
        "_poller",
        "_started",
        "cancelled",
        "deadline",
        "job_id",
        "on_outcome",
        "probes",
        "route",
        "url",
    )

    def __init__(
        self,
        poller: Poller,
        url: str,
        route: str,
        job_id: str,
        started: float,
        deadline: float,
        on_outcome: Report,
        *,
        late: bool,
    ) -> None:
        self._poller = poller
        self.url = url
        self.route = route
        self.job_id = job_id
        self._started = started
        self.deadline = deadline
        self.on_outcome = on_outcome
        self.cancelled = False
        self.probes = 0
        self._errors = 0
        self._last_pending: float | None = None
        self._late = late

    def cancel(self) -> None:
        """Probe no more and report nothing (the job ended another way)."""
        self.cancelled = True

    def stop(self, error: BaseException) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.on_outcome(Outcome.FAILED, error)

    async def step(self) -> float | None:
        poller = self._poller
        now = time.monotonic()
        if now >= self.deadline:
            self.cancelled = True
            self.on_outcome(Outcome.EXPIRED, None)
            return None
        self.probes += 1
        waited = now - self._started
        status: int | None = None
        retry_after: float | None = None
        error: BaseException | None = None
        try:
            response = await poller.transport.fetch(self.url, headers={"Range": "bytes=0-0"})
        except APIConnectionError as exc:
            outcome, error = Outcome.RETRY, exc
        else:
            status = response.status
            outcome, retry_after = _probed(response)
        if poller.hooks.on_poll is not None:
            self._emit(status, outcome, waited, now)
        if self.cancelled:
            return None
        if outcome is Outcome.PENDING:
            self._errors = 0
            self._last_pending = waited
            return poller.next_interval(waited)
        if outcome is Outcome.RETRY:
            self._errors += 1
            logger.debug("probe of %s will be retried after %s", self.url, error or status)
            return poller.retry_delay(self._errors, retry_after)
        self.cancelled = True
        if outcome is Outcome.READY:
            poller.times.observe(self.route, self._last_pending, waited, late=self._late)
            self.on_outcome(Outcome.READY, None)
        else:
            self.on_outcome(Outcome.FAILED, _ProbeRefused(status))
        return None

    def _emit(self, status: int | None, outcome: Outcome, waited: float, now: float) -> None:
        hook = self._poller.hooks.on_poll
        assert hook is not None
        event = PollEvent(
            url=self.url,
            status=status,
            outcome=outcome.value,
            waited=waited,
            job_id=self.job_id,
            elapsed=time.monotonic() - now,
        )
        emit(hook, event)


def _probed(response: Response) -> tuple[Outcome, float | None]:
    """What a probe's answer says, and the Retry-After of one worth another try."""
    status = response.status
    if status in (200, 206) and could_be_result(response.body):
        return Outcome.READY, None
    if status in (200, 206) or status in _NOT_YET:
        return Outcome.PENDING, None
    if status == 429 or status >= 500:
        return Outcome.RETRY, parse_retry_after(response.headers.get("Retry-After"))
    return Outcome.FAILED, None


class _ProbeRefused(Exception):
    """The storage host answered a probe with a status that means the image will never come."""

    def __init__(self, status: int | None) -> None:
        self.status = status
        super().__init__(f"the placeholder answered {status}")


class CallWatch:
    """Runs an async check every `interval` until it says done (205 retries, training), or
    until its window ends (`on_outcome(EXPIRED)`); an exception it raises fails the job."""

    __slots__ = ("_check", "_interval", "_on_outcome", "cancelled", "deadline", "job_id")

    def __init__(
        self,
        check: Callable[[], Awaitable[bool]],
        interval: float,
        deadline: float,
        on_outcome: Report,
        job_id: str,
    ) -> None:
        self._check = check
        self.job_id = job_id
        self._interval = interval
        self._on_outcome = on_outcome
        self.deadline = deadline
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def stop(self, error: BaseException) -> None:
        if not self.cancelled:
            self.cancelled = True
            self._on_outcome(Outcome.FAILED, error)

    async def step(self) -> float | None:
        if time.monotonic() >= self.deadline:
            self.cancelled = True
            self._on_outcome(Outcome.EXPIRED, None)
            return None
        try:
            finished = await self._check()
        except Exception as exc:
            self.stop(exc)
            return None
        if finished or self.cancelled:
            self.cancelled = True
            return None
        return self._interval


class StatusWatch:
    """The poller entry of one v2 job: one status call per step, backing off while it is not
    final; rate limits and server errors (after the transport's own retries) back it off."""

    __slots__ = (
        "_deliver",
        "_errors",
        "_job",
        "_last_pending",
        "_late",
        "_started",
        "cancelled",
        "deadline",
        "request_id",
    )

    def __init__(
        self,
        job: Followed,
        request_id: str,
        deliver: Callable[[Any], bool],
        *,
        started: float,
        deadline: float,
        late: bool,
    ) -> None:
        self._job = job
        self.request_id = request_id
        self._deliver = deliver
        self._started = started
        self._late = late  # older than the first delay when watched: see RouteTimes
        self.deadline = deadline
        self.cancelled = False
        self._errors = 0
        self._last_pending: float | None = None

    @property
    def job_id(self) -> str:
        return self._job.id

    def cancel(self) -> None:
        self.cancelled = True

    def stop(self, error: BaseException) -> None:
        if not self.cancelled:
            self.cancelled = True
            self._job.fail(error)

    async def step(self) -> float | None:
        job = self._job
        poller = job.runtime.poller
        now = time.monotonic()
        if now >= self.deadline:
            self.cancelled = True
            job.stall()
            return None
        waited = now - self._started
        call = Call(
            "GET",
            f"/status/{self.request_id}",
            kind="poll",
            version=2,
            options=job.runtime.options,
            deadline=Deadline(self.deadline),
        )
        status: int | None = None
        try:
            response = await poller.transport.send(call)
            status = response.status
            body = response.json()
        except NotFoundError as exc:
            self.stop(RequestExpiredError.of(exc, self.request_id))
            return None
        except (RateLimitError, ServerError, APIConnectionError) as exc:
            status = getattr(exc, "status", None)
            self._emit(status, Outcome.RETRY, waited)
            self._errors += 1
            if not isinstance(exc, RateLimitError):
                return poller.retry_delay(self._errors)
            # The Throttle paused the status endpoint for every job (its Retry-After): only
            # it pauses an endpoint; this watch backs off on its own.
            return poller.retry_delay(self._errors, exc.retry_after)
        if self.cancelled:
            return None
        final = self._deliver(body)
        self._emit(status, Outcome.READY if final else Outcome.PENDING, waited)
        if final:
            self.cancelled = True
            if job.succeeded():
                poller.times.observe(job.kind, self._last_pending, waited, late=self._late)
            return None
        self._errors = 0
        self._last_pending = waited
        return poller.next_interval(waited)

    def _emit(self, status: int | None, outcome: Outcome, waited: float) -> None:
        runtime = self._job.runtime
        hook = runtime.hooks.on_poll
        if hook is not None:
            url = f"{runtime.transport.v2_base_url}/status/{self.request_id}"
            event = PollEvent(
                url=url, status=status, outcome=outcome.value, waited=waited, job_id=self.job_id
            )
            emit(hook, event)
