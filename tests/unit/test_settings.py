"""Settings: every field refuses what no timer, loop or limit can use, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from bria_async import PollSettings, RetrySettings, Settings, Timeouts, ValidationError

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("make", "field", "value"),
    [
        (Timeouts, "quick", NAN),
        (Timeouts, "quick", INF),
        (Timeouts, "connect", 10**400),
        (Timeouts, "poll", True),
        (PollSettings, "job_timeout", NAN),
        (PollSettings, "initial_delay", -INF),
        (PollSettings, "jitter", NAN),
        (PollSettings, "first_probe_quantile", NAN),
        (PollSettings, "concurrency", 2.0),
        (PollSettings, "learn", "no"),
        (RetrySettings, "max_attempts", 2.5),
        (RetrySettings, "max_attempts", True),
        (RetrySettings, "backoff_cap", INF),
        (RetrySettings, "retry_billable_server_errors", 1),
        (Settings, "max_connections", True),
        (Settings, "keepalive_timeout", NAN),
        (Settings, "dns_cache_ttl", 1.5),
    ],
)
def test_a_value_no_setting_can_use_is_refused_naming_the_field(
    make: Any, field: str, value: Any
) -> None:
    with pytest.raises(ValidationError) as info:
        make(**{field: value})
    assert info.value.parameter == f"{make.__name__}.{field}"
    assert info.value.value is value


@pytest.mark.parametrize("field", ["timeouts", "retries", "polling"])
def test_settings_groups_must_be_their_classes(field: str) -> None:
    wrong: dict[str, Any] = {field: None}
    with pytest.raises(TypeError, match=field):
        Settings(**wrong)


def test_numbers_of_either_kind_within_range_are_kept() -> None:
    polling = PollSettings(initial_delay=0, max_interval=2, first_probe_quantile=1)
    assert (polling.initial_delay, polling.max_interval, polling.first_probe_quantile) == (0, 2, 1)
    assert RetrySettings(max_attempts=1, backoff_scale=0).max_attempts == 1
    assert Settings(dns_cache_ttl=0).dns_cache_ttl == 0
