"""Client settings: timeouts, retries, connection and rate limits, polling, with sound defaults.

Every value is checked as a setting is made: a number of the wrong kind (a bool, a string,
2.5 attempts), NaN, an infinity or a value out of range raises ValidationError naming the
field, so a bad setting never reaches a timer or a loop.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from ._endpoints import check_endpoint
from ._errors import ValidationError

_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]
#: The default of `Settings.max_prompt_chars`. Bria documents no hard limit, only guidelines
#: of about 50 to 110 words (some 700 characters): ten thousand characters leave room for
#: any prompt written for a model, and stop a runaway one (a file pasted whole) before it is
#: sent and paid for.
MAX_PROMPT_CHARS = 10_000


def _is_real(value: object) -> bool:
    """An int or float (not a bool) that is finite, even as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _refuse(instance: object, attribute: attrs.Attribute[Any], value: object, allowed: str) -> None:
    raise ValidationError(f"{type(instance).__name__}.{attribute.name}", value, allowed)


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not _is_real(value) or value <= 0:
        _refuse(instance, attribute, value, "a finite number above 0")


def _not_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not _is_real(value) or value < 0:
        _refuse(instance, attribute, value, "a finite number of at least 0")


def _fraction(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not _is_real(value) or not 0 <= value <= 1:
        _refuse(instance, attribute, value, "a number from 0 to 1")


def _count(minimum: int) -> _Validator:
    """An int (not a bool, not 2.5) of at least `minimum`."""

    def check(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            _refuse(instance, attribute, value, f"an integer of at least {minimum}")

    return check


def _flag(instance: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        _refuse(instance, attribute, value, "True or False")


@attrs.frozen(kw_only=True)
class Timeouts:
    """Seconds allowed per kind of call; each covers one attempt, not the retries."""

    connect: float = attrs.field(default=10.0, validator=_positive)
    quick: float = attrs.field(default=60.0, validator=_positive)
    upload: float = attrs.field(default=180.0, validator=_positive)
    sync_generation: float = attrs.field(default=300.0, validator=_positive)
    poll: float = attrs.field(default=20.0, validator=_positive)
    download: float = attrs.field(default=120.0, validator=_positive)


@attrs.frozen(kw_only=True)
class RetrySettings:
    """Full-jitter exponential backoff, a per-client retry budget, and what may be repeated.

    `retry_billable_server_errors` lets a POST that creates billable work be repeated after
    500/502/504 or a broken connection, where the server may already have done (and billed) it.
    `backoff_scale=0` is the testing mode: retries happen at once, without sleeping.
    """

    max_attempts: int = attrs.field(default=5, validator=_count(1))
    backoff_base: float = attrs.field(default=0.5, validator=_not_negative)
    backoff_cap: float = attrs.field(default=30.0, validator=_not_negative)
    backoff_scale: float = attrs.field(default=1.0, validator=_not_negative)
    budget: float = attrs.field(default=50.0, validator=_positive)
    budget_refill_per_success: float = attrs.field(default=0.2, validator=_not_negative)
    retry_billable_server_errors: bool = attrs.field(default=False, validator=_flag)


@attrs.frozen(kw_only=True)
class PollSettings:
    """How the shared poller probes placeholder URLs.

    The first probe of an image goes out near the route's expected ready time (learned from
    what this client observed, starting at `initial_delay`): at the `first_probe_quantile` of
    the ready times seen so far. Later probes back off by `backoff_factor` of the time
    already waited, with jitter, between `min_interval` and `max_interval`. A v2 job's
    status calls follow the same schedule, one call per job.
    """

    concurrency: int = attrs.field(default=64, validator=_count(1))
    initial_delay: float = attrs.field(default=2.0, validator=_not_negative)
    min_interval: float = attrs.field(default=0.25, validator=_not_negative)
    max_interval: float = attrs.field(default=4.0, validator=_positive)
    backoff_factor: float = attrs.field(default=0.25, validator=_positive)
    jitter: float = attrs.field(default=0.1, validator=_not_negative)
    learn: bool = attrs.field(default=True, validator=_flag)
    first_probe_quantile: float = attrs.field(default=0.25, validator=_fraction)
    job_timeout: float = attrs.field(default=600.0, validator=_positive)
    info_interval: float = attrs.field(default=1.0, validator=_positive)
    training_interval: float = attrs.field(default=60.0, validator=_positive)
    training_timeout: float = attrs.field(default=4 * 3600.0, validator=_positive)
    #: v2 jobs sent with a `webhook_url`: no status call before this many seconds, so that
    #: the webhook (usually first) spends none of the per-endpoint rate limit.
    webhook_grace: float = attrs.field(default=30.0, validator=_not_negative)


#: Bria's plans, in requests per minute per endpoint (V2.md): Free, Pay-as-you-go, Enterprise.
PLANS: Mapping[str, float] = {"free": 10.0, "payg": 60.0, "enterprise": 1000.0}
Plan = Literal["free", "payg", "enterprise"]
_RATE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*(?:/\s*(s|sec|second|m|min|minute|h|hour))?\s*")
_UNIT_SECONDS = {
    **dict.fromkeys(("s", "sec", "second"), 1),
    **dict.fromkeys(("m", "min", "minute"), 60),
    **dict.fromkeys(("h", "hour"), 3600),
}


def parse_rate(text: str) -> float:
    """Requests per minute from "60/min", "2/s", "600/h" or a bare "60" (per minute);
    ValueError for anything else."""
    match = _RATE.fullmatch(text)
    if match is None or float(match[1]) <= 0:
        raise ValueError(f"not a rate: {text!r} (expected N/min, N/s or N/h, N above 0)")
    return float(match[1]) * 60 / _UNIT_SECONDS[match[2] or "min"]


def _rate_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not _is_real(value) or value <= 0):  # type: ignore[operator]
        _refuse(instance, attribute, value, "None or requests per minute above 0")


def _route_rates(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    for endpoint, rate in value.items():  # type: ignore[attr-defined]
        check_endpoint(f"{type(instance).__name__}.{attribute.name}", endpoint)
        if not _is_real(rate) or rate <= 0:
            _refuse(instance, attribute, rate, f"requests per minute above 0 for {endpoint}")


def _copied(rates: Mapping[str, float]) -> dict[str, float]:
    return dict(rates)


@attrs.frozen(kw_only=True)
class RateLimits:
    """Requests per minute the client spends on each endpoint (Bria counts per organization
    and per endpoint, status calls included), waiting for a slot rather than being refused.

    `per_minute` is every endpoint's rate; None learns each endpoint's rate from its 429s
    (30% lower after a burst of 429s, growing slowly while requests wait for slots). `routes`
    sets the rate of single endpoints, keyed by method and path template as `bria_async`
    names them, e.g.
    ``"POST /text-to-image/base/{model_version}"`` or ``"GET /v2/status/{request_id}"``; a key
    naming no endpoint is refused (ValidationError), with the nearest suggested.
    `burst` is how many requests may go at once after a quiet spell: 1 spaces every request
    evenly, which no way of counting a minute refuses.
    """

    per_minute: float | None = attrs.field(default=None, validator=_rate_or_none)
    routes: Mapping[str, float] = attrs.field(
        factory=dict, converter=_copied, validator=_route_rates, hash=False
    )
    burst: int = attrs.field(default=1, validator=_count(1))

    @classmethod
    def plan(
        cls, name: Plan, *, routes: Mapping[str, float] | None = None, burst: int = 1
    ) -> RateLimits:
        """The rates of one of Bria's plans: "free" (10/min), "payg" (60/min) or
        "enterprise" (1000/min, the default of a plan that may be customized: pass `routes`)."""
        if name not in PLANS:
            raise ValidationError("RateLimits.plan(name)", name, f"one of {', '.join(PLANS)}")
        return cls(per_minute=PLANS[name], routes=routes or {}, burst=burst)

    def rate_of(self, endpoint: str) -> float | None:
        """The configured requests per minute of `endpoint`, or None to learn it."""
        return self.routes.get(endpoint, self.per_minute)


def _limits_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, RateLimits):
        _refuse(instance, attribute, value, "a RateLimits (e.g. RateLimits.plan('payg')) or None")


@attrs.frozen(kw_only=True)
class Settings:
    """Everything tunable about a client; every field has a default fit for production.

    `max_response_bytes` caps an API answer (JSON: far above any documented one; an answer
    sent as `application/zip` or `application/octet-stream`, the mask generator's zip, is
    capped by `max_download_bytes` instead); `max_download_bytes` caps a result download.
    A body that passes its cap fails with ResponseTooLargeError as soon as it does.
    `max_prompt_chars` caps each prompt sent (`prompt`, `negative_prompt`, `bg_prompt`,
    `scene_description`, `exclude_elements`, `instruction`): a longer one is refused with
    ValidationError before anything is sent.
    """

    timeouts: Timeouts = attrs.field(
        factory=Timeouts, validator=attrs.validators.instance_of(Timeouts)
    )
    retries: RetrySettings = attrs.field(
        factory=RetrySettings, validator=attrs.validators.instance_of(RetrySettings)
    )
    polling: PollSettings = attrs.field(
        factory=PollSettings, validator=attrs.validators.instance_of(PollSettings)
    )
    max_connections: int = attrs.field(default=100, validator=_count(1))
    max_submissions: int = attrs.field(default=32, validator=_count(1))
    download_concurrency: int = attrs.field(default=16, validator=_count(1))
    keepalive_timeout: float = attrs.field(default=30.0, validator=_positive)
    dns_cache_ttl: int = attrs.field(default=300, validator=_count(0))
    max_response_bytes: int = attrs.field(default=8 * 2**20, validator=_count(1))
    max_download_bytes: int = attrs.field(default=256 * 2**20, validator=_count(1))
    max_prompt_chars: int = attrs.field(default=MAX_PROMPT_CHARS, validator=_count(1))
    #: Per-endpoint request rates (see RateLimits); None: no rate limiter, only the
    #: concurrency of submissions adapts to 429s.
    rate_limits: RateLimits | None = attrs.field(factory=RateLimits, validator=_limits_or_none)

    @classmethod
    def for_testing(cls) -> Settings:
        """Testing mode: no backoff sleeps and short polling intervals, for users' own tests."""
        return cls(
            retries=RetrySettings(backoff_scale=0.0),
            polling=PollSettings(
                initial_delay=0.05,
                min_interval=0.02,
                max_interval=0.5,
                info_interval=0.05,
                training_interval=0.1,
                job_timeout=60.0,
                webhook_grace=1.0,
            ),
        )
