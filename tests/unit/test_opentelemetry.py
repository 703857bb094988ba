"""bria_async.contrib.opentelemetry: a span per Job, HTTP child spans, the duration metric,
read back from the OpenTelemetry SDK's in-memory exporter and metric reader."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import bria_async as ba
from bria_async import BriaClient, Hooks, PollSettings, RetrySettings, Settings
from bria_async.contrib.opentelemetry import CAPTURE_CONTENT_ENV, opentelemetry_hooks
from tests.conftest import BASE_URL, TOKEN, MockAPI

GEN = f"{BASE_URL}/text-to-image/base/2.3"
A = "https://storage.test/results/a.png"
PNG = b"\x89PNG\r\n\x1a\n"


@attrs.frozen
class Telemetry:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def hooks(self, hooks: Hooks | None = None, **options: Any) -> Hooks:
        return opentelemetry_hooks(
            hooks,
            tracer_provider=self.tracer_provider,
            meter_provider=self.meter_provider,
            **options,
        )

    def finished(self) -> tuple[ReadableSpan, list[ReadableSpan]]:
        """The one job span, and the HTTP spans."""
        spans = list(self.spans.get_finished_spans())
        jobs = [s for s in spans if s.attributes and "bria.job_id" in s.attributes]
        assert len(jobs) == 1, spans
        return jobs[0], [s for s in spans if s is not jobs[0]]

    def durations(self) -> list[HistogramDataPoint]:
        data = self.metrics.get_metrics_data()
        assert data is not None
        return [
            point
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == "gen_ai.client.operation.duration"
            for point in metric.data.data_points
            if isinstance(point, HistogramDataPoint)
        ]


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    yield Telemetry(spans, reader, tracer_provider, meter_provider)
    tracer_provider.shutdown()
    meter_provider.shutdown()


def _client(hooks: Hooks) -> BriaClient:
    return BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing(), hooks=hooks)


async def test_a_generation_is_one_span_with_its_call_and_probes_as_children_and_a_duration(
    mock_api: MockAPI, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CAPTURE_CONTENT_ENV, raising=False)
    mock_api.post(GEN, payload={"result": [{"urls": [A], "seed": 1}]})
    mock_api.get(A, status=404)
    mock_api.get(A, status=206, body=b"\x89")
    async with _client(telemetry.hooks()) as bria:
        job = bria.images.generate("a red fox", num_results=1)
        await job
    span, calls = telemetry.finished()
    assert span.name == "image_generation base/2.3"
    assert span.kind is SpanKind.CLIENT
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "image_generation",
        "gen_ai.provider.name": "bria",
        "gen_ai.request.model": "base/2.3",
        "bria.route": "images.generate",
        "bria.job_id": job.id,
        "bria.images": 1,
        "bria.probes": 2,
    }
    assert span.status.status_code is StatusCode.UNSET
    call, pending, ready = calls
    assert (call.name, pending.name, ready.name) == ("POST", "GET", "GET")
    for probe, outcome, status in [(pending, "pending", 404), (ready, "ready", 206)]:
        assert probe.parent is not None
        assert span.context is not None
        assert probe.parent.span_id == span.context.span_id
        assert (probe.attributes or {})["bria.probe.outcome"] == outcome
        assert (probe.attributes or {})["http.response.status_code"] == status
        assert (probe.attributes or {})["url.full"] == A
        assert probe.status.status_code is StatusCode.UNSET  # "not yet" is no error
    assert call.parent is not None
    assert span.context is not None
    assert call.parent.span_id == span.context.span_id
    assert dict(call.attributes or {}) == {
        "http.request.method": "POST",
        "url.full": GEN,
        "server.address": "engine.test.bria-api.com",
        "server.port": 443,
        "http.response.status_code": 200,
    }
    assert span.start_time is not None
    assert call.start_time is not None
    assert span.start_time <= call.start_time
    [point] = telemetry.durations()
    assert point.count == 1
    assert dict(point.attributes or {}) == {
        "gen_ai.operation.name": "image_generation",
        "gen_ai.provider.name": "bria",
        "gen_ai.request.model": "base/2.3",
        "bria.route": "images.generate",
    }


async def test_a_failed_job_and_its_call_carry_the_error(
    mock_api: MockAPI, telemetry: Telemetry
) -> None:
    mock_api.post(GEN, status=503, payload={"error": "busy"})
    mock_api.post(GEN, status=400, payload={"error": "bad prompt"})
    async with _client(telemetry.hooks()) as bria:
        with pytest.raises(ba.BadRequestError):
            await bria.images.generate("a red fox", num_results=1)
    span, calls = telemetry.finished()
    assert (span.attributes or {})["error.type"] == "BadRequestError"
    assert span.status.status_code is StatusCode.ERROR
    assert [
        ((c.attributes or {})["error.type"], (c.attributes or {}).get("http.request.resend_count"))
        for c in calls
    ] == [("503", None), ("400", 1)]
    assert all(c.status.status_code is StatusCode.ERROR for c in calls)
    [point] = telemetry.durations()
    assert (point.attributes or {})["error.type"] == "BadRequestError"


@pytest.mark.parametrize(("env", "recorded"), [("true", True), ("false", False), ("", False)])
async def test_prompts_are_recorded_only_when_the_environment_says_so(
    mock_api: MockAPI,
    telemetry: Telemetry,
    monkeypatch: pytest.MonkeyPatch,
    env: str,
    recorded: bool,
) -> None:
    monkeypatch.setenv(CAPTURE_CONTENT_ENV, env)
    mock_api.post(GEN, payload={"result": [{"urls": [A], "seed": 1}]})
    async with _client(telemetry.hooks()) as bria:
        await bria.images.generate("a red fox", num_results=1, sync=True)
    span, _ = telemetry.finished()
    messages = (span.attributes or {}).get("gen_ai.input.messages")
    if recorded:
        assert messages == (
            '[{"role": "user", "parts": [{"type": "text", "content": "a red fox"}]}]'
        )
    else:
        assert messages is None


async def test_a_download_outside_a_job_is_a_child_of_the_current_span_with_secrets_redacted(
    mock_api: MockAPI, telemetry: Telemetry, tmp_path: Path
) -> None:
    signed = f"{A}?X-Amz-Signature=s3cr3t&X-Amz-Credential=AKIA&size=large"
    mock_api.post(GEN, payload={"result": [{"urls": [signed], "seed": 1}]})
    mock_api.get(signed, status=200, body=PNG)
    seen: list[ba.RequestEvent] = []
    tracer = telemetry.tracer_provider.get_tracer("the user's app")
    async with _client(telemetry.hooks(Hooks(on_request=seen.append))) as bria:
        result = await bria.images.generate("a red fox", num_results=1, sync=True)
        with tracer.start_as_current_span("save") as save:
            await result.save(tmp_path)
    assert len(seen) == 2  # the user's own hook is still called
    download = next(s for s in telemetry.spans.get_finished_spans() if s.name == "GET")
    assert download.parent is not None
    assert download.parent.span_id == save.get_span_context().span_id
    url = (download.attributes or {})["url.full"]
    assert url == f"{A}?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&size=large"


async def test_a_stalled_job_ends_its_span_and_awaiting_it_again_starts_another(
    mock_api: MockAPI, telemetry: Telemetry
) -> None:
    polling = PollSettings(
        initial_delay=0.02, min_interval=0.02, max_interval=0.05, job_timeout=0.2
    )
    settings = Settings(retries=RetrySettings(backoff_scale=0.0), polling=polling)
    mock_api.post(GEN, payload={"result": [{"urls": [A], "seed": 1}]})
    mock_api.get(A, status=404, repeat=True)
    async with BriaClient(
        TOKEN, base_url=BASE_URL, settings=settings, hooks=telemetry.hooks()
    ) as bria:
        job = bria.images.generate("a red fox", num_results=1)
        with pytest.raises(ba.JobTimeoutError):
            await asyncio.wait_for(job.wait(), 20)
        mock_api.clear()
        mock_api.get(A, status=206, body=b"\x89")
        await asyncio.wait_for(job.wait(), 20)
    spans = telemetry.spans.get_finished_spans()
    stalled, done = [s for s in spans if s.name.startswith("image_generation")]
    assert (stalled.attributes or {})["error.type"] == "JobTimeoutError"
    assert (done.attributes or {})["bria.job_id"] == job.id
    assert "error.type" not in (done.attributes or {})
    assert [(p.attributes or {}).get("error.type") for p in telemetry.durations()] == [
        "JobTimeoutError",
        None,
    ]
