"""Hooks: optional callbacks for request, retry, poll and job events, for users' metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import attrs

logger = logging.getLogger("bria_async")
E = TypeVar("E")


@attrs.frozen(kw_only=True)
class RequestEvent:
    """One finished HTTP attempt: an API call or a result download (never carries the token)."""

    method: str
    url: str
    status: int | None
    elapsed: float
    attempt: int
    error: str | None = None


@attrs.frozen(kw_only=True)
class RetryEvent:
    """A failed attempt that will be retried after `delay` seconds."""

    method: str
    url: str
    attempt: int
    delay: float
    reason: str


@attrs.frozen(kw_only=True)
class PollEvent:
    """One probe of a placeholder URL and what it found: ready, pending, retry or failed."""

    url: str
    status: int | None
    outcome: str
    waited: float


@attrs.frozen(kw_only=True)
class JobEvent:
    """A Job changed status."""

    job_id: str
    kind: str
    status: str


@attrs.frozen(kw_only=True)
class Hooks:
    """Callables invoked synchronously on each event; an exception in a hook is logged."""

    on_request: Callable[[RequestEvent], None] | None = None
    on_retry: Callable[[RetryEvent], None] | None = None
    on_poll: Callable[[PollEvent], None] | None = None
    on_job: Callable[[JobEvent], None] | None = None


def emit(hook: Callable[[E], None], event: E) -> None:
    """Call `hook` with `event`, logging (never raising) what the hook raises.

    Callers check that a hook is set before they build the event, so that nobody listening
    costs no event object on the hot paths (every request, probe and status change).
    """
    try:
        hook(event)
    except Exception:
        logger.exception("bria_async hook %r failed on %r", hook, event)
