"""Bria, the synchronous client, against the emulator over real HTTP, from plain threads
(the test's own event loop runs the emulator, so Bria is called where no loop runs)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bria_async import Bria, EditResult, ImageResult, Settings, V2Result
from bria_async.testing import Emulator


def _client(emulator: Emulator) -> Bria:
    return Bria(emulator.api_token, base_url=emulator.base_url, settings=Settings.for_testing())


async def test_a_script_generates_edits_saves_and_pages(
    bria_emulator: Emulator, tmp_path: Path
) -> None:
    def script() -> None:
        with _client(bria_emulator) as bria:
            result = bria.images.generate("a red fox in fresh snow", num_results=2)
            assert isinstance(result, ImageResult)
            paths = bria.save(result, tmp_path)
            assert [p.read_bytes()[:4] for p in paths] == [b"\x89PNG"] * 2
            cutout = bria.product.cutout(result.images[0].url)
            assert isinstance(cutout, EditResult)
            assert isinstance(bria.v2.image.generate("a fox"), V2Result)
            job = bria.submit(bria.aio.images.generate("a lighthouse"))
            assert job.urls
            token = job.to_dict()
            assert bria.jobs.resume(token, ImageResult).wait(timeout=30).urls == job.urls
            for i in range(4):
                bria.visuals.register(f"https://images.test/{i}.jpg")
            pages = bria.search.text("a kitchen", gallery_id=425, num_results_per_page=3)
            assert [len(page) for page in pages] == [3, 1]

    await asyncio.to_thread(script)


async def test_threads_share_one_client_and_close_stops_its_thread(
    bria_emulator: Emulator,
) -> None:
    def run() -> tuple[list[int], threading.Thread]:
        bria = _client(bria_emulator)
        with ThreadPoolExecutor(6) as pool:
            counts = list(
                pool.map(
                    lambda i: len(bria.images.generate(f"fox {i}", num_results=2).images),
                    range(12),
                )
            )
        thread = bria._portal._thread
        bria.close()
        return counts, thread

    counts, thread = await asyncio.to_thread(run)
    assert counts == [2] * 12
    assert not thread.is_alive()
