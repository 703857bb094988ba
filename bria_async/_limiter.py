"""An adaptive concurrency limit: halves on rate limiting, grows back one step at a time."""

from __future__ import annotations

import asyncio
import time


class AdaptiveLimiter:
    """At most `limit` holders at once; `limit` moves between 1 and `maximum` (AIMD).

    Repeated 429s halve the limit (at most once a second, so one burst counts once); each
    success adds 1/limit, so the limit grows by about one per round of successful calls.
    """

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self._limit = float(maximum)
        self._held = 0
        self._waiting = 0
        self._last_decrease = 0.0
        self._cond: asyncio.Condition | None = None

    @property
    def limit(self) -> int:
        return max(1, int(self._limit))

    def _condition(self) -> asyncio.Condition:
        if self._cond is None:
            self._cond = asyncio.Condition()
        return self._cond

    async def acquire(self) -> None:
        if self._waiting == 0 and self._held < self.limit:  # free slot, nobody queued
            self._held += 1
            return
        cond = self._condition()
        async with cond:
            self._waiting += 1
            try:
                await cond.wait_for(lambda: self._held < self.limit)
            finally:
                self._waiting -= 1
            self._held += 1

    async def release(self) -> None:
        self._held -= 1
        if self._waiting:
            cond = self._condition()
            async with cond:
                # Wake only as many as may now go in: waking all of a long queue on every
                # release made submitting n jobs cost O(n^2) wake-ups.
                cond.notify(max(1, self.limit - self._held))

    def on_rate_limited(self) -> None:
        now = time.monotonic()
        if now - self._last_decrease >= 1.0:
            self._last_decrease = now
            self._limit = max(1.0, self._limit / 2)

    def on_success(self) -> None:
        self._limit = min(float(self.maximum), self._limit + 1.0 / self._limit)
