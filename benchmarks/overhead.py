"""Scenario 3, overhead per call: client CPU of direct calls, SDK against raw aiohttp.

Two direct routes, each beside raw aiohttp making the same request: `POST /product/cutout` by
image URL (`bria.product.cutout(url)`), billable, answered with a result URL; and
`GET /tailored-gen/models` (`bria.models.list()`), not billable, answered with an empty list.
All four clients run in one process in alternating chunks of sequential calls, so a noisy
machine slows them alike; only this process's CPU time counts.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from bria_async import BriaClient

from . import _clients
from ._emulator import EmulatorProcess
from ._measure import cpu_seconds, percentile
from ._report import Scenario, Target
from ._worker import run_variant

RATIO_TARGET = 1.3
CUTOUT = "/product/cutout"
MODELS = "/tailored-gen/models"
IMAGE_URL = "https://example.com/products/shoe.jpg"
#: The routes measured, each by the SDK and by raw aiohttp (`_runners`).
ROUTES = ("product.cutout", "models.list")
#: `n` sequential calls of one route by one client.
Runner = Callable[[int], Awaitable[None]]


def _runners(
    session: aiohttp.ClientSession, bria: BriaClient, base_url: str
) -> dict[str, dict[str, Runner]]:
    """Each route's two clients: `n` sequential calls through the SDK, and through aiohttp."""

    async def raw_cutout(n: int) -> None:
        for _ in range(n):
            async with session.post(
                base_url + CUTOUT, json={"image_url": IMAGE_URL}, headers=_clients.HEADERS
            ) as resp:
                resp.raise_for_status()
                await resp.json()

    async def sdk_cutout(n: int) -> None:
        for _ in range(n):
            await bria.product.cutout(IMAGE_URL)

    async def raw_list(n: int) -> None:
        for _ in range(n):
            async with session.get(base_url + MODELS, headers=_clients.HEADERS) as resp:
                resp.raise_for_status()
                await resp.json()

    async def sdk_list(n: int) -> None:
        for _ in range(n):
            await bria.models.list()

    return {
        "product.cutout": {"sdk": sdk_cutout, "aiohttp": raw_cutout},
        "models.list": {"sdk": sdk_list, "aiohttp": raw_list},
    }


async def interleaved(base_url: str, calls: int, chunks: int) -> dict[str, Any]:
    # CPU seconds per call, by route, client and chunk
    cpu: dict[str, dict[str, list[float]]] = {r: {"sdk": [], "aiohttp": []} for r in ROUTES}
    async with aiohttp.ClientSession() as session, _clients.sdk(base_url) as bria:
        runners = _runners(session, bria, base_url)
        for pair in runners.values():  # warm up connections and code paths
            for runner in pair.values():
                await runner(max(1, calls // 50))
        per_chunk = max(1, calls // chunks)
        for chunk in range(chunks):
            order = ["sdk", "aiohttp"] if chunk % 2 == 0 else ["aiohttp", "sdk"]
            for route, pair in runners.items():
                for name in order:
                    before = cpu_seconds()
                    await pair[name](per_chunk)
                    cpu[route][name].append((cpu_seconds() - before) / per_chunk)
        # loops, not nested comprehensions: Python 3.10 allows no await in an inner one
        profiles: dict[str, dict[str, Any]] = {}
        for route, pair in runners.items():
            profiles[route] = {}
            for name, runner in pair.items():
                profiles[route][name] = await _profile(runner, max(1, calls // 10))
    return {"calls": per_chunk * chunks, "cpu": cpu, "profiles": profiles}


async def _profile(runner: Runner, calls: int) -> dict[str, Any]:
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


def _figures(results: list[dict[str, Any]], route: str) -> dict[str, Any]:
    """One route's CPU per call of both clients, their paired ratio, and each process's."""
    cpu = [r["cpu"][route] for r in results]
    pairs = [[s / a for s, a in zip(c["sdk"], c["aiohttp"], strict=True)] for c in cpu]
    return {
        "sdk_us": 1e6 * percentile([x for c in cpu for x in c["sdk"]], 50),
        "raw_us": 1e6 * percentile([x for c in cpu for x in c["aiohttp"]], 50),
        "ratio": percentile([p for process in pairs for p in process], 50),
        "per_process": [percentile(process, 50) for process in pairs],
    }


def _top(profile: dict[str, Any]) -> str:
    return ", ".join(f"`{name}` {us:.0f} µs" for name, us in profile["top"])


def run(*, calls: int) -> Scenario:
    """The clients in each of PROCESSES processes against one emulator process. Each ratio
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
    figures = {route: _figures(results, route) for route in ROUTES}
    profiles = results[0]["profiles"]
    clients = {
        "product.cutout": (
            "bria_async, `product.cutout(url)` (billable)",
            f"raw aiohttp, `POST {CUTOUT}`",
        ),
        "models.list": (
            "bria_async, `models.list()` (not billable)",
            f"raw aiohttp, `GET {MODELS}`",
        ),
    }
    rows = []
    for route in ROUTES:
        sdk_name, raw_name = clients[route]
        f, p = figures[route], profiles[route]
        for name, key, us, ratio in (
            (sdk_name, "sdk", f["sdk_us"], f["ratio"]),
            (raw_name, "aiohttp", f["raw_us"], 1.0),
        ):
            rows.append(
                [
                    name,
                    done,
                    f"{us:.0f}",
                    f"{ratio:.2f}",
                    f"{p[key]['loops']:.1f}",
                    f"{p[key]['calls']:.0f}",
                ]
            )
    ratio = figures["product.cutout"]["ratio"]
    return Scenario(
        title="3. Overhead per direct call",
        setup=(
            f"{done} sequential calls per client of each route: `POST {CUTOUT}` by image URL "
            f"(`bria.product.cutout(url)`, billable) and `GET {MODELS}` (`bria.models.list()`, "
            f"not billable, an empty list), each beside raw aiohttp making the same request, "
            f"in {chunks} alternating chunks, in each of {PROCESSES} fresh processes; CPU per "
            "call is the median over all their chunks, the ratio the median over the chunk "
            "pairs run back to back. The last columns come from a cProfile pass."
        ),
        columns=[
            "client",
            "calls",
            "client CPU µs / call",
            "ratio to raw aiohttp",
            "event loop iterations / call",
            "Python function calls / call",
        ],
        rows=rows,
        targets=[
            Target(
                "CPU per billable direct call vs raw aiohttp",
                f"{ratio:.2f}x",
                f"<= {RATIO_TARGET}x",
                ratio <= RATIO_TARGET,
            )
        ],
        notes=[
            "The median ratio in each process: "
            + "; ".join(
                f"`{route}` " + ", ".join(f"{r:.2f}" for r in figures[route]["per_process"])
                for route in ROUTES
            )
            + " (the same code: what one process alone can move).",
            "Profile: the SDK's own code costs most in "
            + " and ".join(f"{_top(profiles[route]['sdk'])} for `{route}`" for route in ROUTES)
            + " (cProfile own time per call, inflated by profiling).",
            "A direct call is a plain async method, with no Job. A billable one runs in one "
            "task of its own, which the caller awaits through a future: a cancelled caller "
            "does not abort a request the server may bill, and the task logs the result it "
            "dropped. That task is the billable call's extra event loop iterations: its start "
            "(none on Python 3.12+, where it starts eagerly) and handing the answer back. A "
            "call that is not billable is awaited in the caller's own task, no task made. "
            "The extra function calls are the validation, limiter, retry, bounded-body and "
            "result-parsing layers.",
        ],
    )
