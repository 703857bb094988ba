"""One memory scenario, run alone in a fresh process (``python memory_support.py NAME``) so
that its peak RSS is its own; prints a JSON line of what it measured. The peak is Linux's
VmHWM, which starts afresh at exec (ru_maxrss would carry over the parent's peak).

The servers run in the same process and stream their bodies in 64 KiB chunks, so the peak
counts them too and stays small only if the client reads no more than it should.

- ``api``: an API answer of 300 MB (chunked JSON without an end) to ``models.list()``.
- ``probes``: four 120 MB placeholders whose host ignores Range, probed by a generation.
- ``save``: a 120 MB image saved to disk with ``ImageResult.save()``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil
from aiohttp import web

import bria_async as ba
from tests.integration.http_support import serve, stream

MB = 2**20
PNG = b"\x89PNG\r\n\x1a\n"
SIZES = {"api": 300 * MB, "probes": 120 * MB, "save": 120 * MB}


def peak_rss() -> int:
    """The process's peak resident set size so far, in bytes (VmHWM)."""
    status = Path("/proc/self/status").read_text()
    (line,) = (line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024  # kB


async def run(scenario: str) -> dict[str, Any]:
    size = SIZES[scenario]
    sent: list[int] = []
    warm = True
    hosts: dict[str, str] = {}

    async def models(request: web.Request) -> web.StreamResponse:
        if warm:
            return web.json_response([])
        sent.append(await stream(request, b'{"padding": "', size, "application/json"))
        return web.StreamResponse()

    async def generate(request: web.Request) -> web.StreamResponse:
        urls = [f"{hosts['storage']}/{i}.png" for i in range(4 if scenario == "probes" else 1)]
        return web.json_response({"result": [{"urls": [url], "seed": 1} for url in urls]})

    async def image(request: web.Request) -> web.StreamResponse:
        sent.append(await stream(request, PNG, size, "image/png"))
        return web.StreamResponse()

    api, storage = web.Application(), web.Application()
    api.router.add_get("/v1/tailored-gen/models", models)
    api.router.add_post("/v1/text-to-image/base/2.3", generate)
    storage.router.add_get("/{name}", image)
    async with (
        serve(api) as api_url,
        serve(storage) as hosts["storage"],
        ba.BriaClient(
            "memory-test-token", base_url=api_url + "/v1", settings=ba.Settings.for_testing()
        ) as bria,
    ):
        await bria.models.list()  # warm up: the session, the pool, the parsers
        warm = False
        gc.collect()
        baseline = psutil.Process().memory_info().rss
        outcome = "done"
        if scenario == "api":
            try:
                await bria.models.list()
            except Exception as exc:  # the outcome is reported, not raised
                outcome = type(exc).__name__
        elif scenario == "probes":
            result = await bria.images.generate("a fox", num_results=4)
            outcome = f"{len(result.images)} images ready"
        else:
            result = await bria.images.generate("a fox", num_results=1, sync=True)
            with tempfile.TemporaryDirectory() as directory:
                (path,) = await result.save(Path(directory))
                outcome = f"saved {path.stat().st_size} bytes"
        await asyncio.sleep(0.2)  # let the servers see the client go
    peak = peak_rss()
    return {
        "scenario": scenario,
        "outcome": outcome,
        "baseline_mb": baseline / MB,
        "peak_mb": peak / MB,
        "delta_mb": (peak - baseline) / MB,
        "sent_mb": [n / MB for n in sent],
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(sys.argv[1]))))
