"""Direct routes answer their result: no Job, no token, and a task only where a cancelled
caller must not abort a request the server may bill."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

import pytest

import bria_async as ba
from bria_async import BriaClient
from tests.conftest import BASE_URL, TOKEN, MockAPI

CUTOUT = f"{BASE_URL}/product/cutout"
MODELS = f"{BASE_URL}/tailored-gen/models"
GEN = f"{BASE_URL}/text-to-image/base/2.3"
IMAGE = "https://img.test/shoe.jpg"
FOR_TESTING = ba.Settings.for_testing()
MODEL = {"id": 7, "name": "m", "status": "Created", "dataset_id": 1}


def request_tasks() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


async def test_a_direct_route_is_a_coroutine_giving_its_result(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(CUTOUT, payload={"result_url": "https://storage.test/cut.png"})
    call = client.product.cutout(IMAGE)
    assert asyncio.iscoroutine(call)
    assert not isinstance(call, ba.Job)
    result = await call
    assert result.url == "https://storage.test/cut.png"
    assert result.job_id  # results still carry an id (their saved files are named by it)


async def test_a_non_billable_direct_call_runs_in_the_callers_task(mock_api: MockAPI) -> None:
    senders: list[asyncio.Task[object] | None] = []

    def on_request(event: ba.RequestEvent) -> None:
        senders.append(asyncio.current_task())

    mock_api.get(MODELS, payload=[MODEL])
    hooks = ba.Hooks(on_request=on_request)
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=FOR_TESTING, hooks=hooks) as bria:
        models = await bria.models.list()
    assert [m.id for m in models] == [7]
    assert senders
    assert set(senders) == {asyncio.current_task()}


async def test_a_cancelled_billable_call_completes_and_says_its_result_was_dropped(
    client: BriaClient, mock_api: MockAPI, caplog: pytest.LogCaptureFixture
) -> None:
    gate = asyncio.Event()

    async def slow(url: object, **kwargs: object) -> None:
        await gate.wait()

    mock_api.post(CUTOUT, payload={"result_url": "https://storage.test/cut.png"}, callback=slow)
    caller = asyncio.ensure_future(client.product.cutout(IMAGE))
    for _ in range(20):
        await asyncio.sleep(0)
    assert len(mock_api.requests) == 1  # sent
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    (request,) = request_tasks()  # the request goes on in its own task
    with caplog.at_level(logging.WARNING, logger="bria_async"):
        gate.set()
        await request
    assert "completed after its caller was cancelled (result dropped)" in caplog.text
    assert sum(len(calls) for calls in mock_api.requests.values()) == 1  # never sent again


async def test_gather_takes_direct_calls_and_jobs_together_in_order(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(MODELS, payload=[MODEL], repeat=True)
    mock_api.post(GEN, payload={"result": [{"urls": ["https://cdn.test/a.png"], "seed": 1}]})
    job = client.images.generate("a fox", sync=True)
    calls: list[Awaitable[object]] = [client.models.list(), job, client.models.list()]
    models, image, again = await client.gather(calls)
    assert models == again
    assert [m.id for m in models] == [7]  # type: ignore[attr-defined]
    assert image.urls == ("https://cdn.test/a.png",)  # type: ignore[attr-defined]


async def test_gather_puts_a_direct_calls_error_in_its_place(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(f"{MODELS}/1", status=404, payload={"message": "no such model"})
    mock_api.get(MODELS, payload=[MODEL])
    calls: list[Awaitable[object]] = [client.models.retrieve(1), client.models.list()]
    missing, listed = await client.gather(calls, return_exceptions=True)
    assert isinstance(missing, ba.NotFoundError)
    assert [m.id for m in listed] == [7]  # type: ignore[attr-defined]
