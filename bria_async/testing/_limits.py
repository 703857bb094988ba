"""Bria's rate limits, enforced: per API token and per endpoint (method and route template,
the v2 status route included), over the limit a 429 with Retry-After.

Each (token, endpoint) is a token bucket of `burst` requests (by default one period's worth:
"60/min" lets 60 go at once, then one a second), kept by GCRA; refused requests spend nothing.
"""

from __future__ import annotations

import math
import re

import attrs

__all__ = ["RateLimit", "RateLimiting", "retry_after"]

_RATE = re.compile(r"(\d+)\s*/\s*(s|sec|second|min|minute|h|hour)")
_PERIODS = {
    **dict.fromkeys(("s", "sec", "second"), 1.0),
    **dict.fromkeys(("min", "minute"), 60.0),
    **dict.fromkeys(("h", "hour"), 3600.0),
}


@attrs.frozen
class RateLimit:
    """`count` requests per `period` seconds for each token and endpoint, at most `burst`
    at once (None: `count`)."""

    count: int
    period: float = 60.0
    burst: int | None = None

    @classmethod
    def parse(cls, text: str, burst: int | None = None) -> RateLimit:
        """ "60/min", "10/s" or "600/h"; ValueError for anything else."""
        match = _RATE.fullmatch(text.strip())
        if match is None or int(match[1]) < 1 or (burst is not None and burst < 1):
            raise ValueError(f"not a rate limit: {text!r} (expected N/min, N/s or N/h, N >= 1)")
        return cls(int(match[1]), _PERIODS[match[2]], burst)

    def __str__(self) -> str:
        unit = {1.0: "s", 60.0: "min", 3600.0: "h"}.get(self.period, f"{self.period:g}s")
        return f"{self.count}/{unit}" + (f", bursts of {self.burst}" if self.burst else "")


class RateLimiting:
    """The theoretical arrival time of every (token, endpoint) bucket."""

    def __init__(self) -> None:
        self._tat: dict[tuple[str, str], float] = {}

    def admit(self, limit: RateLimit, token: str, endpoint: str, now: float) -> float:
        """0 if the request may go (it is counted), else the seconds until one may."""
        interval = limit.period / limit.count
        tolerance = ((limit.burst or limit.count) - 1) * interval
        key = (token, endpoint)
        tat = max(self._tat.get(key, now), now)
        if tat - tolerance > now:
            return tat - tolerance - now
        self._tat[key] = tat + interval
        return 0.0

    def clear(self) -> None:
        """Full buckets again, for everyone."""
        self._tat.clear()


def retry_after(seconds: float) -> str:
    """A Retry-After header value: whole seconds, rounded up (at least 1)."""
    return str(max(1, math.ceil(seconds)))
