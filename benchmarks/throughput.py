"""Scenario 2, throughput: many jobs with a bounded number in flight, against the ideal.

The lower bound replays the emulator's own readiness schedule: each job lasts from its
submission to the moment its last image was ready, and starts as soon as one of the
in-flight lanes frees. A client that submitted and noticed readiness for free would end then.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp

from . import _clients
from ._emulator import EmulatorProcess
from ._measure import Stopwatch, ideal_wall, peak_rss_mb
from ._report import Scenario, Target
from ._worker import run_variant

WITHIN_BOUND = 0.10
REQUESTS_THREADS = 32
POLL_INTERVAL = 1.0  # the baselines' fixed polling loop


async def sdk_variant(base_url: str, jobs: int, images: int, in_flight: int) -> dict[str, Any]:
    finished: dict[str, float] = {}
    async with _clients.sdk(base_url) as bria:
        batch = [_clients.generate(bria, i, images) for i in range(jobs)]
        watch = Stopwatch().start()
        async for job in bria.as_completed(batch, limit=in_flight):
            finished[job.id] = time.time()
            await job  # its result, or its error
        figures = watch.stop()
    done = [[job.submitted_at.timestamp(), list(job.urls), finished[job.id]] for job in batch]
    return {"jobs": done, "peak_rss": peak_rss_mb(), **figures}


async def aiohttp_variant(base_url: str, jobs: int, images: int, in_flight: int) -> dict[str, Any]:
    done: list[list[Any]] = [[] for _ in range(jobs)]  # in submission order, like the others
    slots = asyncio.Semaphore(in_flight)
    async with aiohttp.ClientSession() as session:

        async def one(i: int) -> None:
            async with slots:
                urls = await _clients.aiohttp_submit(session, base_url, i, images)
                submitted = time.time()
                await asyncio.gather(
                    *(_clients.aiohttp_wait(session, url, POLL_INTERVAL) for url in urls)
                )
                done[i] = [submitted, urls, time.time()]

        watch = Stopwatch().start()
        await asyncio.gather(*(one(i) for i in range(jobs)))
        figures = watch.stop()
    return {"jobs": done, "peak_rss": peak_rss_mb(), **figures}


async def requests_variant(base_url: str, jobs: int, images: int, in_flight: int) -> dict[str, Any]:
    watch = Stopwatch().start()
    with ThreadPoolExecutor(in_flight) as pool:
        results = list(
            pool.map(
                lambda i: _clients.requests_job(base_url, i, images, POLL_INTERVAL), range(jobs)
            )
        )
    figures = watch.stop()
    done = [[r["submitted"], r["urls"], r["finished"]] for r in results]
    return {"jobs": done, "peak_rss": peak_rss_mb(), **figures}


VARIANTS = {"sdk": sdk_variant, "aiohttp": aiohttp_variant, "requests": requests_variant}


def run(
    *, jobs: int, images: int, in_flight: int, requests_jobs: int, median: float, p95: float
) -> Scenario:
    """bria_async, aiohttp + gather and requests + threads, one after the other."""
    clients = {
        "bria_async (as_completed, limit)": ("sdk", jobs, in_flight),
        "aiohttp + asyncio.gather, 1 s loop": ("aiohttp", jobs, in_flight),
        f"requests, {REQUESTS_THREADS} threads, 1 s loop": (
            "requests",
            requests_jobs,
            REQUESTS_THREADS,
        ),
    }
    options = ("--latency-median", str(median), "--latency-p95", str(p95), "--seed", "11")
    rows = []
    targets = []
    for name, (variant, count, lanes) in clients.items():
        # A fresh emulator with one seed: every client meets the same ready times, in order.
        with EmulatorProcess(*options) as emulator:
            result = run_variant(
                "throughput",
                variant,
                base_url=emulator.base_url,
                jobs=count,
                images=images,
                in_flight=lanes,
            )
            placeholders = emulator.state()["placeholders"]
        ready_at = {url: p["ready_at"] for url, p in placeholders.items()}
        jobs_done = result["jobs"]  # [submitted, urls, finished] per job, in submission order
        ready = [max(ready_at[url] for url in urls) for _, urls, _ in jobs_done]
        durations = [r - job[0] for r, job in zip(ready, jobs_done, strict=True)]
        late = [job[2] - r for r, job in zip(ready, jobs_done, strict=True)]
        bound = ideal_wall(durations, lanes)
        ratio = result["wall"] / bound
        rows.append(
            [
                name,
                count,
                lanes,
                f"{result['wall']:.1f}",
                f"{bound:.1f}",
                f"{ratio:.3f}",
                f"{count / result['wall']:.1f}",
                f"{sum(durations) / count:.2f}",
                f"{sum(late) / count:.3f}",
                f"{1e3 * result['cpu'] / count:.2f}",
                f"{result['peak_rss']:.0f}",
            ]
        )
        if name.startswith("bria_async"):
            targets.append(
                Target(
                    "wall time / lower bound",
                    f"{ratio:.3f}",
                    f"<= {1 + WITHIN_BOUND:.2f}",
                    ratio <= 1 + WITHIN_BOUND,
                )
            )
    notes = [
        "Lower bound: the emulator's recorded ready times replayed on the same number of "
        "lanes (each job from its submission until its last image was ready). A lane is held "
        "for readiness plus the time until the client notices, so wall / bound is about "
        "1 + (mean done after ready) / (mean job readiness), plus the slowest job's own delay "
        "when one late job sets the bound.",
    ]
    if requests_jobs < jobs:
        notes.append(
            f"requests runs {requests_jobs} of the {jobs} jobs: {REQUESTS_THREADS} threads cap "
            "it at a few jobs per second, and all of them would take most of the time budget."
        )
    return Scenario(
        title="2. Throughput",
        setup=(
            f"{jobs} jobs x {images} image(s), at most {in_flight} in flight; readiness "
            f"log-normal, median {median:g} s, p95 {p95:g} s"
        ),
        columns=[
            "client",
            "jobs",
            "in flight",
            "wall (s)",
            "lower bound (s)",
            "wall / bound",
            "jobs / s",
            "mean job readiness (s)",
            "mean done after ready (s)",
            "client CPU ms / job",
            "peak RSS (MB)",
        ],
        rows=rows,
        targets=targets,
        notes=notes,
    )
