"""bria.v2 end to end against the emulator on 127.0.0.1: every route, the status life cycle,
tokens, and signed webhooks delivered by the emulator, verified and given to the Job."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web

import bria_async as ba
from bria_async import BriaClient, PollSettings, Settings
from bria_async.testing import Emulator
from tests.integration.http_support import serve
from tests.unit.test_v2 import ROUTES

HANG = 30


@pytest.mark.parametrize("make", [r[1] for r in ROUTES], ids=[r[0] for r in ROUTES])
async def test_every_v2_route_completes_on_the_emulator(
    bria_client: BriaClient,
    bria_emulator: Emulator,
    make: Callable[[BriaClient], ba.Job[ba.V2Result]],
) -> None:
    job = make(bria_client)
    result = await asyncio.wait_for(job, HANG)
    assert job.request_id is not None
    assert result.image_url is not None or "structured_instruction" in result.extra
    # one job, a few status calls: never one per image or per second
    assert 1 <= bria_emulator.counters.status_calls[job.request_id] <= 10


async def test_a_v2_result_saves_its_image(bria_client: BriaClient, tmp_path: Path) -> None:
    result = await asyncio.wait_for(bria_client.v2.image.generate("a red fox"), HANG)
    path = await result.save(tmp_path)
    assert path.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("marker", ["EMULATOR_ERROR", "EMULATOR_FAILED"])
async def test_a_failed_job_raises_job_failed_with_its_code(
    bria_client: BriaClient, marker: str
) -> None:
    with pytest.raises(ba.JobFailedError) as info:
        await asyncio.wait_for(bria_client.v2.image.generate(f"a fox {marker}"), HANG)
    assert info.value.code is not None


async def test_unknown_ids_are_expired_requests(bria_client: BriaClient) -> None:
    with pytest.raises(ba.RequestExpiredError):
        await bria_client.v2.status("never-sent")


async def test_a_token_resumes_a_v2_job(bria_client: BriaClient) -> None:
    job = await bria_client.v2.image.enhance("https://img.test/in.png").submit()
    token = job.to_dict()
    job.cancel()
    result = await asyncio.wait_for(bria_client.jobs.resume(token, ba.V2Result), HANG)
    assert result.image_url is not None


async def test_sync_true_answers_the_result(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    job = bria_client.v2.image.generate("a fox", sync=True)
    result = await asyncio.wait_for(job, HANG)
    assert result.image_url is not None
    assert sum(bria_emulator.counters.status_calls.values()) == 0


@pytest.fixture
async def receiver(bria_emulator: Emulator) -> AsyncIterator[tuple[str, BriaClient]]:
    """A webhook receiver on 127.0.0.1 that verifies deliveries and gives them to a client
    whose first status call waits far longer than the test."""
    settings = Settings(polling=PollSettings(webhook_grace=120.0))
    async with BriaClient(
        bria_emulator.api_token, base_url=bria_emulator.base_url, settings=settings
    ) as bria:

        async def hook(request: web.Request) -> web.Response:
            try:
                bria.jobs.receive(await request.read(), request.headers)
            except ba.WebhookVerificationError:
                return web.Response(status=400)
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/hook", hook)
        async with serve(app) as url:
            yield f"{url}/hook", bria


async def test_a_signed_webhook_completes_the_job_with_no_status_call(
    receiver: tuple[str, BriaClient], bria_emulator: Emulator
) -> None:
    url, bria = receiver
    job = bria.v2.image.generate("a fox", webhook_url=url)
    result = await asyncio.wait_for(job, HANG)
    assert result.image_url is not None
    assert bria_emulator.counters.status_calls[job.request_id or ""] == 0


async def test_late_retries_that_keep_their_first_timestamp_leave_the_job_to_polling_once(
    bria_emulator: Emulator,
) -> None:
    # Retries of a delivery first tried 10 minutes ago, each with that first timestamp: all
    # are refused as stale (the default 300 s tolerance); the Job completes by polling after
    # its webhook grace, exactly once.
    bria_emulator.config.webhook_retries_keep_timestamp = True
    bria_emulator.config.webhook_clock_offset = -600
    bria_emulator.config.webhook_backoff = 0.01
    statuses: list[str] = []
    hooks = ba.Hooks(on_job=lambda event: statuses.append(event.status))
    refused: list[str] = []
    async with BriaClient(
        bria_emulator.api_token,
        base_url=bria_emulator.base_url,
        settings=Settings.for_testing(),
        hooks=hooks,
    ) as bria:

        async def hook(request: web.Request) -> web.Response:
            try:
                bria.jobs.receive(await request.read(), request.headers)
            except ba.WebhookVerificationError as error:
                refused.append(str(error))
                return web.Response(status=400)
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/hook", hook)
        async with serve(app) as url:
            job = bria.v2.image.generate("a fox", webhook_url=f"{url}/hook")
            result = await asyncio.wait_for(job, HANG)
            for _ in range(250):  # until every retry has been tried
                (delivery,) = bria_emulator.state.v2.deliveries
                if len(delivery.attempts) == bria_emulator.config.webhook_attempts:
                    break
                await asyncio.sleep(0.02)
    assert result.image_url is not None
    assert bria_emulator.counters.status_calls[job.request_id or ""] >= 1
    assert [attempt["status"] for attempt in delivery.attempts] == [400] * 4
    assert len(refused) == 4
    assert all("stale or replayed" in reason for reason in refused)
    assert statuses.count("done") == 1
