"""Scenario 3, overhead per call: client CPU of a direct route, SDK against raw aiohttp.

The route is `POST /product/cutout` by image URL (`bria.product.cutout(url)`), a direct call
answered with a result URL. Both clients run in one process in alternating chunks of
sequential calls, so a noisy machine slows both alike; only this process's CPU time counts.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from . import _clients
from ._emulator import EmulatorProcess
from ._measure import cpu_seconds, percentile
from ._report import Scenario, Target
from ._worker import run_variant

RATIO_TARGET = 1.3
CUTOUT = "/product/cutout"
IMAGE_URL = "https://example.com/products/shoe.jpg"


async def interleaved(base_url: str, calls: int, chunks: int) -> dict[str, Any]:
    cpu: dict[str, list[float]] = {"sdk": [], "aiohttp": []}  # CPU seconds per call, by chunk
    async with aiohttp.ClientSession() as session, _clients.sdk(base_url) as bria:

        async def raw(n: int) -> None:
            for _ in range(n):
                async with session.post(
                    base_url + CUTOUT, json={"image_url": IMAGE_URL}, headers=_clients.HEADERS
                ) as resp:
                    resp.raise_for_status()
                    await resp.json()

        async def sdk(n: int) -> None:
            for _ in range(n):
                await bria.product.cutout(IMAGE_URL)

        runners = {"sdk": sdk, "aiohttp": raw}
        for runner in runners.values():  # warm up connections and code paths
            await runner(max(1, calls // 50))
        per_chunk = max(1, calls // chunks)
        for chunk in range(chunks):
            order = ["sdk", "aiohttp"] if chunk % 2 == 0 else ["aiohttp", "sdk"]
            for name in order:
                before = cpu_seconds()
                await runners[name](per_chunk)
                cpu[name].append((cpu_seconds() - before) / per_chunk)
        profiles = {
            name: await _profile(runner, max(1, calls // 10)) for name, runner in runners.items()
        }
    return {"calls": per_chunk * chunks, "cpu": cpu, "profiles": profiles}


async def _profile(runner: Callable[[int], Awaitable[None]], calls: int) -> dict[str, Any]:
    """Event loop iterations and Python function calls per call, and the SDK's own costs."""
    profiler = cProfile.Profile()
    profiler.enable()
    await runner(calls)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    loops = sum(v[1] for k, v in stats.items() if k[2] == "_run_once")
    own = sorted(
        ((v[2], f"{Path(k[0]).name}:{k[2]}") for k, v in stats.items() if "bria_async" in k[0]),
        reverse=True,
    )[:4]
    return {
        "loops": loops / calls,
        "calls": sum(v[1] for v in stats.values()) / calls,
        "top": [[name, 1e6 * seconds / calls] for seconds, name in own],
    }


VARIANTS = {"interleaved": interleaved}


#: Fresh processes the comparison runs in: one process's figures move by several percent
#: from run to run (memory layout, hash seeds, the machine's load), for both clients alike.
PROCESSES = 3


def run(*, calls: int) -> Scenario:
    """Both clients in each of PROCESSES processes against one emulator process. The ratio
    is the median over every pair of chunks run back to back (the same process, the same
    moment): a paired figure, which the machine's load and each process's luck move least."""
    chunks = 20
    with EmulatorProcess("--latency", "0") as emulator:
        results = [
            run_variant(
                "overhead", "interleaved", base_url=emulator.base_url, calls=calls, chunks=chunks
            )
            for _ in range(PROCESSES)
        ]
    done = results[0]["calls"]
    sdk_us = 1e6 * percentile([c for r in results for c in r["cpu"]["sdk"]], 50)
    raw_us = 1e6 * percentile([c for r in results for c in r["cpu"]["aiohttp"]], 50)
    pairs = [
        [s / a for s, a in zip(r["cpu"]["sdk"], r["cpu"]["aiohttp"], strict=True)] for r in results
    ]
    ratio = percentile([p for process in pairs for p in process], 50)
    per_process = [percentile(process, 50) for process in pairs]
    profiles = results[0]["profiles"]
    top = ", ".join(f"`{name}` {us:.0f} µs" for name, us in profiles["sdk"]["top"])
    return Scenario(
        title="3. Overhead per direct call",
        setup=(
            f"{done} sequential `POST {CUTOUT}` calls by image URL per client "
            f"(`bria.product.cutout(url)`), in {chunks} alternating chunks, in each of "
            f"{PROCESSES} fresh processes; CPU per call is the median over all their chunks, "
            "the ratio the median over the chunk pairs run back to back. The last columns come "
            "from a cProfile pass."
        ),
        columns=[
            "client",
            "calls",
            "client CPU µs / call",
            "ratio to raw aiohttp",
            "event loop iterations / call",
            "Python function calls / call",
        ],
        rows=[
            [
                name,
                done,
                f"{us:.0f}",
                f"{r:.2f}",
                f"{profiles[key]['loops']:.1f}",
                f"{profiles[key]['calls']:.0f}",
            ]
            for name, key, us, r in (
                ("bria_async", "sdk", sdk_us, ratio),
                ("raw aiohttp", "aiohttp", raw_us, 1.0),
            )
        ],
        targets=[
            Target(
                "CPU per call vs raw aiohttp",
                f"{ratio:.2f}x",
                f"<= {RATIO_TARGET}x",
                ratio <= RATIO_TARGET,
            )
        ],
        notes=[
            "The median ratio in each process: "
            + ", ".join(f"{r:.2f}" for r in per_process)
            + " (the same code: what one process alone can move).",
            f"Profile: the SDK's own code costs most in {top} (cProfile own time per call, "
            "inflated by profiling). The extra event loop iterations per call are the "
            "Job's send task: its start (none on Python 3.12+, where it starts eagerly) and "
            "handing the answer back. The task keeps a billable request going, and the job "
            "completing, when its caller is cancelled. The extra function calls are the "
            "Job, validation, limiter, retry, bounded-body and result-parsing layers.",
        ],
    )
