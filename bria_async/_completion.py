"""How a submitted Job reaches its result: one small strategy per way of finishing.

A route's JobSpec names a *plan* (frozen, shared by all its Jobs); after the submission the
plan begins a *completion* for one Job, which owns that Job's poller entries and state:

    Direct        the answer is the result
    Placeholders  ``sync=false``: wait until every placeholder URL holds its image
    CallAgain     an info route: call the same request again while it answers 205
    FollowStatus  training: read the model's status until it is final
    StatusURL     v2: read ``/v2/status/{request_id}`` until final, or take its webhook

Each completion can `start()`, `rearm()` after its window ended (the Job is then STALLED and
may be awaited again), `cancel()`, and say what its token must keep (`state()`). A new way
of finishing is a new plan and completion, not a flag.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import attrs

from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    BadRequestError,
    BriaError,
    JobFailedError,
    NotFoundError,
    RateLimitError,
    RequestExpiredError,
    ServerError,
    ValidationError,
)
from ._events import PollEvent, emit
from ._poller import Outcome, Watch
from ._request import Call, Deadline
from ._urls import is_loopback
from ._validation import require_bool, require_id
from .types.v2 import V2Status, parse_status

if TYPE_CHECKING:
    from ._followed import Followed
    from ._runtime import Runtime

#: How often an info route's "call /info again" 400 is called again before it counts.
MAX_CALL_AGAIN_400 = 5


class Completion:
    """One Job's way to its result once submitted; the base is also the Direct strategy."""

    #: What the job waits for when no placeholder URL is pending, said after its kind
    #: (for JobTimeoutError).
    waiting_for = "whose answer is not parsed yet"

    def __init__(self, job: Followed) -> None:
        self._job = job

    def start(self) -> None:
        """Begin following the job: the Direct answer is the result at once. Nothing is left
        to follow, so this lets go of the job: no Job <-> Completion cycle is left for the
        garbage collector, and a finished job is freed as soon as nobody holds it."""
        job = self._job
        del self._job
        job.complete()

    def rearm(self) -> None:
        """Follow the job again for a new window, after the last one ended."""

    def cancel(self) -> None:
        """Stop every poller entry of this job; nothing more will be reported."""

    @property
    def pending_urls(self) -> tuple[str, ...]:
        return ()

    def ready_images(self) -> Sequence[bool] | None:
        """Which images are ready before the job is done, or None if they come all at once."""
        return None

    def state(self) -> dict[str, Any]:
        """What a token must keep to resume this completion (see `Plan.restore`)."""
        return {}


class Plan(Protocol):
    """A route's way of finishing its Jobs, named by its JobSpec."""

    def begin(self, job: Followed, http_status: int) -> Completion:
        """The completion for `job`, whose submission answered `http_status`."""

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        """The completion for a job resumed from its token's `state`; raises ValueError,
        TypeError or ValidationError when the state or the job's context is not valid."""

    def not_final(self, error: BriaError) -> bool:
        """True if `error`, answered to the submission, means "call again" rather than fail."""


@attrs.frozen
class Direct:
    """The answer is the result: nothing to wait for."""

    def begin(self, job: Followed, http_status: int) -> Completion:
        return Completion(job)

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        return Completion(job)

    def not_final(self, error: BriaError) -> bool:
        return False


# --- placeholders ----------------------------------------------------------------------------
def check_placeholder_url(url: object, *, allow_insecure_http: bool) -> str:
    """`url` if it is an https URL with a host; plain http only to loopback, unless the
    client allows insecure http (the rule of the base URL)."""
    if not isinstance(url, str) or len(url) > 8192:
        raise ValueError(f"{url!r:.100} is not a URL")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"{url!r:.100} is not a URL: {exc}") from None
    if not host or any(c in url for c in "\r\n\t "):
        raise ValueError(f"{url!r:.100} is not a URL with a host")
    if parts.scheme == "https" or (
        parts.scheme == "http" and (allow_insecure_http or is_loopback(host))
    ):
        return url
    allowed = "an http(s)" if allow_insecure_http else "an https (or loopback http)"
    raise ValueError(f"{url!r:.100} is not {allowed} URL")


@attrs.frozen
class Placeholders:
    """``sync=false``: the answer lists placeholder URLs that later hold the images; the
    shared poller probes each until it is ready. A ``sync=true`` answer is the result."""

    urls: Callable[[Any], Sequence[str]]

    def begin(self, job: Followed, http_status: int) -> Completion:
        if job.context.get("sync"):
            return Completion(job)
        try:
            urls = tuple(self.urls(job.body))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            return _Failed(
                job,
                APIResponseValidationError(
                    f"the answer lists no placeholder URLs ({exc})",
                    job_id=job.id,
                    excerpt=repr(job.body)[:200],
                ),
            )
        return _PlaceholderCompletion.checked(job, urls, [False] * len(urls))

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        urls, ready = state.get("urls", []), state.get("ready", [])
        if not isinstance(urls, list) or not isinstance(ready, list):
            raise TypeError("urls and ready must be lists")
        if len(ready) != len(urls) or not all(isinstance(r, bool) for r in ready):
            raise ValueError("ready must hold one true or false per URL")
        for url in urls:
            check_placeholder_url(url, allow_insecure_http=job.runtime.allow_insecure_http)
        if not urls:
            return Completion(job)
        return _PlaceholderCompletion(job, tuple(urls), ready)

    def not_final(self, error: BriaError) -> bool:
        return False


class _Failed(Completion):
    """The answer cannot be followed: the job fails as it starts."""

    def __init__(self, job: Followed, error: BaseException) -> None:
        super().__init__(job)
        self._error = error

    def start(self) -> None:
        self._job.fail(self._error)


class _PlaceholderCompletion(Completion):
    """Probes each pending placeholder URL; done when all are ready."""

    def __init__(self, job: Followed, urls: tuple[str, ...], ready: list[bool]) -> None:
        super().__init__(job)
        self._urls = urls
        self._ready = ready
        self._watches: dict[int, Watch] = {}

    @classmethod
    def checked(cls, job: Followed, urls: tuple[str, ...], ready: list[bool]) -> Completion:
        """The completion, or one that fails the job at once if a URL cannot be probed."""
        for url in urls:
            try:
                check_placeholder_url(url, allow_insecure_http=job.runtime.allow_insecure_http)
            except ValueError as exc:
                return _Failed(
                    job,
                    APIResponseValidationError(
                        f"a placeholder URL cannot be fetched: {exc}", job_id=job.id, url=str(url)
                    ),
                )
        return cls(job, urls, ready) if urls else Completion(job)

    @property
    def pending_urls(self) -> tuple[str, ...]:
        return tuple(u for u, ok in zip(self._urls, self._ready, strict=True) if not ok)

    def ready_images(self) -> Sequence[bool]:
        return self._ready

    def state(self) -> dict[str, Any]:
        return {"urls": list(self._urls), "ready": list(self._ready)}

    def start(self) -> None:
        if not self._job.progress():
            return
        self.rearm()

    def rearm(self) -> None:
        if all(self._ready):
            self._job.complete()
            return
        job = self._job
        runtime = job.runtime
        waited = time.time() - job.submitted_at
        for i, url in enumerate(self._urls):
            if not self._ready[i] and i not in self._watches:
                self._watches[i] = runtime.poller.watch_placeholder(
                    url,
                    route=job.kind,
                    job_id=job.id,
                    waited=waited,
                    window=runtime.settings.polling.job_timeout,
                    on_outcome=self._reporter(i),
                )

    def cancel(self) -> None:
        for watch in self._watches.values():
            watch.cancel()
        self._watches.clear()

    def _reporter(self, i: int) -> Callable[[Outcome, BaseException | None], None]:
        def report(outcome: Outcome, error: BaseException | None) -> None:
            self._watches.pop(i, None)
            job = self._job
            if outcome is Outcome.READY:
                self._ready[i] = True
                if all(self._ready):
                    job.complete()
                else:
                    job.progress()
            elif outcome is Outcome.EXPIRED:
                self.cancel()  # the other URLs' windows end with this one: rearm() renews all
                job.stall()
            elif outcome is Outcome.FAILED:
                reason = str(error) if error is not None else "the image failed"
                job.fail(JobFailedError(reason, job_id=job.id, url=self._urls[i], cause=error))

        return report


# --- calling again ---------------------------------------------------------------------------
class _Repeating(Completion):
    """Runs `check()` on the poller every `interval` for a window, until it finishes the job."""

    def __init__(self, job: Followed, interval: float, window: float) -> None:
        super().__init__(job)
        self._interval = interval
        self._window = window
        self._watch: Watch | None = None

    def start(self) -> None:
        self.rearm()

    def rearm(self) -> None:
        if self._watch is None or self._watch.cancelled:
            self._watch = self._job.runtime.poller.watch_call(
                self._check,
                job_id=self._job.id,
                interval=self._interval,
                window=self._window,
                on_outcome=self._report,
            )

    def cancel(self) -> None:
        if self._watch is not None:
            self._watch.cancel()

    def _report(self, outcome: Outcome, error: BaseException | None) -> None:
        if outcome is Outcome.EXPIRED:
            self._job.stall()
        elif error is not None:
            self._job.fail(error)

    async def _check(self) -> bool:
        raise NotImplementedError


@attrs.frozen
class CallAgain:
    """An info route: while the visual is onboarding it answers 205 (or 400 "call /info
    again"); the same request, rebuilt by `call` from the job's validated context, is sent
    again every `info_interval` until it answers with the info."""

    call: Callable[[Mapping[str, Any]], Call]

    def begin(self, job: Followed, http_status: int) -> Completion:
        if http_status != 205:
            return Completion(job)
        return _CallAgainCompletion(job, self.call(job.context))

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        return self.begin(job, job.http_status or 200)

    def not_final(self, error: BriaError) -> bool:
        return is_call_again(error)


def is_call_again(error: BriaError) -> bool:
    """True for the reference's 400 "... Please call /info again." of the info routes."""
    return isinstance(error, BadRequestError) and "call /info again" in error.message.lower()


class _CallAgainCompletion(_Repeating):
    waiting_for = "whose visual is still onboarding (205)"

    def __init__(self, job: Followed, call: Call) -> None:
        polling = job.runtime.settings.polling
        super().__init__(job, polling.info_interval, polling.job_timeout)
        self._call = call
        self._refusals = 0

    async def _check(self) -> bool:
        call = self._call
        try:
            runtime = self._job.runtime
            response = await runtime.transport.send(call.sent_with(runtime.options, None))
        except BadRequestError as exc:
            self._refusals += 1
            if is_call_again(exc) and self._refusals < MAX_CALL_AGAIN_400:
                return False
            raise
        if response.status == 205:
            return False
        self._job.complete(response.json(), response.status)
        return True


# --- following a status ----------------------------------------------------------------------
class StatusEnded(Exception):
    """Raised by a FollowStatus `read` when the status is final and not a success."""

    def __init__(self, reason: str, cause: Any = None) -> None:
        self.reason = reason
        self.cause = cause
        super().__init__(reason)


@attrs.frozen(kw_only=True)
class FollowStatus:
    """Training: after the submission, `read(runtime, context)` every `interval` for at most
    `window` seconds; it returns the final body, None while not final, or raises StatusEnded.
    `check_context` validates what `read` will use (the ids) when a token is resumed."""

    read: Callable[[Runtime, Mapping[str, Any]], Awaitable[Any]]
    check_context: Callable[[Mapping[str, Any]], None]
    interval: Callable[[Runtime], float]
    window: Callable[[Runtime], float]

    def begin(self, job: Followed, http_status: int) -> Completion:
        return _FollowCompletion(job, self)

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        self.check_context(job.context)
        return _FollowCompletion(job, self)

    def not_final(self, error: BriaError) -> bool:
        return False


class _FollowCompletion(_Repeating):
    waiting_for = "whose status is not final yet"

    def __init__(self, job: Followed, plan: FollowStatus) -> None:
        runtime = job.runtime
        super().__init__(job, plan.interval(runtime), plan.window(runtime))
        self._plan = plan

    async def _check(self) -> bool:
        job = self._job
        try:
            body = await self._plan.read(job.runtime, job.context)
        except StatusEnded as ended:
            raise JobFailedError(ended.reason, job_id=job.id, cause=ended.cause) from ended
        if body is None:
            return False
        job.complete(body)
        return True


# --- v2: a status URL ------------------------------------------------------------------------
@attrs.frozen
class StatusURL:
    """v2: the answer (202) is ``{request_id, status_url}``; ``GET /v2/status/{request_id}``
    is read once per job, first near the route's learned ready time, then with backoff, until
    it is final, or a webhook delivered the status first (`bria.jobs.deliver`). The status
    path is rebuilt from the checked request id under the client's v2 base URL: the answer's
    `status_url` host is never called. A ``sync=true`` answer (200) is the result."""

    def begin(self, job: Followed, http_status: int) -> Completion:
        if job.context.get("sync"):
            return Completion(job)
        body = job.body
        try:
            request_id = require_id("request_id", body["request_id"])
        except (KeyError, TypeError, ValidationError) as exc:
            return _Failed(
                job,
                APIResponseValidationError(
                    f"the answer has no valid request_id ({exc})",
                    job_id=job.id,
                    status=http_status,
                    excerpt=repr(body)[:200],
                ),
            )
        return _StatusCompletion(job, request_id)

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        if require_bool("sync", job.context.get("sync", False)):
            return Completion(job)
        require_bool("webhook", job.context.get("webhook", False))
        return _StatusCompletion(job, require_id("request_id", state.get("request_id")))

    def not_final(self, error: BriaError) -> bool:
        return False


class _StatusCompletion(Completion):
    """Reads one v2 job's status on the shared poller; a delivered webhook settles it too."""

    waiting_for = "whose v2 status is not final yet"

    def __init__(self, job: Followed, request_id: str) -> None:
        super().__init__(job)
        self.request_id = request_id
        self._watch: _StatusWatch | None = None

    def state(self) -> dict[str, Any]:
        return {"request_id": self.request_id}

    def start(self) -> None:
        runtime = self._job.runtime
        runtime.v2_jobs[self.request_id] = self
        early = runtime.early_events.pop(self.request_id, None)
        if early is None or not self.deliver(early):
            self.rearm()

    def rearm(self) -> None:
        if self._watch is not None and not self._watch.cancelled:
            return
        job = self._job
        runtime = job.runtime
        polling = runtime.settings.polling
        waited = max(0.0, time.time() - job.submitted_at)
        first = runtime.poller.times.first_delay(job.kind)
        if job.context.get("webhook"):
            first = max(first, polling.webhook_grace)
        now = time.monotonic()
        self._watch = _StatusWatch(
            self, started=now - waited, deadline=now + polling.job_timeout, late=first <= waited
        )
        runtime.poller.schedule(self._watch, max(0.0, first - waited))

    def cancel(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        registry = self._job.runtime.v2_jobs
        if registry.get(self.request_id) is self:
            del registry[self.request_id]

    def deliver(self, body: Any) -> bool:
        """Settle the job with a status `body` (read or delivered); True if it was final."""
        job = self._job
        try:
            event = parse_status(body)
        except (KeyError, TypeError, ValueError) as exc:
            job.fail(
                APIResponseValidationError(
                    f"unexpected v2 status ({exc})", job_id=job.id, excerpt=repr(body)[:200]
                )
            )
            return True
        if event.request_id != self.request_id:
            return False
        if event.status is V2Status.COMPLETED:
            self.cancel()
            job.complete(event.body)
            return True
        if event.error is not None:
            error = event.error
            job.fail(
                JobFailedError(error.message, job_id=job.id, code=error.code, details=error.details)
            )
            return True
        return False


class _StatusWatch:
    """The poller entry of one v2 job: one status call per step, backing off while it is not
    final; rate limits and server errors (after the transport's own retries) back it off."""

    __slots__ = (
        "_completion",
        "_errors",
        "_last_pending",
        "_late",
        "_started",
        "cancelled",
        "deadline",
    )

    def __init__(
        self, completion: _StatusCompletion, *, started: float, deadline: float, late: bool
    ) -> None:
        self._completion = completion
        self._started = started
        self._late = late  # older than the first delay when watched: see RouteTimes
        self.deadline = deadline
        self.cancelled = False
        self._errors = 0
        self._last_pending: float | None = None

    @property
    def job_id(self) -> str:
        return self._completion._job.id

    def cancel(self) -> None:
        self.cancelled = True

    def stop(self, error: BaseException) -> None:
        if not self.cancelled:
            self.cancelled = True
            self._completion._job.fail(error)

    async def step(self) -> float | None:
        completion = self._completion
        job = completion._job
        poller = job.runtime.poller
        now = time.monotonic()
        if now >= self.deadline:
            self.cancelled = True
            job.stall()
            return None
        waited = now - self._started
        call = Call(
            "GET",
            f"/status/{completion.request_id}",
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
            self.stop(RequestExpiredError.of(exc, completion.request_id))
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
        final = completion.deliver(body)
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
        runtime = self._completion._job.runtime
        hook = runtime.hooks.on_poll
        if hook is not None:
            url = f"{runtime.transport.v2_base_url}/status/{self._completion.request_id}"
            event = PollEvent(
                url=url, status=status, outcome=outcome.value, waited=waited, job_id=self.job_id
            )
            emit(hook, event)
