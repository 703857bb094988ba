"""What the emulator saw, for tests and benchmarks: submissions, probes, v2 status calls and
every request."""

from __future__ import annotations

import collections
import time
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Counters", "SeenRequest", "redacted"]

_REDACTED = "[redacted]"
# Headers that carry credentials: their values are never kept, so neither the state endpoint
# (which answers without authentication) nor a dump of the counters shows a token.
_SECRET_HEADERS = frozenset({"api_token", "authorization", "proxy-authorization"})


def redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """`headers` with the value of every credential header replaced by "[redacted]"."""
    return {
        name: _REDACTED if name.lower() in _SECRET_HEADERS else value
        for name, value in headers.items()
    }


@attrs.frozen
class SeenRequest:
    """One request as it arrived, on the `api` or the `storage` host, credentials redacted."""

    host: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    time: float

    def to_dict(self) -> dict[str, Any]:
        """This request as JSON-able data."""
        return attrs.asdict(self)


@attrs.define
class Counters:
    """Counts kept since start (or the last reset); `requests` keeps the most recent ones.

    `submissions` counts accepted calls per route template; `status_calls` counts every
    authenticated `GET /v2/status/{request_id}` per request id, faulted ones included. Under
    a rate limit, `per_minute` counts the requests it let through per endpoint ("METHOD
    template") and minute since the start, and `rate_limited` the 429s it answered.
    """

    max_requests: int = 100_000
    submissions: collections.Counter[str] = attrs.Factory(collections.Counter)
    probes: collections.Counter[str] = attrs.Factory(collections.Counter)
    status_calls: collections.Counter[str] = attrs.Factory(collections.Counter)
    per_minute: dict[str, collections.Counter[int]] = attrs.Factory(dict)
    rate_limited: collections.Counter[str] = attrs.Factory(collections.Counter)
    started: float = attrs.Factory(time.monotonic)
    requests: collections.deque[SeenRequest] = attrs.field(init=False)
    ready_at: dict[str, float] = attrs.Factory(dict)
    first_served_at: dict[str, float] = attrs.Factory(dict)

    def __attrs_post_init__(self) -> None:
        self.requests = collections.deque(maxlen=self.max_requests)

    def count_minute(self, endpoint: str, now: float) -> None:
        """One request to `endpoint` went through the rate limit at `now` (monotonic)."""
        minutes = self.per_minute.setdefault(endpoint, collections.Counter())
        minutes[int((now - self.started) // 60)] += 1

    def reset(self) -> None:
        """Forget everything counted so far."""
        self.started = time.monotonic()
        self.per_minute.clear()
        self.rate_limited.clear()
        self.submissions.clear()
        self.probes.clear()
        self.status_calls.clear()
        self.requests.clear()
        self.ready_at.clear()
        self.first_served_at.clear()

    def to_dict(self, *, with_requests: bool = True) -> dict[str, Any]:
        """The counters as JSON-able data (what `GET /_emulator/state` answers)."""
        data: dict[str, Any] = {
            "submissions": dict(self.submissions),
            "probes": dict(self.probes),
            "status_calls": dict(self.status_calls),
            "per_minute": {
                endpoint: {str(minute): n for minute, n in sorted(minutes.items())}
                for endpoint, minutes in self.per_minute.items()
            },
            "rate_limited": dict(self.rate_limited),
            "placeholders": {
                url: {"ready_at": ready, "first_served_at": self.first_served_at.get(url)}
                for url, ready in self.ready_at.items()
            },
        }
        if with_requests:
            data["requests"] = [seen.to_dict() for seen in self.requests]
        return data
