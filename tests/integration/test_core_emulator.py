"""The core against the emulator over real HTTP: generation, bounded polling, clean cancels."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psutil
import pytest
from PIL import Image as PILImage

from bria_async import AuthenticationError, BriaClient, JobStatus, PollSettings, Settings
from bria_async.testing import Emulator, Latency


def sdk_tasks(tasks: set[asyncio.Task[object]]) -> set[asyncio.Task[object]]:
    """Tasks other than the in-process emulator's own request handlers."""
    return {t for t in tasks if "RequestHandler" not in repr(t.get_coro())}


def client_sockets(emulator: Emulator) -> int:
    """Open TCP sockets of this process that connect to the emulator (the client's side)."""
    ports = {
        int(url.rsplit(":", 1)[1].split("/")[0])
        for url in (emulator.base_url, emulator.storage_url)
    }
    return sum(
        1
        for c in psutil.Process().net_connections(kind="tcp")
        if c.raddr and c.raddr.port in ports and c.status != psutil.CONN_TIME_WAIT
    )


async def test_generate_polls_placeholders_and_saves_real_pngs(
    bria_client: BriaClient, bria_emulator: Emulator, tmp_path: Path
) -> None:
    bria_emulator.config.placeholder_latency = Latency.fixed(0.3)
    result = await bria_client.images.generate(
        "a red fox in fresh snow", num_results=2, aspect_ratio="4:3", seed=42
    )
    assert [image.seed for image in result.images] == [42, 43]
    paths = await result.save(tmp_path)
    for path in paths:
        with PILImage.open(path) as picture:
            assert picture.format == "PNG"
            assert picture.width > picture.height
    storage = [r for r in bria_emulator.counters.requests if r.host == "storage"]
    assert storage
    assert all("api_token" not in {k.lower() for k in r.headers} for r in storage)


async def test_sync_generation_needs_no_polling(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    result = await bria_client.images.generate("a lighthouse", model="hd", sync=True)
    assert len(result.images) == 1
    assert sum(bria_emulator.counters.probes.values()) == 0


async def test_rate_limited_submissions_are_retried_until_they_pass(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    from bria_async.testing import RouteConfig

    bria_emulator.config.routes["POST /text-to-image/fast/{model_version}"] = RouteConfig(
        rate_429=0.3, retry_after=0
    )
    jobs = [bria_client.images.generate(f"cat {i}", model="fast", num_results=1) for i in range(20)]
    results = await bria_client.gather(jobs, limit=10)
    assert len(results) == 20
    assert bria_emulator.counters.submissions["/text-to-image/fast/{model_version}"] == 20


async def test_thousand_jobs_of_four_images_pending_keep_tasks_and_sockets_bounded(
    bria_emulator: Emulator,
) -> None:
    bria_emulator.config.placeholder_latency = Latency.fixed(600)
    settings = Settings(
        max_connections=12,
        polling=PollSettings(concurrency=8, initial_delay=0.0, min_interval=0.2, max_interval=0.5),
    )
    async with BriaClient(
        bria_emulator.api_token, base_url=bria_emulator.base_url, settings=settings
    ) as bria:
        jobs = [bria.images.generate(f"prompt {i}", num_results=4) for i in range(1000)]
        for start in range(0, 1000, 100):
            await asyncio.gather(*(job.submit() for job in jobs[start : start + 100]))
        waiters = [asyncio.ensure_future(job.wait()) for job in jobs[:1]]
        await asyncio.sleep(0)
        baseline = len(sdk_tasks(asyncio.all_tasks()))
        peak_tasks = peak_sockets = 0
        for _ in range(20):
            await asyncio.sleep(0.05)
            peak_tasks = max(peak_tasks, len(sdk_tasks(asyncio.all_tasks())))
            peak_sockets = max(peak_sockets, client_sockets(bria_emulator))
        assert sum(len(job.urls) for job in jobs) == 4000
        assert bria._runtime.poller.pending >= 4000 - 8
        assert sum(bria_emulator.counters.probes.values()) > 0
        # The poller's runner plus at most `concurrency` probes, whatever the number of images.
        assert peak_tasks <= baseline + 1 + 8
        # In use at most max_connections; idle keep-alive sockets add at most as many again.
        assert 0 < peak_sockets <= 2 * 12
        for job in jobs:
            job.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
    assert all(job.status is JobStatus.CANCELLED for job in jobs)


async def test_cancelled_waiter_leaves_no_task_or_connection_behind(
    bria_emulator: Emulator,
) -> None:
    bria_emulator.config.placeholder_latency = Latency.fixed(600)
    async with BriaClient(
        bria_emulator.api_token, base_url=bria_emulator.base_url, settings=Settings.for_testing()
    ) as bria:
        before = asyncio.all_tasks()
        job = bria.images.generate("a fox", num_results=2)
        waiter = asyncio.ensure_future(job.wait())
        await asyncio.sleep(0.3)
        assert job.status is JobStatus.RUNNING
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        job.cancel()
        await asyncio.sleep(0.1)
        leftover = sdk_tasks(asyncio.all_tasks() - before)
        assert {t.get_name() for t in leftover} <= {"bria_async-poller"}
        assert bria._runtime.poller.pending == 0 or all(
            entry.cancelled for _, _, entry in bria._runtime.poller._heap
        )
    assert client_sockets(bria_emulator) == 0


async def test_closing_the_client_fails_pending_jobs_with_a_clear_error(
    bria_emulator: Emulator,
) -> None:
    bria_emulator.config.placeholder_latency = Latency.fixed(600)
    async with BriaClient(
        bria_emulator.api_token, base_url=bria_emulator.base_url, settings=Settings.for_testing()
    ) as bria:
        job = await bria.images.generate("a fox", num_results=1).submit()
        waiter = asyncio.ensure_future(job.wait())
        await asyncio.sleep(0.1)
    result = await asyncio.gather(waiter, return_exceptions=True)
    assert "closed while this job was pending" in str(result[0])
    assert job.status is JobStatus.FAILED


async def test_closing_the_client_while_probes_start_fails_every_pending_job(
    bria_emulator: Emulator,
) -> None:
    # Probes due at once and all the time: at close, some probe tasks have been created but
    # have not started yet; their jobs must fail like the others, not wait forever.
    bria_emulator.config.placeholder_latency = Latency.fixed(600)
    polling = PollSettings(initial_delay=0, min_interval=0, max_interval=0.001, jitter=0)
    async with BriaClient(
        bria_emulator.api_token,
        base_url=bria_emulator.base_url,
        settings=Settings(polling=polling),
    ) as bria:
        jobs = [await bria.images.generate(f"a fox {i}", num_results=1).submit() for i in range(40)]
        waiters = [asyncio.ensure_future(job.wait()) for job in jobs]
        for _ in range(200):
            await asyncio.sleep(0)
    results = await asyncio.wait_for(asyncio.gather(*waiters, return_exceptions=True), 10)
    assert all("closed while this job was pending" in str(result) for result in results)
    assert {job.status for job in jobs} == {JobStatus.FAILED}


async def test_a_wrong_token_is_refused_as_bria_would(bria_emulator: Emulator) -> None:
    async with BriaClient(
        "not-the-emulator-token", base_url=bria_emulator.base_url, settings=Settings.for_testing()
    ) as bria:
        with pytest.raises(AuthenticationError, match="Invalid API key"):
            await bria.images.generate("a red fox", num_results=1)
    assert bria_emulator.counters.submissions == {}
