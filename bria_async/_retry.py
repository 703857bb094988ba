"""Backoff with full jitter, Retry-After parsing, deadlines, and the per-client retry budget."""

from __future__ import annotations

import email.utils
import math
import random
import time

from ._settings import RetrySettings

#: Statuses worth another attempt: rate limits and transient server trouble.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504, 512})
#: Statuses after which the server cannot have done the work, so even billable POSTs repeat.
NOT_DONE_STATUSES = frozenset({429, 503, 512})


def backoff_delay(attempt: int, settings: RetrySettings, rng: random.Random) -> float:
    """Full jitter: a uniform draw below the exponential ceiling for this attempt (from 1)."""
    ceiling = min(settings.backoff_cap, settings.backoff_base * 2 ** (attempt - 1))
    return rng.uniform(0.0, ceiling) * settings.backoff_scale


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


class RetryBudget:
    """A token bucket shared by all calls of a client, so outages do not become retry storms.

    Each retry spends a token; each success returns a fraction of one.
    """

    def __init__(self, settings: RetrySettings) -> None:
        self._capacity = settings.budget
        self._refill = settings.budget_refill_per_success
        self._tokens = settings.budget

    def try_spend(self) -> bool:
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def record_success(self) -> None:
        if self._tokens < self._capacity:  # usually full: nothing to do
            self._tokens = min(self._capacity, self._tokens + self._refill)
