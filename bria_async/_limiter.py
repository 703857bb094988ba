"""An adaptive concurrency limit: halves on rate limiting, grows back one step at a time."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time


class AdaptiveLimiter:
    """At most `limit` holders at once; `limit` moves between 1 and `maximum` (AIMD).

    Repeated 429s halve the limit (at most once a second, so one burst counts once); each
    success adds 1/limit, so the limit grows by about one per round of successful calls.
    Waiters are served first come, first served: a release hands its slot to the next one.
    """

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self._limit = float(maximum)
        self._held = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._last_decrease = 0.0

    @property
    def limit(self) -> int:
        return max(1, int(self._limit))

    def try_acquire(self) -> bool:
        """Take a slot if one is free and nobody queues for one; without awaiting, as most
        calls find a slot free."""
        if not self._waiters and self._held < max(1, int(self._limit)):  # self.limit, inlined
            self._held += 1
            return True
        return False

    async def acquire(self) -> None:
        if self.try_acquire():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # the release that wakes it hands its slot over
        except BaseException:
            if not waiter.done() or waiter.cancelled():
                with contextlib.suppress(ValueError):  # a release may have dropped it
                    self._waiters.remove(waiter)
            else:
                self.release()  # the slot came as the wait was cancelled: pass it on
            raise

    def release(self) -> None:
        self._held -= 1
        # Wake only as many as may now go in, one slot each (a long queue costs no wake-ups).
        waiters = self._waiters
        while waiters and self._held < self.limit:
            waiter = waiters.popleft()
            if not waiter.done():  # not cancelled
                self._held += 1
                waiter.set_result(None)

    def on_rate_limited(self) -> None:
        now = time.monotonic()
        if now - self._last_decrease >= 1.0:
            self._last_decrease = now
            self._limit = max(1.0, self._limit / 2)

    def on_success(self) -> None:
        if self._limit < self.maximum:  # usually at its maximum: nothing to do
            self._limit = min(float(self.maximum), self._limit + 1.0 / self._limit)
