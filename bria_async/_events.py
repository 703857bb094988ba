"""Hooks: optional callbacks for request, retry, poll and job events, for users' metrics."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

logger = logging.getLogger("bria_async")
E = TypeVar("E")
#: The id of the Job whose request or probe the current task is making (set in the Job's send
#: task and in each poll step's task), so RequestEvent and PollEvent can name it.
current_job: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "bria_async_job", default=None
)


@attrs.frozen(kw_only=True)
class RequestEvent:
    """One finished HTTP attempt: an API call or a result download (never carries the token).

    `job_id` names the Job it was made for (None for a download or a call outside a Job);
    `error_type` is the class name of the error the attempt ended with, `error` its message.
    """

    method: str
    url: str
    status: int | None
    elapsed: float
    attempt: int
    error: str | None = None
    error_type: str | None = None
    job_id: str | None = None


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
    """One probe of a placeholder URL (or read of a v2 status) for the Job `job_id`, and what
    it found: ready, pending, retry or failed. `waited`: seconds since the submission;
    `elapsed`: how long the probe took (None for a v2 status read, a RequestEvent too)."""

    url: str
    status: int | None
    outcome: str
    waited: float
    job_id: str | None = None
    elapsed: float | None = None


@attrs.frozen(kw_only=True)
class JobEvent:
    """A Job changed status.

    `model` is the model a generation asked for (``base/2.3``; None for other routes),
    `images` how many images a done Job has (None for results without images), and `error`
    the class name of the error a failed, cancelled or stalled Job ended with. `prompt` is
    the request's text prompt, if it has one (not shown in the repr, which logs may print).
    """

    job_id: str
    kind: str
    status: str
    model: str | None = None
    images: int | None = None
    error: str | None = None
    prompt: str | None = attrs.field(default=None, repr=False)


def job_event(
    job_id: str,
    kind: str,
    status: str,
    context: Mapping[str, Any],
    result: object,
    error: BaseException | None,
    request: object,
) -> JobEvent:
    """The JobEvent of a job now: its request's `context` (model, version), its `result`
    (None unless done), the `error` it ended with and the `request` body (for the prompt)."""
    model = context.get("model")
    version = context.get("model_version")
    if model is not None and version is not None:
        model = f"{model}/{version}"
    images = getattr(result, "images", None)
    prompt = request.get("prompt") if isinstance(request, Mapping) else None
    return JobEvent(
        job_id=job_id,
        kind=kind,
        status=status,
        model=None if model is None else str(model),
        images=len(images) if isinstance(images, Sequence) else None,
        error=None if error is None else type(error).__name__,
        prompt=prompt if isinstance(prompt, str) else None,
    )


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
