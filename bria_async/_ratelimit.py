"""Per-endpoint request rates: which endpoint a request spends, the RateLimiter protocol, the
in-process limiter, and the Throttle the transport puts in front of every API call.

Limiters schedule by GCRA. Each key (an account and an endpoint) keeps a theoretical arrival
time, TAT: a request may go at ``max(TAT - (burst - 1) * interval, now, paused until)`` and
moves TAT one interval past that. The slot is reserved as it is asked for, so waiters leave
in order, one interval apart, without waking each other; a 429's Retry-After pauses the key
for everyone sharing the limiter.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ._endpoints import endpoint_of as endpoint_of  # the transport names endpoints here
from ._errors import RateLimitTimeoutError
from ._request import Deadline
from ._settings import RateLimits

#: A 429 multiplies a learned rate by this, at most once per _DECREASE_EVERY seconds (one
#: burst of 429s is one decrease).
_DECREASE = 0.7
_DECREASE_EVERY = 1.0
#: Requests per minute a learned rate gains for each success that had waited for its slot:
#: while the rate is what holds requests back, it grows by about 20% a minute.
_INCREASE = 0.2
_MIN_RATE = 1.0
#: What a request spends: (account, endpoint).
Rated = tuple[str, str]


def account_of(token: str) -> str:
    """A short one-way hash of an API token: limiter keys name the account, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:20]


@runtime_checkable
class RateLimiter(Protocol):
    """Where request slots are scheduled: in this process, or shared (RedisRateLimiter).

    Keys name an account and an endpoint; every client given the same limiter (and, for a
    shared one, every process reaching it) spends one budget per key.
    """

    async def acquire(self, key: str, interval: float, burst: int, max_wait: float | None) -> float:
        """Reserve the next slot of `key` for requests `interval` seconds apart (0: not
        spaced), at most `burst` at once; return the seconds until it (0: now). A slot more
        than `max_wait` seconds away is not reserved: the caller will not wait that long."""
        ...

    async def pause(self, key: str, seconds: float) -> None:
        """Give no slot of `key` for `seconds` from now (the endpoint answered 429)."""
        ...

    async def aclose(self) -> None:
        """Release what the running event loop holds (a client closing); the limiter stays
        usable by other clients."""
        ...


def gcra(
    tat: float,
    paused: float,
    now: float,
    interval: float,
    burst: int,
    max_wait: float | None,
) -> tuple[float, float | None]:
    """One reservation: (seconds until the slot, the key's new TAT or None if not reserved)."""
    tat = max(tat, now)
    at = max(tat - (burst - 1) * interval, paused, now)
    wait = at - now
    if max_wait is not None and wait > max_wait:
        return wait, None
    return wait, max(tat, at) + interval


def _in_time(endpoint: str, wait: float, left: float | None) -> float:
    """`wait`, or RateLimitTimeoutError if the slot comes after the caller's deadline (the
    limiter reserved nothing then)."""
    if left is not None and wait > left:
        raise RateLimitTimeoutError(endpoint=endpoint, wait=wait, left=left)
    return wait


class LocalRateLimiter:
    """The in-process limiter, each client's default: give one to several clients (in any
    thread) and they share its budgets. `clock` is for tests."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}
        self._paused: dict[str, float] = {}
        self._lock = threading.Lock()

    async def acquire(self, key: str, interval: float, burst: int, max_wait: float | None) -> float:
        return self.reserve(key, interval, burst, max_wait)

    def reserve(self, key: str, interval: float, burst: int, max_wait: float | None) -> float:
        """`acquire` without awaiting: the Throttle's fast path for the in-process limiter."""
        if interval <= 0.0 and not self._paused:
            return 0.0  # not spaced, and no 429 paused anything: go now (no lock needed)
        with self._lock:
            now = self._clock()
            wait, tat = gcra(
                self._tat.get(key, now), self._paused.get(key, 0.0), now, interval, burst, max_wait
            )
            if tat is not None and interval > 0:
                self._tat[key] = tat
            return wait

    async def pause(self, key: str, seconds: float) -> None:
        with self._lock:
            until = self._clock() + seconds
            self._paused[key] = max(until, self._paused.get(key, 0.0))

    async def aclose(self) -> None:
        """Nothing to release: the budgets stay for the other clients."""


class _Endpoint:
    """What a Throttle holds of one endpoint: its configured rate, or the rate it learned
    from 429s, and the interval either gives (kept with it: every request reads it)."""

    __slots__ = ("attempts", "configured", "decreased", "interval", "learned", "since")

    def __init__(self, configured: float | None, now: float) -> None:
        self.configured = configured  # per minute, from RateLimits; None: learn it
        self.learned: float | None = None  # per minute; None: no 429 yet, not limited
        self.interval = 0.0 if configured is None else 60.0 / configured  # 0: not spaced
        self.since = now
        self.attempts = 0
        self.decreased = -_DECREASE_EVERY

    def learn(self, rate: float, scale: float) -> None:
        self.learned = rate
        self.interval = 60.0 / rate * scale


class Throttle:
    """The transport's rate limiting: a slot before each attempt; after a 429 a pause for
    everyone sharing the limiter and, where no rate is configured, a lower learned rate.

    What 429s teach, Retry-After pauses and learned rates, is scaled like retry delays
    (`backoff_scale`, 0 in testing mode); configured rates are kept as they are.
    """

    def __init__(
        self,
        limits: RateLimits,
        limiter: RateLimiter,
        *,
        backoff_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.limiter = limiter
        self._scale = backoff_scale
        self._clock = clock
        self._endpoints: dict[str, _Endpoint] = {}
        # Exactly the in-process limiter (a subclass may await in acquire): no await needed.
        self._local = limiter if type(limiter) is LocalRateLimiter else None

    def rate_of(self, endpoint: str) -> float | None:
        """Requests per minute `endpoint` may use now: configured, learned, or None (any)."""
        state = self._endpoint(endpoint)
        return state.configured if state.configured is not None else state.learned

    def _endpoint(self, endpoint: str) -> _Endpoint:
        state = self._endpoints.get(endpoint)
        if state is None:
            configured = self.limits.rate_of(endpoint)
            state = self._endpoints[endpoint] = _Endpoint(configured, self._clock())
        return state

    def reserve_now(self, rated: Rated, deadline: Deadline) -> float | None:
        """Reserve the next slot of `rated` (account, endpoint) without awaiting, where the
        limiter is in-process: the seconds until it, or None (a shared limiter: `acquire`).
        RateLimitTimeoutError (nothing reserved) if it comes past `deadline`."""
        local = self._local
        if local is None:
            return None
        endpoint = rated[1]
        state = self._endpoints.get(endpoint) or self._endpoint(endpoint)
        state.attempts += 1
        if state.interval <= 0.0 and not local._paused:
            return 0.0  # not spaced, and no 429 paused anything: the usual call, at once
        left = deadline.remaining()
        wait = local.reserve(f"{rated[0]}:{endpoint}", state.interval, self.limits.burst, left)
        return _in_time(endpoint, wait, left)

    async def acquire(
        self, rated: Rated, deadline: Deadline, *, reserved: float | None = None
    ) -> bool:
        """Wait for the next slot of `rated` (account, endpoint); True if the rate made the
        request wait. RateLimitTimeoutError (nothing reserved) if it comes past `deadline`.
        `reserved`: the wait `reserve_now` gave, whose slot is taken already."""
        wait = reserved if reserved is not None else self.reserve_now(rated, deadline)
        if wait is None:
            account, endpoint = rated
            state = self._endpoint(endpoint)
            state.attempts += 1
            left = deadline.remaining()
            key = f"{account}:{endpoint}"
            reserved_wait = await self.limiter.acquire(key, state.interval, self.limits.burst, left)
            wait = _in_time(endpoint, reserved_wait, left)
        if wait > 0:
            await asyncio.sleep(wait)
            return True
        return False

    def on_success(self, rated: Rated, waited: bool) -> None:
        """A request to `rated` succeeded (`waited`: after waiting for its slot)."""
        if waited:
            state = self._endpoint(rated[1])
            if state.configured is None and state.learned is not None:
                state.learn(state.learned + _INCREASE, self._scale)

    async def on_rate_limited(self, rated: Rated, retry_after: float | None) -> None:
        """`rated` answered 429: pause it for Retry-After, lower its learned rate."""
        account, endpoint = rated
        if retry_after:
            await self.limiter.pause(f"{account}:{endpoint}", retry_after * self._scale)
        state = self._endpoint(endpoint)
        now = self._clock()
        if state.configured is not None or now - state.decreased < _DECREASE_EVERY:
            return
        rate = state.learned
        if rate is None:  # the first 429: start from the rate sent so far
            rate = state.attempts * 60.0 / max(now - state.since, 1.0)
        state.learn(max(_MIN_RATE, rate * _DECREASE), self._scale)
        state.decreased = now
