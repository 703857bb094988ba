"""bria.search against the emulator over real HTTP: every page once, last page, early exit."""

from __future__ import annotations

from bria_async import BriaClient
from bria_async.testing import Emulator


async def registered(bria: BriaClient, count: int) -> list[str]:
    return [
        (await bria.visuals.register(f"https://images.test/{i}.jpg")).visual_id
        for i in range(count)
    ]


async def test_text_search_walks_every_page_until_the_last(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    ids = await registered(bria_client, 7)
    pages = [
        p
        async for p in bria_client.search.text("a kitchen", gallery_id=425, num_results_per_page=3)
    ]
    assert [len(p) for p in pages] == [3, 3, 1]
    found = [r.visual_id for p in pages for r in p if r.visual_id is not None]
    assert sorted(found) == sorted(ids)
    scores = [r.score for p in pages for r in p if r.score is not None]
    assert len(scores) == len(ids)
    assert scores == sorted(scores, reverse=True)
    searches = [r for r in bria_emulator.counters.requests if r.path.endswith("/search")]
    assert [r.query["page"] for r in searches] == ["1", "2", "3"]


async def test_similar_search_results_stop_early_when_the_consumer_breaks(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    ids = await registered(bria_client, 6)
    seen = []
    async for result in bria_client.search.similar(
        vhash=ids[0], gallery_id="g", num_results_per_page=2
    ).results():
        seen.append(result.visual_id)
        if len(seen) == 3:
            break
    assert ids[0] not in seen
    searches = [
        r for r in bria_emulator.counters.requests if r.path.endswith("/search_similar_images")
    ]
    assert len(searches) == 2
    everything = [
        r
        async for r in bria_client.search.similar(
            url="https://images.test/q.jpg", gallery_id="g"
        ).results()
    ]
    assert len(everything) == 6
