"""Scenario 5, v2 status calls: how many status calls a v2 job costs, and the latency added.

Every v2 job is one request id; its status calls count toward Bria's per-endpoint rate limit.
All jobs are submitted at once; the result is handed over the moment the client knows it.
Status calls per job come from the emulator's counters; added latency runs from the result's
ready time recorded by the emulator to the moment the client handed it over. Baselines: Bria's
own client's fixed 1 s status loop, and a 2 s loop. With webhooks on, a receiver in the
client's process verifies each delivery and gives it to the Job.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from aiohttp import web

from bria_async import BriaClient, WebhookVerificationError

from . import _clients
from ._emulator import EmulatorProcess
from ._measure import Stopwatch, percentile
from ._report import Scenario
from ._worker import run_variant

PATH = "/image/generate"


def _prompt(i: int) -> str:
    return f"a lighthouse at dusk, take {i}"


async def sdk_variant(base_url: str, jobs: int, hooks: bool = False) -> dict[str, Any]:
    handed: list[tuple[str, str, float]] = []
    async with _clients.sdk(base_url) as bria:
        runner, hook_url = (await _receiver(bria)) if hooks else (None, None)
        try:

            async def one(i: int) -> None:
                job = bria.v2.image.generate(_prompt(i), webhook_url=hook_url)
                result = await job
                handed.append((job.request_id or "", result.image_url or "", time.time()))

            watch = Stopwatch().start()
            await asyncio.gather(*(one(i) for i in range(jobs)))
            figures = watch.stop()
        finally:
            if runner is not None:
                await runner.cleanup()
    return {"handed": handed, **figures}


async def _receiver(bria: BriaClient) -> tuple[web.AppRunner, str]:
    """A webhook endpoint on 127.0.0.1 that verifies deliveries and gives them to `bria`."""

    async def hook(request: web.Request) -> web.Response:
        try:
            bria.jobs.receive(await request.read(), request.headers)
        except WebhookVerificationError:
            return web.Response(status=400)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"


async def loop_variant(base_url: str, jobs: int, interval: float) -> dict[str, Any]:
    """Bria's own client's way: POST, then GET the status every `interval` until final."""
    handed: list[tuple[str, str, float]] = []
    v2 = base_url.removesuffix("/v1") + "/v2"
    async with aiohttp.ClientSession(headers=_clients.HEADERS) as session:

        async def one(i: int) -> None:
            async with session.post(v2 + PATH, json={"prompt": _prompt(i)}) as resp:
                resp.raise_for_status()
                rid = (await resp.json())["request_id"]
            while True:
                await asyncio.sleep(interval)
                async with session.get(f"{v2}/status/{rid}") as resp:
                    status = await resp.json()
                if status["status"] == "COMPLETED":
                    handed.append((rid, status["result"]["image_url"], time.time()))
                    return

        watch = Stopwatch().start()
        await asyncio.gather(*(one(i) for i in range(jobs)))
        figures = watch.stop()
    return {"handed": handed, **figures}


VARIANTS = {"sdk": sdk_variant, "loop": loop_variant}
CLIENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "bria_async": ("sdk", {}),
    "bria_async, webhooks on": ("sdk", {"hooks": True}),
    "aiohttp, fixed 1 s status loop (Bria's client)": ("loop", {"interval": 1.0}),
    "aiohttp, fixed 2 s status loop": ("loop", {"interval": 2.0}),
}


def run(*, jobs: int, median: float, p95: float) -> Scenario:
    """Every client once, each against a fresh emulator process with the same seed."""
    rows = []
    for name, (variant, extra) in CLIENTS.items():
        options = ("--latency-median", str(median), "--latency-p95", str(p95), "--seed", "7")
        with EmulatorProcess(*options) as emulator:
            result = run_variant("v2", variant, base_url=emulator.base_url, jobs=jobs, **extra)
            state = emulator.state()
        placeholders, calls = state["placeholders"], state["status_calls"]
        handed = result["handed"]
        added = [t - placeholders[url]["ready_at"] for _, url, t in handed]
        per_job = sum(calls.get(rid, 0) for rid, _, _ in handed) / len(handed)
        rows.append(
            [
                name,
                len(handed),
                f"{per_job:.2f}",
                f"{percentile(added, 50):.3f}",
                f"{percentile(added, 95):.3f}",
                f"{result['wall']:.1f}",
            ]
        )
    return Scenario(
        title="5. v2 status calls",
        setup=(
            f"{jobs} v2 generation jobs, submitted at once; readiness log-normal, median "
            f"{median:g} s, p95 {p95:g} s; each client meets the same ready times (a fresh "
            "emulator with the same seed). Status calls count toward Bria's per-endpoint "
            "rate limit."
        ),
        columns=[
            "client",
            "jobs",
            "status calls / job",
            "added latency median (s)",
            "added latency p95 (s)",
            "wall (s)",
        ],
        rows=rows,
        notes=[
            "With webhooks on, the first status call waits `PollSettings.webhook_grace` "
            "(30 s): a delivered webhook completes the Job first, so status calls fall "
            "toward 0 and the added latency is the delivery's own."
        ],
    )
