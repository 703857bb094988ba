"""Strategies that repeat a request on the poller until it finishes the job: an info route
called again while it answers 205, a training followed until its status is final."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import BadRequestError, BriaError, JobFailedError
from .._request import Call
from .._watches import Outcome, watch_call
from ._base import Completion

if TYPE_CHECKING:
    from .._followed import Followed
    from .._poller import Watch
    from .._runtime import Runtime

#: How often an info route's "call /info again" 400 is called again before it counts.
MAX_CALL_AGAIN_400 = 5


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
            self._watch = watch_call(
                self._job.runtime.poller,
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
