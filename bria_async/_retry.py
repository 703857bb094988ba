"""Whether and when a failed attempt is repeated (`decide`, one pure function, where the
billing rules live), backoff with full jitter, Retry-After parsing, and the retry budget."""

from __future__ import annotations

import email.utils
import enum
import math
import time
from typing import NamedTuple

from ._request import Call
from ._settings import RetrySettings

#: Statuses worth another attempt: rate limits and transient server trouble.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504, 512})
#: Statuses after which the server cannot have done the work, so even billable POSTs repeat.
NOT_DONE_STATUSES = frozenset({429, 503, 512})


class Failure(enum.Enum):
    """An attempt that got no status: what it means for the work asked for."""

    #: Could not connect: nothing reached the server, so nothing was done.
    CONNECT = "connect"
    #: Timed out or broke after connecting: the server may have done the work.
    BROKEN = "broken"
    #: Refused by the client itself (a redirect off the API's origin, a body too large):
    #: the server answered, and asking again would be refused alike.
    REFUSED = "refused"


class Outcome(NamedTuple):
    """How one failed attempt ended: a status that is not a success, or a Failure."""

    status: int | None = None
    failure: Failure | None = None
    #: Seconds the answer's Retry-After asked for.
    retry_after: float | None = None

    @property
    def not_done(self) -> bool:
        """Whether the server cannot have done the work (so even a billable call repeats)."""
        if self.failure is not None:
            return self.failure is Failure.CONNECT
        return self.status in NOT_DONE_STATUSES


class Attempt(NamedTuple):
    """What the transport knows as attempt `number` (from 1) of a call failed."""

    number: int
    #: Whether an earlier attempt may have done the work before it failed.
    maybe_done: bool = False
    #: Whether the call spends an endpoint's rate limit (the client has rate limits).
    throttled: bool = False
    #: Whether the client's retry budget has a retry left.
    budget: bool = True
    #: A uniform draw in [0, 1): the backoff's full jitter.
    jitter: float = 0.5


class Action(enum.Enum):
    RETRY = "retry"  # after `delay`, spending an attempt and the retry budget
    WAIT_OUT = "wait out"  # a 429 under rate limits: after Retry-After, spending neither
    RAISE = "raise"  # the attempt's error (with `note` saying why it was not retried)
    GONE = "gone"  # a DELETE's 404 after an attempt that may have deleted it: done


class Decision(NamedTuple):
    action: Action
    delay: float = 0.0
    note: str | None = None


_RAISE = Decision(Action.RAISE)
_GONE = Decision(Action.GONE)


def decide(call: Call, attempt: Attempt, outcome: Outcome) -> Decision:
    """What follows a failed attempt of `call` (sent with its options and deadline).

    Connection trouble and the RETRYABLE_STATUSES are repeated up to the options' attempts,
    after full-jitter backoff or the Retry-After if longer; never past the call's deadline
    nor the retry budget. A billable call is repeated only where the server cannot have done
    the work (could not connect, 429, 503, 512) unless `retry_billable_server_errors`; a call
    with `repeat=False` never. Under rate limits a 429 of a call with a deadline (polls
    aside: the poller reschedules them) is waited out after its Retry-After alone, spending
    neither attempts nor the budget.
    """
    status = outcome.status
    if status == 404 and attempt.maybe_done and call.method == "DELETE":
        return _GONE
    assert call.options is not None  # the transport sends every call with its options
    retries = call.options.retries
    if outcome.failure is not None:
        retryable = outcome.failure is not Failure.REFUSED
    else:
        retryable = status in RETRYABLE_STATUSES
    allowed = not call.billable or outcome.not_done or retries.retry_billable_server_errors
    deadline = call.deadline
    waits_out = (
        status == 429
        and attempt.throttled
        and deadline is not None
        and deadline.at is not None
        and call.kind != "poll"
    )
    if not (retryable and allowed and call.repeat) or (
        attempt.number >= retries.max_attempts and not waits_out
    ):
        return _RAISE
    ceiling = min(retries.backoff_cap, retries.backoff_base * 2 ** (attempt.number - 1))
    delay = attempt.jitter * ceiling * retries.backoff_scale
    if outcome.retry_after is not None:
        scaled = outcome.retry_after * retries.backoff_scale
        delay = scaled if waits_out else max(delay, scaled)
    if deadline is not None and not deadline.allows(delay):
        return Decision(
            Action.RAISE, note=f"not retried: waiting {delay:.1f}s would pass the call's deadline"
        )
    if waits_out:
        return Decision(Action.WAIT_OUT, delay)
    if not attempt.budget:
        return Decision(Action.RAISE, note="not retried: the client's retry budget is spent")
    return Decision(Action.RETRY, delay)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


class RetryBudget:
    """A token bucket shared by all calls of a client, so outages do not become retry storms.

    Each retry spends a token; each success returns a fraction of one.
    """

    def __init__(self, settings: RetrySettings) -> None:
        self._capacity = settings.budget
        self._refill = settings.budget_refill_per_success
        self._tokens = settings.budget

    def available(self) -> bool:
        """Whether a retry may be spent now."""
        return self._tokens >= 1.0

    def try_spend(self) -> bool:
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def record_success(self) -> None:
        if self._tokens < self._capacity:  # usually full: nothing to do
            self._tokens = min(self._capacity, self._tokens + self._refill)
