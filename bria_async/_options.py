"""Flat options (`timeout=`, `max_retries=`) and what they change in a client's Settings.

Both clients take them beside `settings=`, and ``with_options()`` takes them for a view of
one client: they are applied on top of the settings given (they win over its fields).
"""

from __future__ import annotations

import attrs

from ._errors import ValidationError
from ._settings import Settings, Timeouts, _is_real


def apply_options(
    settings: Settings, *, timeout: float | Timeouts | None, max_retries: int | None
) -> Settings:
    """`settings` with the flat options that were given (None leaves a field as it is).

    `timeout` in seconds is what each attempt of every kind of call may take (connecting
    too, up to the connect timeout already set); the job's polling window grows to at least
    as long, so a long timeout is never cut short by it. A Timeouts sets each kind on its
    own. `max_retries` is how many times a failed attempt may be repeated (0: never).
    """
    if timeout is not None:
        timeouts = timeouts_of(timeout, settings.timeouts)
        polling = settings.polling
        longest = max(timeouts.quick, timeouts.upload, timeouts.sync_generation)
        if longest > polling.job_timeout:
            polling = attrs.evolve(polling, job_timeout=longest)
        settings = attrs.evolve(settings, timeouts=timeouts, polling=polling)
    if max_retries is not None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValidationError("max_retries", max_retries, "an integer of at least 0")
        retries = attrs.evolve(settings.retries, max_attempts=max_retries + 1)
        settings = attrs.evolve(settings, retries=retries)
    return settings


def timeouts_of(timeout: float | Timeouts, current: Timeouts) -> Timeouts:
    """The Timeouts a `timeout` option means: a Timeouts as is, or seconds for each attempt
    of every kind (connecting too, up to `current`'s connect timeout)."""
    if isinstance(timeout, Timeouts):
        return timeout
    if not (_is_real(timeout) and timeout > 0):
        raise ValidationError("timeout", timeout, "a number of seconds above 0, or Timeouts")
    seconds = float(timeout)
    return Timeouts(
        connect=min(current.connect, seconds),
        quick=seconds,
        upload=seconds,
        sync_generation=seconds,
        poll=seconds,
        download=seconds,
    )
