"""Scenario 4, scale: many images pending in one client, and what each one costs.

Jobs are submitted and left pending (their placeholders stay "not ready" for an hour); then
the benchmark counts asyncio tasks and open sockets and measures memory per pending image,
with tracemalloc in one run and as an RSS delta in another (tracemalloc inflates RSS).
"""

from __future__ import annotations

import asyncio
import gc
import os
import tracemalloc
from typing import Any

import aiohttp

from . import _clients
from ._emulator import EmulatorProcess
from ._measure import Stopwatch, rss_bytes
from ._report import Scenario, Target
from ._worker import run_variant

BYTES_TARGET = 4096
SUBMIT_LIMIT = 32  # submissions in flight, for both clients (the SDK's default)


def sockets() -> int:
    """Sockets this process holds open."""
    fds = os.listdir("/proc/self/fd")
    return sum(1 for fd in fds if _link(fd).startswith("socket:"))


def _link(fd: str) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


class Probe:
    """Memory before and after; the counts that matter once everything is pending."""

    def __init__(self, trace: bool) -> None:
        self.trace = trace

    def start(self) -> None:
        gc.collect()
        if self.trace:
            tracemalloc.start()
        self.traced0 = tracemalloc.get_traced_memory()[0] if self.trace else 0
        self.rss0 = rss_bytes()
        self.watch = Stopwatch().start()

    def stop(self, images: int) -> dict[str, Any]:
        figures = self.watch.stop()
        gc.collect()
        grown = (
            tracemalloc.get_traced_memory()[0] - self.traced0
            if self.trace
            else rss_bytes() - self.rss0
        )
        if self.trace:
            tracemalloc.stop()
        return {
            "images": images,
            "bytes_per_image": grown / images,
            "tasks": len(asyncio.all_tasks()) - 1,
            "sockets": sockets(),
            "submit_wall": figures["wall"],
        }


async def sdk_variant(base_url: str, jobs: int, images: int, trace: bool) -> dict[str, Any]:
    probe = Probe(trace)
    async with _clients.sdk(base_url) as bria:
        await _clients.generate(bria, -1, images).submit()  # warm the pool and code paths
        batch = [_clients.generate(bria, i, images) for i in range(jobs)]
        probe.start()
        await asyncio.gather(*(job.submit() for job in batch))
        figures = probe.stop(jobs * images)
        figures["poller_entries"] = bria._runtime.poller.pending
        return figures


async def aiohttp_variant(base_url: str, jobs: int, images: int, trace: bool) -> dict[str, Any]:
    probe = Probe(trace)
    waiting: list[asyncio.Task[float]] = []
    slots = asyncio.Semaphore(SUBMIT_LIMIT)
    async with aiohttp.ClientSession() as session:

        async def submit(i: int) -> None:
            async with slots:
                urls = await _clients.aiohttp_submit(session, base_url, i, images)
            waiting.extend(
                asyncio.create_task(_clients.aiohttp_wait(session, url, 1.0)) for url in urls
            )

        await submit(-1)
        probe.start()
        await asyncio.gather(*(submit(i) for i in range(jobs)))
        figures = probe.stop(jobs * images)
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
    return figures


VARIANTS = {"sdk": sdk_variant, "aiohttp": aiohttp_variant}


def run(*, jobs: int, images: int) -> Scenario:
    """Each client twice (tracemalloc, then RSS), each in a fresh process."""
    clients = {
        "bria_async (submit, then pending)": "sdk",
        "aiohttp, a task per image, 1 s loop": "aiohttp",
    }
    results: dict[str, dict[bool, dict[str, Any]]] = {}
    with EmulatorProcess("--latency", "3600") as emulator:
        for trace in (True, False):
            for name, variant in clients.items():
                results.setdefault(name, {})[trace] = run_variant(
                    "scale",
                    variant,
                    base_url=emulator.base_url,
                    jobs=jobs,
                    images=images,
                    trace=trace,
                )
    rows = []
    targets = []
    for name in clients:
        traced, plain = results[name][True], results[name][False]
        rows.append(
            [
                name,
                plain["images"],
                plain["tasks"],
                plain["sockets"],
                f"{traced['bytes_per_image']:.0f}",
                f"{plain['bytes_per_image']:.0f}",
                f"{plain['submit_wall']:.1f}",
            ]
        )
        if name.startswith("bria_async"):
            per_image = traced["bytes_per_image"]
            targets.append(
                Target(
                    "memory per pending image (tracemalloc)",
                    f"{per_image:.0f} B",
                    f"<= {BYTES_TARGET} B",
                    per_image <= BYTES_TARGET,
                )
            )
            tasks = plain["tasks"]
            targets.append(
                Target(
                    "asyncio tasks per pending image",
                    f"{tasks} tasks for {plain['images']} images",
                    "no task per image (tasks < images / 100)",
                    tasks < plain["images"] / 100,
                )
            )
            entries = plain.get("poller_entries", 0)
    notes = [
        f"bria_async held {entries} poller heap entries for {jobs * images} pending images; "
        "its tasks are the poller's runner and the probes in flight (at most its "
        "`PollSettings.concurrency`).",
        "Sockets are every socket the client process holds, pooled connections included.",
    ]
    return Scenario(
        title="4. Scale: pending images in one client",
        setup=f"{jobs} jobs x {images} images submitted and left pending (ready in an hour)",
        columns=[
            "client",
            "pending images",
            "asyncio tasks",
            "open sockets",
            "bytes / image (tracemalloc)",
            "bytes / image (RSS delta)",
            "submit wall (s)",
        ],
        rows=rows,
        targets=targets,
        notes=notes,
    )
