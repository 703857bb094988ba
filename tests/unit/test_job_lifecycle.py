"""Every wait ends right, for every kind of job: windows that end and open again, failed
submissions, cancelled waiters, one-image results, Retry-After, bad placeholder URLs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aioresponses import CallbackResult
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, JobStatus, PollSettings, RetrySettings, Settings
from tests.conftest import BASE_URL, TOKEN, MockAPI

GEN = f"{BASE_URL}/text-to-image/base/2.3"
A = "https://storage.test/results/a.png"
B = "https://storage.test/results/b.png"
VID = "8487fb411f3c6716"
INFO = f"{BASE_URL}/{VID}/info"
MODELS = f"{BASE_URL}/tailored-gen/models"
MODEL = {"id": 123, "name": "m", "status": "Training In Progress", "dataset_id": 7}
#: A guard against a hang: each test's waits end long before it.
HANG = 20


def answer(*urls: Any) -> dict[str, Any]:
    return {"result": [{"urls": [u], "seed": i} for i, u in enumerate(urls)]}


def calls(mock_api: MockAPI, method: str, url: str) -> int:
    return len(mock_api.requests.get((method, URL(url)), []))


@pytest.fixture
async def short(mock_api: MockAPI) -> AsyncIterator[BriaClient]:
    """A client whose polling windows end after half a second."""
    polling = PollSettings(
        initial_delay=0.02,
        min_interval=0.02,
        max_interval=0.1,
        info_interval=0.05,
        training_interval=0.05,
        job_timeout=0.5,
        training_timeout=0.5,
    )
    settings = Settings(retries=RetrySettings(backoff_scale=0.0), polling=polling)
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=settings) as bria:
        yield bria


# --- 1. a window that ended opens again when the job is awaited again -------------------------
async def test_an_info_job_awaited_again_after_its_window_calls_again(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(INFO, status=205, repeat=True)
    job = short.visuals.info(VID)
    with pytest.raises(ba.JobTimeoutError, match="still onboarding"):
        await asyncio.wait_for(job.wait(), HANG)
    stalled = job.status
    assert stalled is JobStatus.STALLED
    assert isinstance(job.exception(), ba.JobTimeoutError)
    mock_api.clear()
    mock_api.get(INFO, payload={"description": "a fox"})
    info = await asyncio.wait_for(job.wait(), HANG)
    assert info.visual_id == VID
    assert job.status is JobStatus.DONE


async def test_a_training_awaited_again_after_its_window_follows_again(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{MODELS}/123/start_training", payload=MODEL)
    mock_api.get(f"{MODELS}/123", payload=MODEL, repeat=True)
    job = short.models.start_training(123)
    with pytest.raises(ba.JobTimeoutError, match="status is not final"):
        await asyncio.wait_for(job.wait(), HANG)
    mock_api.clear()
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": "Completed"})
    model = await asyncio.wait_for(job.wait(), HANG)
    assert model.status is ba.ModelStatus.COMPLETED


async def test_a_placeholder_job_awaited_again_after_its_window_polls_again(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=404, repeat=True)
    job = short.images.generate("a fox", num_results=1)
    with pytest.raises(ba.JobTimeoutError) as first:
        await asyncio.wait_for(job.wait(), HANG)
    assert first.value.pending_urls == (A,)
    assert first.value.waited >= 0.4
    mock_api.clear()
    mock_api.get(A, status=404)
    mock_api.get(A, status=404)
    mock_api.get(A, status=206, body=b"\x89PNG")
    result = await asyncio.wait_for(job.wait(), HANG)
    assert result.urls == (A,)


# --- 2. gather and as_completed ----------------------------------------------------------------
async def test_gather_returns_the_timeout_in_the_slot_of_a_job_whose_window_ended(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.post(GEN, payload=answer(B))
    mock_api.get(A, status=206, body=b"\x89PNG")
    mock_api.get(B, status=404, repeat=True)
    jobs = [short.images.generate("a fox", num_results=1) for _ in range(2)]
    done, stalled = await asyncio.wait_for(short.gather(jobs, return_exceptions=True), HANG)
    assert isinstance(done, ba.ImageResult)
    assert isinstance(stalled, ba.JobTimeoutError)
    assert stalled.pending_urls == (B,)
    with pytest.raises(ba.JobTimeoutError):
        await asyncio.wait_for(short.gather(jobs[1:]), HANG)


async def test_as_completed_hands_out_a_stalled_job_with_its_timeout(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=404, repeat=True)
    jobs = [short.images.generate("a fox", num_results=1)]
    handed = [job async for job in short.as_completed(jobs)]
    assert handed == jobs
    assert isinstance(handed[0].exception(), ba.JobTimeoutError)
    with pytest.raises(ba.JobTimeoutError):
        handed[0].result()


# --- 3. a failed submission raises its own error ------------------------------------------------
async def test_a_submission_that_timed_out_raises_its_own_error_not_a_wait_timeout(
    mock_api: MockAPI,
) -> None:
    mock_api.post(GEN, exception=asyncio.TimeoutError())
    settings = Settings(retries=RetrySettings(max_attempts=1))
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=settings) as bria:
        job = bria.images.generate("a fox", num_results=1)
        for _ in range(2):
            with pytest.raises(ba.APITimeoutError) as raised:
                await job.wait(timeout=30)
            assert not isinstance(raised.value, ba.JobTimeoutError)
        assert job.status is JobStatus.FAILED
        assert calls(mock_api, "POST", GEN) == 1


async def test_a_wait_that_ends_during_the_submission_says_so(
    client: BriaClient, mock_api: MockAPI
) -> None:
    async def slow(url: Any, **kwargs: Any) -> CallbackResult:
        await asyncio.sleep(0.3)
        return CallbackResult(payload=answer(A))

    mock_api.post(GEN, callback=slow)
    mock_api.get(A, status=206, body=b"\x89PNG")
    job = client.images.generate("a fox", num_results=1)
    with pytest.raises(ba.JobTimeoutError, match="its submission") as raised:
        await job.wait(timeout=0.05)
    assert raised.value.waited >= 0.04
    assert (await job).urls == (A,)


# --- 4. a cancelled waiter leaves the job to complete on its own ----------------------------------
async def test_a_job_whose_waiter_was_cancelled_mid_post_completes_on_its_own(
    client: BriaClient, mock_api: MockAPI
) -> None:
    async def slow(url: Any, **kwargs: Any) -> CallbackResult:
        await asyncio.sleep(0.1)
        return CallbackResult(payload=answer(A))

    mock_api.post(GEN, callback=slow)
    mock_api.get(A, status=206, body=b"\x89PNG", repeat=True)
    job = client.images.generate("a fox", num_results=1)
    waiter = asyncio.ensure_future(job.wait())
    await asyncio.sleep(0.02)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    for _ in range(200):
        if job.done():
            break
        await asyncio.sleep(0.02)
    assert job.status is JobStatus.DONE  # polled without anyone awaiting it
    assert calls(mock_api, "GET", A) >= 1


# --- 5. as_completed on one-image results ------------------------------------------------------
async def test_as_completed_yields_the_image_of_a_one_image_result(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))  # a sync=True answer: the Job's result at once
    job = client.images.generate("a fox", num_results=1, sync=True)
    images = [image async for image in job.as_completed()]
    assert [image.url for image in images] == [A]


# --- 6 and 7. timeouts report the real wait; Retry-After never outlives the window ---------------
async def test_as_completed_timeout_reports_the_real_wait(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=404, repeat=True)
    job = short.images.generate("a fox", num_results=1)
    with pytest.raises(ba.JobTimeoutError) as raised:
        async for _ in job.as_completed():
            pass
    assert raised.value.waited >= 0.4
    assert "after 0.0s" not in str(raised.value)


async def test_a_probe_retry_after_longer_than_the_window_ends_with_the_window(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A))
    mock_api.get(A, status=429, headers={"Retry-After": "86400"}, repeat=True)
    job = short.images.generate("a fox", num_results=1)
    with pytest.raises(ba.JobTimeoutError):
        await asyncio.wait_for(job.wait(), HANG)  # not a day later


# --- 10. placeholder URLs that cannot be fetched fail the job at once ---------------------------
@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "ftp://storage.test/a.png",
        5,
        "http://169.254.169.254/latest",
        "https:///nohost",
    ],
)
async def test_a_placeholder_url_that_cannot_be_fetched_fails_the_job_at_once(
    client: BriaClient, mock_api: MockAPI, url: Any
) -> None:
    mock_api.post(GEN, payload=answer(url))
    job = client.images.generate("a fox", num_results=1)
    with pytest.raises(ba.APIResponseValidationError, match="placeholder URL") as raised:
        await asyncio.wait_for(job.wait(), HANG)
    assert raised.value.job_id == job.id
    assert job.status is JobStatus.FAILED
    assert sum(len(v) for k, v in mock_api.requests.items() if k[0] == "GET") == 0


# --- 11. the info routes' 400 "Please call /info again" -----------------------------------------
CALL_AGAIN = {"error": "One of the details does not meet specification. Please call /info again."}


async def test_an_info_route_400_call_again_is_called_again(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(INFO, status=400, payload=CALL_AGAIN)
    mock_api.get(INFO, status=400, payload=CALL_AGAIN)
    mock_api.get(INFO, payload={"description": "a fox"})
    info = await asyncio.wait_for(client.visuals.info(VID), HANG)
    assert info.visual_id == VID
    assert calls(mock_api, "GET", INFO) == 3


async def test_an_info_route_that_keeps_answering_400_call_again_fails(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(INFO, status=205)
    mock_api.get(INFO, status=400, payload=CALL_AGAIN, repeat=True)
    with pytest.raises(ba.BadRequestError, match="call /info again"):
        await asyncio.wait_for(client.visuals.info(VID), HANG)


async def test_another_400_of_an_info_route_fails_at_once(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(INFO, status=400, payload={"error": "visual_id is not valid"})
    with pytest.raises(ba.BadRequestError, match="not valid"):
        await client.visuals.info(VID)
    assert calls(mock_api, "GET", INFO) == 1


async def test_as_completed_raises_a_failure_that_came_while_the_caller_held_an_image(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A, B))
    mock_api.get(A, status=404)
    mock_api.get(A, status=410, repeat=True)
    mock_api.get(B, status=206, body=b"\x89PNG", repeat=True)
    job = client.images.generate("a fox", num_results=2)
    given: list[str] = []

    async def save_each() -> None:
        async for image in job.as_completed():
            given.append(image.url)
            for _ in range(100):  # the caller saves the image; A fails meanwhile
                if job.done():
                    break
                await asyncio.sleep(0.01)

    with pytest.raises(ba.JobFailedError) as raised:
        await save_each()
    assert given == [B]
    assert raised.value.url == A


async def test_as_completed_gives_an_earlier_image_that_got_ready_while_one_was_held(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload=answer(A, B))
    mock_api.get(A, status=404)
    mock_api.get(A, status=206, body=b"\x89PNG", repeat=True)
    mock_api.get(B, status=206, body=b"\x89PNG", repeat=True)
    job = client.images.generate("a fox", num_results=2)
    given: list[str] = []
    async for image in job.as_completed():
        given.append(image.url)
        for _ in range(100):  # the caller saves B; A gets ready meanwhile and the job is done
            if job.done():
                break
            await asyncio.sleep(0.01)
    assert given == [B, A]


async def test_as_completed_gives_an_image_that_got_ready_while_one_was_held_at_once(
    client: BriaClient, mock_api: MockAPI
) -> None:
    c = "https://storage.test/results/c.png"
    mock_api.post(GEN, payload=answer(A, B, c))
    mock_api.get(A, status=404)
    mock_api.get(A, status=206, body=b"\x89PNG", repeat=True)
    mock_api.get(B, status=404, repeat=True)
    mock_api.get(c, status=206, body=b"\x89PNG", repeat=True)
    job = client.images.generate("a fox", num_results=3)
    given: list[str] = []
    async for image in job.as_completed():
        given.append(image.url)
        if image.url == c:  # hold C until A is ready; B never is, until released below
            for _ in range(100):
                if len(job.pending_urls) == 1:
                    break
                await asyncio.sleep(0.01)
        if image.url == A:
            mock_api.clear()
            mock_api.get(B, status=206, body=b"\x89PNG", repeat=True)
    assert given == [c, A, B]
