"""Emulator settings: latency distributions, per-route faults and the whole-emulator config.

Everything is a mutable attrs class so tests can tune a running emulator.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._endpoints import check_endpoint
from ._limits import RateLimit

__all__ = ["DEFAULT_TOKEN", "EmulatorConfig", "Latency", "RouteConfig"]

DEFAULT_TOKEN = "emulator-token"  # noqa: S105 - the fake token the emulator accepts by default

_Z95 = 1.6448536269514722  # the standard normal quantile at 0.95


@attrs.frozen
class Latency:
    """How long a placeholder takes to become ready: fixed, uniform or log-normal seconds."""

    kind: str
    a: float
    b: float = 0.0

    @classmethod
    def fixed(cls, seconds: float) -> Latency:
        """Always `seconds`."""
        return cls("fixed", seconds)

    @classmethod
    def uniform(cls, low: float, high: float) -> Latency:
        """Uniform between `low` and `high` seconds."""
        return cls("uniform", low, high)

    @classmethod
    def lognormal(cls, *, median: float, p95: float | None = None) -> Latency:
        """Log-normal with the given median and 95th percentile, in seconds; `p95` defaults
        to twice the median (a spread like the real API's)."""
        p95 = 2 * median if p95 is None else p95
        if not 0 < median <= p95:
            raise ValueError("lognormal latency needs 0 < median <= p95")
        return cls("lognormal", median, p95)

    def sample(self, rng: random.Random) -> float:
        """Draw one latency in seconds."""
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        if self.kind == "lognormal":
            sigma = (math.log(self.b) - math.log(self.a)) / _Z95
            return rng.lognormvariate(math.log(self.a), sigma)
        return self.a


@attrs.define
class RouteConfig:
    """Faults and latency for one route (or, as `default_route`, for every route)."""

    rate_429: float = 0.0
    retry_after: float = 1
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_drop: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 2.0
    placeholder_latency: Latency | None = None
    job_error_rate: float = 0.0  # v2 jobs of this route end in ERROR at this rate


class _Routes(dict[str, RouteConfig]):
    """`EmulatorConfig.routes`: a dict whose keys are endpoints ("POST /product/packshot", as
    `RateLimits.routes` names them); a key naming none is refused (ValidationError) as it is
    set, instead of configuring nothing."""

    def __init__(self, routes: Mapping[str, RouteConfig] | Iterable[Any] = ()) -> None:
        super().__init__()
        self.update(routes)

    def __setitem__(self, key: str, value: RouteConfig) -> None:
        super().__setitem__(check_endpoint("EmulatorConfig.routes", key), value)

    def update(self, *args: Any, **kwargs: RouteConfig) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key: str, default: RouteConfig) -> RouteConfig:
        if key not in self:
            self[key] = default
        return self[key]

    # dict's own |= is typed with overloads this checked one need not repeat
    def __ior__(self, other: Any) -> _Routes:  # type: ignore[override,misc]
        self.update(other)
        return self


@attrs.define
class EmulatorConfig:
    """The whole emulator's behaviour; the defaults keep tests fast.

    Like Bria, the emulator answers 401 to any `api_token` but its own (`api_token`), so a
    client sending the wrong token fails here as it would there; `any_token=True` accepts
    every non-empty token.

    v2 webhooks are tried `webhook_attempts` times, `webhook_backoff` seconds apart at first
    (doubling), each attempt given `webhook_timeout` seconds; `webhook_extra_signatures` are
    `v1=...` items sent before the real one (as with a rotated key) and `webhook_clock_offset`
    seconds are added to the signed timestamp (negative: a stale delivery). Each retry is
    signed afresh with the time it is sent, or with `webhook_retries_keep_timestamp` with
    the first attempt's timestamp (Bria does not say which it does). A v2 job older than
    `job_ttl` seconds (None: never) answers 404 as expired.

    `rate_limit` (None: no limit) is enforced as Bria does: per token and per endpoint (method
    and route template, the v2 status route included); over it, 429 with Retry-After.

    `routes` configures single endpoints, named as `RateLimits.routes` names them:
    ``{"POST /text-to-image/fast/{model_version}": RouteConfig(rate_503=0.2)}``; a key naming
    no endpoint is refused with ValidationError.
    """

    placeholder_latency: Latency = attrs.Factory(lambda: Latency.fixed(0.2))
    onboarding_seconds: float = 0.3
    training_seconds: float = 2.0
    training_failure_rate: float = 0.0
    min_dataset_images: int = 5
    seed: int | None = 1234
    api_token: str = DEFAULT_TOKEN
    any_token: bool = False
    max_image_side: int | None = None
    routes: dict[str, RouteConfig] = attrs.field(factory=_Routes, converter=_Routes)
    default_route: RouteConfig = attrs.Factory(RouteConfig)
    storage_rate_503: float = 0.0
    not_ready_statuses: tuple[int, ...] = (404,)
    png_cache_size: int = 128
    max_recorded_requests: int = 100_000
    webhook_attempts: int = 4
    webhook_backoff: float = 0.05
    webhook_timeout: float = 10.0
    webhook_extra_signatures: tuple[str, ...] = ()
    webhook_clock_offset: float = 0.0
    webhook_retries_keep_timestamp: bool = False
    job_ttl: float | None = None
    rate_limit: RateLimit | None = None

    def route(self, endpoint: str) -> RouteConfig:
        """The settings of `endpoint` (method and route template: a ROUTES.md path, or a v2
        path with its /v2 prefix, e.g. "GET /v2/status/{request_id}")."""
        return self.routes.get(endpoint, self.default_route)

    def latency_for(self, endpoint: str) -> Latency:
        """The placeholder latency of `endpoint`."""
        return self.route(endpoint).placeholder_latency or self.placeholder_latency
