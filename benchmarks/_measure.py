"""What the scenarios measure with: client CPU, peak RSS, percentiles, the ideal schedule."""

from __future__ import annotations

import heapq
import resource
import time
from collections.abc import Iterable, Sequence
from typing import Any


def cpu_seconds() -> float:
    """User plus system CPU of this process so far, every thread included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """The highest resident set size this process reached, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_bytes() -> int:
    """The resident set size now."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize()


class Stopwatch:
    """Wall and CPU seconds between `start()` and `stop()`."""

    def start(self) -> Stopwatch:
        self.wall0, self.cpu0 = time.perf_counter(), cpu_seconds()
        return self

    def stop(self) -> dict[str, float]:
        return {"wall": time.perf_counter() - self.wall0, "cpu": cpu_seconds() - self.cpu0}


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def ideal_wall(durations: Iterable[float], slots: int) -> float:
    """The shortest wall time for jobs taking `durations`, started in order on `slots` lanes.

    This is the lower bound a client could reach if submitting and noticing readiness cost
    nothing: each job starts the moment a lane frees and ends exactly when it is ready.
    """
    lanes: list[float] = []
    end = 0.0
    for duration in durations:
        start = heapq.heappop(lanes) if len(lanes) >= slots else 0.0
        finish = start + max(0.0, duration)
        heapq.heappush(lanes, finish)
        end = max(end, finish)
    return end


def merge(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Rounds of one variant as one: lists are concatenated, numbers added."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif isinstance(value, (int, float)):
                merged[key] = merged.get(key, 0) + value
            else:
                merged[key] = value
    return merged
