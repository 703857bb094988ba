"""The shared poller: one timer heap per client drives every pending watch.

Ten thousand pending images are ten thousand small heap entries, not sleeping tasks: one
runner task pops what is due and runs at most `concurrency` steps at once. What one step
does is its watch's (`_watches`: placeholder probes, calls again, v2 status reads); the
poller schedules them, paces their backoff and learns when each route's images are ready.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
import time
from collections import deque
from typing import Protocol

from ._errors import ClientStateError
from ._events import Hooks, current_job, logger
from ._settings import PollSettings
from ._transport import Transport


class Watch(Protocol):
    """A heap entry: `step()` runs when due and says how long until the next step, or None.

    The poller never lets an entry sleep past its `deadline`: the step due then reports that
    the window ended.
    """

    @property
    def cancelled(self) -> bool: ...

    @property
    def deadline(self) -> float: ...

    @property
    def job_id(self) -> str: ...

    async def step(self) -> float | None: ...

    def stop(self, error: BaseException) -> None: ...

    def cancel(self) -> None: ...


class RouteTimes:
    """Learned readiness times per route, from which the first probe's delay is chosen.

    Each ready image adds an estimate of when it became ready: the midpoint between the last
    "not yet" and the "ready" probe, or a little under the first probe's time when that one
    already found it, so the estimate can move earlier as well as later. The first probe
    goes out at a low quantile of the estimates (`first_probe_quantile`), not their median:
    every image ready before the first probe waits for it, so a late first probe adds more
    latency than the probes it saves.

    A job already older than that when it is watched (resumed after a restart, or awaited
    late) is probed at once; if that probe finds it ready, it was ready at some time nobody
    saw, perhaps while no process was running: that adds no estimate (`late`).
    """

    def __init__(self, settings: PollSettings) -> None:
        self._settings = settings
        self._samples: dict[str, deque[float]] = {}
        self._first: dict[str, float] = {}  # the quantile, until the next sample changes it

    def first_delay(self, route: str) -> float:
        samples = self._samples.get(route)
        if not self._settings.learn or not samples:
            return self._settings.initial_delay
        first = self._first.get(route)
        if first is None:
            ordered = sorted(samples)
            first = ordered[int(self._settings.first_probe_quantile * (len(ordered) - 1))]
            self._first[route] = first
        return first

    def observe(
        self, route: str, last_pending: float | None, ready_at: float, *, late: bool
    ) -> None:
        """An image of `route` found ready `ready_at` seconds after its submission, after a
        "not yet" at `last_pending` (None: the first probe found it); `late`: that first probe
        went out past the chosen first delay, because the job was older than it."""
        if last_pending is None and late:
            return
        estimate = ready_at * 0.8 if last_pending is None else (last_pending + ready_at) / 2
        self._samples.setdefault(route, deque(maxlen=256)).append(estimate)
        self._first.pop(route, None)


class Poller:
    """One per client: a heap of (due time, entry) and a bounded number of probes in flight."""

    def __init__(self, transport: Transport, settings: PollSettings, hooks: Hooks) -> None:
        self.transport = transport
        self.settings = settings
        self.hooks = hooks
        self.times = RouteTimes(settings)
        self._rng = random.Random()
        self._heap: list[tuple[float, int, Watch]] = []
        self._seq = itertools.count()
        self._wakeup: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        #: Steps running, each with its entry: a step cancelled before it started never
        #: reaches its own except clause, so close() fails its entry from here.
        self._inflight: dict[asyncio.Task[None], Watch] = {}
        self._slots: asyncio.Semaphore | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        """Entries waiting in the heap (cancelled ones leave lazily)."""
        return len(self._heap)

    def next_interval(self, waited: float) -> float:
        s = self.settings
        base = min(s.max_interval, max(s.min_interval, waited * s.backoff_factor))
        return base * (1 + self._rng.uniform(-s.jitter, s.jitter))

    def retry_delay(self, errors: int, retry_after: float | None = None) -> float:
        """The wait after `errors` failed looks in a row (429, 5xx, a broken connection):
        doubling from `min_interval` up to `max_interval`, never sooner than Retry-After."""
        s = self.settings
        return max(retry_after or 0.0, min(s.max_interval, s.min_interval * 2.0**errors))

    def schedule(self, entry: Watch, delay: float) -> None:
        """Run `entry` in `delay` seconds, or at its deadline if that comes first."""
        if self._closed:
            raise ClientStateError("this BriaClient is closed; open a new one")
        due = min(time.monotonic() + delay, entry.deadline)
        heapq.heappush(self._heap, (due, next(self._seq), entry))
        if self._runner is None:
            self._wakeup = asyncio.Event()
            self._slots = asyncio.Semaphore(self.settings.concurrency)
            self._runner = asyncio.get_running_loop().create_task(
                self._run(), name="bria_async-poller"
            )
        if self._heap[0][2] is entry and self._wakeup is not None:
            self._wakeup.set()

    async def _run(self) -> None:
        assert self._wakeup is not None
        assert self._slots is not None
        while True:
            while self._heap and self._heap[0][2].cancelled:
                heapq.heappop(self._heap)
            if not self._heap:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            delay = self._heap[0][0] - time.monotonic()
            if delay > 0:
                self._wakeup.clear()
                timer = asyncio.get_running_loop().call_later(delay, self._wakeup.set)
                try:
                    await self._wakeup.wait()
                finally:
                    timer.cancel()
                continue
            await self._slots.acquire()
            _, _, entry = heapq.heappop(self._heap)
            if entry.cancelled:
                self._slots.release()
                continue
            task = asyncio.get_running_loop().create_task(self._step(entry))
            self._inflight[task] = entry
            task.add_done_callback(self._step_done)

    async def _step(self, entry: Watch) -> None:
        assert self._slots is not None
        current_job.set(entry.job_id)  # this step's own task: its requests name the job
        try:
            delay = await entry.step()
        except asyncio.CancelledError:
            entry.stop(ClientStateError("the BriaClient was closed while this job was pending"))
            raise
        except Exception as exc:  # a bug in a step must fail its job, not the poller
            logger.exception("poll step failed")
            entry.stop(exc)
            delay = None
        finally:
            self._slots.release()
        if delay is not None and not entry.cancelled and not self._closed:
            self.schedule(entry, delay)

    def _step_done(self, task: asyncio.Task[None]) -> None:
        self._inflight.pop(task, None)

    async def close(self) -> None:
        """Stop polling; every entry still pending, queued or in a step, fails with a clear
        error."""
        self._closed = True
        stepping = list(self._inflight.values())
        tasks = [t for t in (self._runner, *self._inflight) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        error = ClientStateError("the BriaClient was closed while this job was pending")
        for entry in (*stepping, *(entry for _, _, entry in self._heap)):
            entry.stop(error)
        self._heap.clear()
