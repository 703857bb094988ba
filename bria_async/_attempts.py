"""One request's attempts under the one retry policy: submission slots, rate limit slots,
what a 429 does to them, the events and log lines of each attempt, the sleeps between.

`decide` (in `_retry`) says what a failed attempt leads to; this does it. The success path
is `run`'s loop alone (no await or coroutine layer of its own): what only a failure needs is
left to the helpers.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

import aiohttp

from . import _forks
from ._errors import BriaError, RateLimitTimeoutError
from ._events import Hooks, RequestEvent, RetryEvent, current_job, emit, logger
from ._limiter import AdaptiveLimiter
from ._ratelimit import LocalRateLimiter, RateLimiter, Throttle
from ._request import Call, Deadline
from ._response import TIMEOUTS, Response, connection_error, status_error, with_note
from ._retry import Action, Attempt, Failure, Outcome, RetryBudget, decide, parse_retry_after
from ._settings import Settings

_NO_DEADLINE = Deadline(None)
_CONNECT = Outcome(failure=Failure.CONNECT)
_BROKEN = Outcome(failure=Failure.BROKEN)
_REFUSED = Outcome(failure=Failure.REFUSED)


class Attempts:
    """Runs the attempts of a client's requests: one retry budget, one submission limiter,
    one Throttle (with `settings.rate_limits`) for all of them."""

    def __init__(
        self, settings: Settings, hooks: Hooks, rate_limiter: RateLimiter | None = None
    ) -> None:
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
        #: Whether this process is a child forked after these were made: then nothing is
        #: sent, as the rate limiter's connections are the parent's.
        self.forked = False
        _forks.watch(self)

    def _after_fork_in_child(self) -> None:
        self.forked = True

    async def run(
        self,
        call: Call,
        url: str,
        once: Callable[[Call, str, aiohttp.ClientTimeout], Awaitable[Response]],
        ok: frozenset[int],
        rated: tuple[str, str] | None,
    ) -> Response:
        """Run `once` (one attempt) until it answers a status in `ok` or `decide` says to
        stop. With `rated` (account, endpoint), each attempt first waits for its slot under
        the endpoint's rate limit (inside the submission slot of a billable one). Only what a
        failed attempt leads to is left to helpers: the success path is this loop alone."""
        if self.forked:  # before the rate limiter, whose connections are the parent's too
            raise _forks.forked_error("BriaClient")
        throttle = self.throttle if rated is not None else None
        options, billable = call.options, call.billable
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
                if (
                    throttle is not None
                    and rated is not None
                    and (wait := throttle.reserve_now(rated, deadline)) != 0.0  # no await if 0
                ):
                    waited = await throttle.acquire(rated, deadline, reserved=wait)
                    started = time.monotonic()  # the wait for its slot is not the request's
                response = await once(call, url, options.timeout(call.kind, deadline))
            except (*TIMEOUTS, aiohttp.ClientError, BriaError) as exc:
                error, outcome = _failure(exc, call.method, url)
            else:
                if response.status in ok:
                    self._succeeded(call, url, response.status, started, number, waited, rated)
                    return response
                outcome = await self._error_answer(response, billable, rated)
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
            delay = self._after_failure(call, url, attempt, outcome, response, error, started)
            if isinstance(delay, Response):
                return delay
            maybe_done = maybe_done or not outcome.not_done
            await asyncio.sleep(delay)

    def _succeeded(
        self,
        call: Call,
        url: str,
        status: int,
        started: float,
        number: int,
        waited: bool,
        rated: tuple[str, str] | None,
    ) -> None:
        """Count an attempt answered with success: the retry budget, the rate limit slot
        `waited` for, the submission limiter, the events."""
        self._budget.record_success()
        if waited and self.throttle is not None and rated is not None:
            self.throttle.on_success(rated, waited)
        if call.billable:
            self.submissions.on_success()
        if self._hooks.on_request is not None or logger.isEnabledFor(logging.DEBUG):
            self._emit(call.method, url, status, started, number)

    async def _error_answer(
        self, response: Response, billable: bool, rated: tuple[str, str] | None
    ) -> Outcome:
        """The outcome of an answer out of the call's `ok` statuses; a 429 slows the
        submissions of a billable call and pauses the rate-limited endpoint."""
        status = response.status
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429 and billable:
            self.submissions.on_rate_limited()
        if status == 429 and self.throttle is not None and rated is not None:
            await self.throttle.on_rate_limited(rated, retry_after)
        return Outcome(status, None, retry_after)

    def _after_failure(
        self,
        call: Call,
        url: str,
        attempt: Attempt,
        outcome: Outcome,
        response: Response | None,
        error: BriaError | None,
        started: float,
    ) -> Response | float:
        """What a failed attempt leads to, as `decide` says: its error raised, a DELETE's
        404 answered as done (204), or the delay before the next attempt."""
        method, number = call.method, attempt.number
        decision = decide(call, attempt, outcome)
        if decision.action is Action.GONE and response is not None:
            # the attempt that broke deleted it: gone is what was asked for
            logger.info("%s %s answered 404 after a failed attempt: done", method, url)
            self._emit(method, url, outcome.status, started, number)
            return Response(method, response.url, 204, response.headers, b"")
        if error is None and response is not None:
            error = status_error(response)
        assert error is not None
        self._emit(method, url, outcome.status, started, number, error)
        if decision.action is Action.RAISE:
            raise error if decision.note is None else with_note(error, decision.note)
        if decision.action is Action.RETRY:
            self._budget.try_spend()
        delay = decision.delay
        reason = str(outcome.status) if outcome.status is not None else type(error).__name__
        logger.info("retrying %s %s in %.2fs after %s", method, url, delay, reason)
        hook = self._hooks.on_retry
        if hook is not None:
            emit(
                hook, RetryEvent(method=method, url=url, attempt=number, delay=delay, reason=reason)
            )
        return delay

    def _emit(
        self,
        method: str,
        url: str,
        status: int | None,
        started: float,
        attempt: int,
        error: BaseException | None = None,
    ) -> None:
        """Log one finished attempt (at DEBUG) and tell the `on_request` hook of it."""
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


def _failure(exc: BaseException, method: str, url: str) -> tuple[BriaError, Outcome]:
    """The error and outcome of an attempt that raised `exc`: a timeout or a broken
    connection (CONNECT if nothing reached the server), or a refusal of the client's own
    (a redirect off the origin, a body too large: never repeated). A rate limit slot past
    the deadline is raised: nothing was sent (and it is a TimeoutError, not one to retry)."""
    if isinstance(exc, RateLimitTimeoutError):
        raise exc
    if isinstance(exc, (*TIMEOUTS, aiohttp.ClientError)):
        connect = isinstance(exc, aiohttp.ClientConnectorError)
        return connection_error(exc, method, url), _CONNECT if connect else _BROKEN
    assert isinstance(exc, BriaError)
    return exc, _REFUSED
