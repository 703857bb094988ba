"""The Job life cycle and the shared poller's probe rules, through the public API."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, JobStatus
from tests.conftest import BASE_URL, TOKEN, MockAPI

GEN = f"{BASE_URL}/text-to-image/base/2.3"
A = "https://storage.test/results/a.png"
B = "https://storage.test/results/b.png"


def answer(*urls: str) -> dict[str, Any]:
    return {"result": [{"urls": [u], "seed": i, "uuid": f"u{i}"} for i, u in enumerate(urls)]}


def posts(mock_api: MockAPI) -> int:
    return len(mock_api.requests.get(("POST", URL(GEN)), []))


def probes(mock_api: MockAPI, url: str) -> list[Any]:
    return mock_api.requests.get(("GET", URL(url)), [])


async def test_job_awaited_twice_is_sent_once(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=206, body=b"\x89")
    job = client.images.generate("a fox", num_results=1)
    before = job.status
    first = await job
    second = await job
    assert first is second
    assert posts(mock_api) == 1
    assert (before, job.status) == (JobStatus.PENDING, JobStatus.DONE)
    assert job.done()


async def test_submit_returns_placeholder_urls_before_they_are_ready(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A, B))
    job = await client.images.generate("a fox", num_results=2).submit()
    assert job.urls == (A, B)
    assert job.status is JobStatus.RUNNING  # polled by the client's poller from now on
    assert not job.done()
    job.cancel()


@pytest.mark.parametrize("not_yet", [403, 404, 416])
async def test_placeholder_not_yet_statuses_are_polled_again(
    client: BriaClient, mock_api: MockAPI, not_yet: int
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=not_yet)
    mock_api.get(A, status=200, body=b"")  # ready status but empty: not yet either
    mock_api.get(A, status=200, body=b"\x89PNG")
    result = await client.images.generate("a fox", num_results=1)
    assert result.urls == (A,)
    assert len(probes(mock_api, A)) == 3


async def test_placeholder_5xx_is_retried(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=503)
    mock_api.get(A, status=500)
    mock_api.get(A, status=206, body=b"\x89")
    await client.images.generate("a fox", num_results=1)
    assert len(probes(mock_api, A)) == 3


@pytest.mark.parametrize("status", [400, 401, 410])
async def test_placeholder_other_4xx_fails_naming_job_and_url(
    client: BriaClient, mock_api: MockAPI, status: int
) -> None:
    mock_api.post(GEN, payload=answer(A, B))
    mock_api.get(A, status=status)
    mock_api.get(B, status=206, body=b"\x89", repeat=True)
    job = client.images.generate("a fox", num_results=2)
    with pytest.raises(ba.JobFailedError) as info:
        await job
    assert info.value.url == A
    assert info.value.job_id == job.id
    assert job.id in str(info.value)
    assert A in str(info.value)
    assert str(status) in str(info.value)
    assert job.status is JobStatus.FAILED
    assert job.exception() is info.value


async def test_placeholders_are_probed_with_range_and_without_the_token(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=206, body=b"\x89")
    mock_api.get(A, status=200, body=b"\x89PNG\r\n\x1a\n-full-bytes")
    result = await client.images.generate("a fox", num_results=1)
    assert await result.images[0].read() == b"\x89PNG\r\n\x1a\n-full-bytes"
    probe, download = probes(mock_api, A)
    assert probe.kwargs["headers"] == {"Range": "bytes=0-0"}
    for call in (probe, download):
        assert "api_token" not in (call.kwargs.get("headers") or {})
        assert TOKEN not in str(call.kwargs)


async def test_timeout_names_the_job_and_the_pending_url_and_the_job_goes_on(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A, B))
    mock_api.get(A, status=206, body=b"\x89")
    mock_api.get(B, status=404, repeat=True)
    job = client.images.generate("a fox", num_results=2)
    async for image in job.as_completed():  # A is ready before the window starts, however slow
        assert image.url == A
        break
    with pytest.raises(ba.JobTimeoutError) as info:
        await job.wait(timeout=0.3)
    assert isinstance(info.value, TimeoutError)
    assert info.value.pending_urls == (B,)
    assert job.id in str(info.value)
    assert B in str(info.value)
    assert A not in str(info.value)
    assert job.status is JobStatus.RUNNING
    sent = posts(mock_api)
    mock_api.clear()
    mock_api.get(B, status=206, body=b"\x89", repeat=True)
    result = await job.wait(timeout=5)
    assert result.urls == (A, B)
    assert posts(mock_api) == sent  # waiting again after the timeout sent nothing new


async def test_job_resumed_from_its_token_is_polled_not_resubmitted(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A, B))
    job = await client.images.generate("a fox", num_results=2).submit()
    token = job.to_dict()
    job.cancel()
    import json

    token = json.loads(json.dumps(token))  # it is plain JSON
    assert TOKEN not in json.dumps(token)
    mock_api.get(A, status=206, body=b"\x89")
    mock_api.get(B, status=206, body=b"\x89")
    resumed = client.jobs.resume(token)
    assert resumed.id == job.id
    assert resumed.urls == (A, B)
    result = await resumed
    assert [i.seed for i in result.images] == [0, 1]
    assert posts(mock_api) == 1


async def test_resumed_finished_job_makes_no_request(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=206, body=b"\x89")
    job = client.images.generate("a fox", num_results=1)
    await job
    calls = sum(len(v) for v in mock_api.requests.values())
    result = await client.jobs.resume(job.to_dict())
    assert result.urls == (A,)
    assert sum(len(v) for v in mock_api.requests.values()) == calls


def test_resume_refuses_what_is_not_a_token(client: BriaClient) -> None:
    with pytest.raises(ba.BriaError, match="not a bria_async job token"):
        client.jobs.resume({"id": "x"})


async def test_to_dict_before_submission_says_to_submit(client: BriaClient) -> None:
    job = client.images.generate("a fox")
    with pytest.raises(ba.JobError, match="submit"):
        job.to_dict()
    job.cancel()


async def test_as_completed_hands_out_each_image_when_ready(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A, B))
    mock_api.get(A, status=404)
    mock_api.get(A, status=206, body=b"\x89")
    mock_api.get(B, status=206, body=b"\x89")
    job = client.images.generate("a fox", num_results=2)
    order = [image.url async for image in job.as_completed()]
    assert order == [B, A]


async def test_cancel_stops_polling_and_waiters_get_job_cancelled(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=404, repeat=True)
    job = await client.images.generate("a fox", num_results=1).submit()
    waiter = asyncio.ensure_future(job.wait())
    await asyncio.sleep(0.1)
    assert job.cancel()
    with pytest.raises(ba.JobCancelledError):
        await waiter
    assert job.status is JobStatus.CANCELLED
    seen = len(probes(mock_api, A))
    await asyncio.sleep(0.2)
    assert len(probes(mock_api, A)) == seen
    assert not job.cancel()


async def test_cancelling_the_waiting_task_leaves_the_job_to_await_again(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=404)
    mock_api.get(A, status=404)
    mock_api.get(A, status=206, body=b"\x89")
    job = client.images.generate("a fox", num_results=1)
    waiter = asyncio.ensure_future(job.wait())
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert (await job).urls == (A,)
    assert posts(mock_api) == 1


async def test_failed_submission_is_reported_again_without_resending(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, status=400, payload={"error": "prompt is not English"})
    job = client.images.generate("un renard", num_results=1)
    for _ in range(2):
        with pytest.raises(ba.BadRequestError, match="not English"):
            await job
    assert job.status is JobStatus.FAILED
    assert posts(mock_api) == 1


async def test_unexpected_response_shape_fails_the_job_clearly(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload={"surprise": True})
    job = client.images.generate("a fox", num_results=1)
    with pytest.raises(ba.APIResponseValidationError, match="no placeholder URLs") as raised:
        await job
    assert raised.value.job_id == job.id
    assert "surprise" in raised.value.excerpt


async def test_retired_model_version_answer_209_warns_naming_the_version(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(
        f"{BASE_URL}/text-to-image/base/2.0",
        status=209,
        payload={"result": [{"urls": ["https://storage.test/x.png"], "seed": 1}]},
    )
    with pytest.warns(ba.RetiredModelVersionWarning, match="2.0"):
        result = await client.images.generate("a fox", model_version="2.0", sync=True)
    assert result.urls == ("https://storage.test/x.png",)


async def test_a_job_dropped_without_being_sent_warns() -> None:
    async with BriaClient(TOKEN, base_url=BASE_URL) as bria:
        with pytest.warns(RuntimeWarning, match="never sent"):
            drop_an_unsent_job(bria)


async def test_gather_keeps_order_and_bounds_concurrency(
    client: BriaClient, mock_api: MockAPI
) -> None:
    in_flight = 0
    peak = 0
    from aioresponses import CallbackResult

    async def slow_answer(url: object, **kwargs: Any) -> CallbackResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        prompt = kwargs["json"]["prompt"]
        return CallbackResult(
            payload={"result": [{"urls": [f"https://s.test/{prompt}"], "seed": int(prompt)}]},
            response_class=_stand_in(),
        )

    mock_api.post(GEN, callback=slow_answer, repeat=True)
    jobs = [client.images.generate(str(i), num_results=1, sync=True) for i in range(12)]
    results = await client.gather(jobs, limit=3)
    assert [r.images[0].seed for r in results] == list(range(12))
    assert peak == 3


async def test_gather_returns_exceptions_in_place_when_asked(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload={"result": [{"urls": [A], "seed": 1}]})
    mock_api.post(GEN, status=400, payload={"error": "bad prompt"})
    jobs = [client.images.generate(p, num_results=1, sync=True) for p in ("ok", "bad")]
    results = await client.gather(jobs, limit=1, return_exceptions=True)
    assert isinstance(results[0], ba.ImageResult)
    assert isinstance(results[1], ba.BadRequestError)
    with pytest.raises(ba.BadRequestError):
        await client.gather(jobs)


async def test_as_completed_yields_every_job_once(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(GEN, payload={"result": [{"urls": [A], "seed": 1}]}, repeat=True)
    jobs = [client.images.generate(f"p{i}", num_results=1, sync=True) for i in range(5)]
    seen = [job async for job in client.as_completed(jobs, limit=2)]
    assert sorted(j.id for j in seen) == sorted(j.id for j in jobs)
    assert all(j.done() for j in seen)


def drop_an_unsent_job(bria: BriaClient) -> None:
    bria.images.generate("never sent")
    gc.collect()


def _stand_in() -> Any:
    from tests.conftest import _StandInStreamWriterResponse

    return _StandInStreamWriterResponse
