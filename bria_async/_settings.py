"""Client settings: timeouts, retries, connection limits and polling, with sound defaults."""

from __future__ import annotations

import attrs


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


def _not_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


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

    max_attempts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    backoff_base: float = attrs.field(default=0.5, validator=_not_negative)
    backoff_cap: float = attrs.field(default=30.0, validator=_not_negative)
    backoff_scale: float = attrs.field(default=1.0, validator=_not_negative)
    budget: float = attrs.field(default=50.0, validator=_positive)
    budget_refill_per_success: float = attrs.field(default=0.2, validator=_not_negative)
    retry_billable_server_errors: bool = False


@attrs.frozen(kw_only=True)
class PollSettings:
    """How the shared poller probes placeholder URLs.

    The first probe of an image goes out near the route's expected ready time (learned from
    what this client observed, starting at `initial_delay`): at the `first_probe_quantile` of
    the ready times seen so far. Later probes back off by `backoff_factor` of the time
    already waited, with jitter, between `min_interval` and `max_interval`.
    """

    concurrency: int = attrs.field(default=64, validator=attrs.validators.ge(1))
    initial_delay: float = attrs.field(default=2.0, validator=_not_negative)
    min_interval: float = attrs.field(default=0.25, validator=_not_negative)
    max_interval: float = attrs.field(default=4.0, validator=_positive)
    backoff_factor: float = attrs.field(default=0.25, validator=_positive)
    jitter: float = attrs.field(default=0.1, validator=_not_negative)
    learn: bool = True
    first_probe_quantile: float = attrs.field(
        default=0.25, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)]
    )
    job_timeout: float = attrs.field(default=600.0, validator=_positive)
    info_interval: float = attrs.field(default=1.0, validator=_positive)
    training_interval: float = attrs.field(default=60.0, validator=_positive)
    training_timeout: float = attrs.field(default=4 * 3600.0, validator=_positive)


@attrs.frozen(kw_only=True)
class Settings:
    """Everything tunable about a client; every field has a default fit for production.

    `max_response_bytes` caps an API answer (JSON: far above any documented one; an answer
    sent as `application/zip` or `application/octet-stream`, the mask generator's zip, is
    capped by `max_download_bytes` instead); `max_download_bytes` caps a result download.
    A body that passes its cap fails with ResponseTooLargeError as soon as it does.
    """

    timeouts: Timeouts = attrs.field(factory=Timeouts)
    retries: RetrySettings = attrs.field(factory=RetrySettings)
    polling: PollSettings = attrs.field(factory=PollSettings)
    max_connections: int = attrs.field(default=100, validator=attrs.validators.ge(1))
    max_submissions: int = attrs.field(default=32, validator=attrs.validators.ge(1))
    download_concurrency: int = attrs.field(default=16, validator=attrs.validators.ge(1))
    keepalive_timeout: float = attrs.field(default=30.0, validator=_positive)
    dns_cache_ttl: int = attrs.field(default=300, validator=attrs.validators.ge(0))
    max_response_bytes: int = attrs.field(default=8 * 2**20, validator=attrs.validators.ge(1))
    max_download_bytes: int = attrs.field(default=256 * 2**20, validator=attrs.validators.ge(1))

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
            ),
        )
