"""OpenTelemetry for bria_async: a span per Job, a child span per HTTP call, a duration metric.

```text
from bria_async.contrib.opentelemetry import opentelemetry_hooks

async with BriaClient(hooks=opentelemetry_hooks()) as bria:
    await bria.images.generate("a red fox")
```

Built on the client's hooks (`bria_async.Hooks`), following OpenTelemetry's semantic
conventions for generative AI clients and HTTP clients:

- One span per Job (kind CLIENT), from its submission until it is done, failed, cancelled
  or stalled, named ``{gen_ai.operation.name} {gen_ai.request.model}``, with
  ``gen_ai.operation.name`` (``image_generation`` for text-to-image, else the Job's kind),
  ``gen_ai.provider.name`` (``bria``), ``gen_ai.request.model``, ``bria.route`` (the Job's
  kind), ``bria.job_id``, ``bria.images``, ``bria.probes`` and ``error.type``. A stalled Job's
  span ends with ``error.type`` ``JobTimeoutError``; awaiting the Job again starts a new one.
- One child span per HTTP attempt (API calls, placeholder probes, downloads), named by its
  method, with ``http.request.method``, ``url.full`` (signature and token query values
  redacted), ``server.address``, ``server.port``, ``http.response.status_code``,
  ``http.request.resend_count`` and ``error.type``; a probe also has ``bria.probe.outcome``,
  and one answered "not yet" (404) is not an error. A download made outside a Job is a
  child of whatever span is current.
- The histogram ``gen_ai.client.operation.duration`` (seconds) of every Job that ended.

Prompts are recorded (as ``gen_ai.input.messages``) only when
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` is ``true``. The API token is never
recorded: it travels in a header, and no header is.

Needs the ``otel`` extra (``opentelemetry-api``); ``import bria_async`` never imports this
module. Configure the SDK (providers, exporters) as for any other library.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

try:
    from opentelemetry import context, metrics, trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as error:  # pragma: no cover - what a base install says
    raise ImportError(
        f"bria_async.contrib.opentelemetry needs OpenTelemetry ({error}): "
        "pip install 'bria-async[otel]'"
    ) from error

from .. import __version__
from .._events import Hooks, JobEvent, PollEvent, RequestEvent

__all__ = ["CAPTURE_CONTENT_ENV", "opentelemetry_hooks"]

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_SCOPE = "bria_async.contrib.opentelemetry"
E = TypeVar("E")
_SCHEMA_URL = "https://opentelemetry.io/schemas/1.37.0"
#: Job kinds that make images from text; every other Job is named by its kind.
_GENERATION_KINDS = frozenset({"images.generate", "v2.image.generate"})
_FINAL = frozenset({"done", "failed", "cancelled", "stalled"})
#: The semantic conventions' advised buckets for gen_ai.client.operation.duration.
_DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
                     40.96, 81.92)  # fmt: skip
#: Query keys whose values are credentials in presigned storage URLs (and the like).
_SECRET_QUERY_HINTS = ("signature", "sig", "token", "credential", "key", "auth")


@attrs.define
class _JobSpan:
    span: trace.Span
    started: float  # time.monotonic() of the span's start
    probes: int = 0


def opentelemetry_hooks(
    hooks: Hooks | None = None,
    *,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
    capture_content: bool | None = None,
) -> Hooks:
    """Hooks that trace and measure every Job of the client they are given to.

    `hooks`' own callbacks are called too, after the tracing. The providers default to the
    global ones; `capture_content` (default: the ``CAPTURE_CONTENT_ENV`` variable is ``true``)
    records prompts.
    """
    if capture_content is None:
        capture_content = os.environ.get(CAPTURE_CONTENT_ENV, "").strip().lower() == "true"
    tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider, schema_url=_SCHEMA_URL)
    meter = metrics.get_meter(_SCOPE, __version__, meter_provider, schema_url=_SCHEMA_URL)
    duration = meter.create_histogram(
        "gen_ai.client.operation.duration",
        unit="s",
        description="How long a Bria Job took, from its submission to its end.",
        explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
    )
    tracing = _Tracing(tracer, duration, capture_content)
    user = hooks or Hooks()
    return Hooks(
        on_request=_chain(tracing.on_request, user.on_request),
        on_retry=user.on_retry,
        on_poll=_chain(tracing.on_poll, user.on_poll),
        on_job=_chain(tracing.on_job, user.on_job),
    )


def _chain(first: Callable[[E], None], then: Callable[[E], None] | None) -> Callable[[E], None]:
    if then is None:
        return first

    def both(event: E) -> None:
        first(event)
        then(event)

    return both


class _Tracing:
    """The spans of the Jobs in flight, by job id, and what each event does to them."""

    def __init__(
        self, tracer: trace.Tracer, duration: metrics.Histogram, capture_content: bool
    ) -> None:
        self._tracer = tracer
        self._duration = duration
        self._capture_content = capture_content
        self._jobs: dict[str, _JobSpan] = {}

    def _job_span(self, job_id: str, ago: float = 0.0) -> _JobSpan:
        """The span of `job_id`, started `ago` seconds back if it has none yet."""
        state = self._jobs.get(job_id)
        if state is None:
            span = self._tracer.start_span(
                "bria job",
                kind=SpanKind.CLIENT,
                start_time=time.time_ns() - int(ago * 1e9),
                attributes={"gen_ai.provider.name": "bria", "bria.job_id": job_id},
            )
            state = self._jobs[job_id] = _JobSpan(span, time.monotonic() - ago)
        return state

    def on_job(self, event: JobEvent) -> None:
        state = self._job_span(event.job_id)
        span = state.span
        operation = "image_generation" if event.kind in _GENERATION_KINDS else event.kind
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": operation,
            "gen_ai.provider.name": "bria",
            "bria.route": event.kind,
        }
        if event.model is not None:
            attributes["gen_ai.request.model"] = event.model
        span.update_name(f"{operation} {event.model}" if event.model else operation)
        span.set_attributes({**attributes, "bria.job_id": event.job_id})
        if self._capture_content and event.prompt is not None:
            messages = [{"role": "user", "parts": [{"type": "text", "content": event.prompt}]}]
            span.set_attribute("gen_ai.input.messages", json.dumps(messages))
        if event.status not in _FINAL:
            return
        del self._jobs[event.job_id]
        span.set_attribute("bria.probes", state.probes)
        if event.images is not None:
            span.set_attribute("bria.images", event.images)
        if event.status != "done":
            error = event.error or event.status
            span.set_attribute("error.type", error)
            span.set_status(Status(StatusCode.ERROR, f"job {event.status}"))
            attributes["error.type"] = error
        span.end()
        self._duration.record(time.monotonic() - state.started, attributes)

    def on_poll(self, event: PollEvent) -> None:
        if event.job_id is None:
            return
        state = self._job_span(event.job_id)
        state.probes += 1
        if event.elapsed is None:  # a v2 status read: its RequestEvent makes its span
            return
        # A probe answered "not yet" (404, 403, 416) is how polling works, not an error.
        error = None
        if event.outcome in {"retry", "failed"}:
            error = "APIConnectionError" if event.status is None else str(event.status)
        extra = {"bria.probe.outcome": event.outcome}
        self._http_span("GET", event.url, event.status, event.elapsed, error, state.span, extra)

    def on_request(self, event: RequestEvent) -> None:
        parent = None
        if event.job_id is not None:
            parent = self._job_span(event.job_id, event.elapsed).span
        error = event.error_type
        if event.status is not None and event.status >= 400:
            error = str(event.status)
        extra = {}
        if event.attempt > 1:
            extra["http.request.resend_count"] = event.attempt - 1
        self._http_span(event.method, event.url, event.status, event.elapsed, error, parent, extra)

    def _http_span(
        self,
        method: str,
        raw_url: str,
        status: int | None,
        elapsed: float,
        error: str | None,
        parent: trace.Span | None,
        extra: Mapping[str, Any],
    ) -> None:
        """One finished HTTP call, `elapsed` seconds long, as a child of `parent` (or of the
        current span)."""
        url = urllib.parse.urlsplit(raw_url)
        attributes: dict[str, Any] = {
            "http.request.method": method,
            "url.full": _redacted(url),
            "server.address": url.hostname or "",
            "server.port": url.port or (443 if url.scheme == "https" else 80),
            **extra,
        }
        if status is not None:
            attributes["http.response.status_code"] = status
        if error is not None:
            attributes["error.type"] = error
        span = self._tracer.start_span(
            method,
            context=context.get_current() if parent is None else trace.set_span_in_context(parent),
            kind=SpanKind.CLIENT,
            start_time=time.time_ns() - int(elapsed * 1e9),
            attributes=attributes,
        )
        if error is not None:
            span.set_status(Status(StatusCode.ERROR))
        span.end()


def _redacted(url: urllib.parse.SplitResult) -> str:
    """`url` without user info, and with the values of credential-like query keys replaced."""
    netloc = url.hostname or ""
    if url.port is not None:
        netloc = f"{netloc}:{url.port}"
    query = urllib.parse.urlencode(
        [
            (key, "REDACTED" if any(h in key.lower() for h in _SECRET_QUERY_HINTS) else value)
            for key, value in urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        ],
        safe="",
    )
    return urllib.parse.urlunsplit((url.scheme, netloc, url.path, query, ""))
