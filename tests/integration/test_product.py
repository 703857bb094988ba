"""bria.product against the emulator over real HTTP: URL and base64 inputs, packshot size,
lifestyle shots polled until ready, and the "coming soon" routes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image as PILImage

import bria_async as ba
from bria_async import BriaClient
from bria_async.testing import Emulator, RouteConfig

SHOE = "https://images.test/shoe.jpg"


def jpeg(size: tuple[int, int] = (320, 240)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, "navy").save(out, format="JPEG")
    return out.getvalue()


async def test_cutout_of_a_local_file_keeps_its_size(
    bria_client: BriaClient, tmp_path: Path
) -> None:
    path = tmp_path / "shoe.jpg"
    path.write_bytes(jpeg((320, 240)))
    result = await bria_client.product.cutout(path, sku="SKU-1")
    saved = await result.save(tmp_path / "out")
    with PILImage.open(saved) as picture:
        assert picture.size == (320, 240)


async def test_packshot_is_2000_square_on_any_colour(bria_client: BriaClient) -> None:
    result = await bria_client.product.packshot(SHOE, background_color="transparent")
    with PILImage.open(io.BytesIO(await result.image.read())) as picture:
        assert picture.size == (2000, 2000)


async def test_lifestyle_by_text_automatic_gives_ten_polled_shots(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    job = await bria_client.product.lifestyle_shot_by_text(
        SHOE, "on a marble counter", placement_type="automatic", shot_size=[640, 480]
    ).submit()
    assert len(job.urls) == 10
    result = await job.wait(timeout=30)
    with PILImage.open(io.BytesIO(await result.images[0].read())) as picture:
        assert picture.size == (640, 480)
    probes = [r for r in bria_emulator.counters.requests if r.host == "storage"]
    assert all("api_token" not in r.headers for r in probes)


async def test_lifestyle_by_text_sync_single_shot_and_manual_placements(
    bria_client: BriaClient,
) -> None:
    single = await bria_client.product.lifestyle_shot_by_text(
        jpeg(),
        "in a forest",
        sync=True,
        placement_type="manual_padding",
        padding_values=[10, 10, 20, 20],
    )
    assert len(single.images) == 1
    placed = await bria_client.product.lifestyle_shot_by_text(
        SHOE,
        "a desk",
        num_results=2,
        placement_type="manual_placement",
        manual_placement_selection=["upper_left", "bottom_right"],
    )
    assert len(placed.images) == 4


async def test_coming_soon_routes_answer_in_the_emulator(bria_client: BriaClient) -> None:
    by_image = await bria_client.product.lifestyle_shot_by_image(SHOE, jpeg(), num_results=1)
    assert len(by_image.images) == 1
    shots = await bria_client.product.consistent_shots(
        [SHOE, "https://images.test/bag.jpg"], scene_description="a studio"
    )
    assert len(shots.images) == 2
    keywords = await bria_client.product.contextual_keyword_extraction(jpeg())
    assert len(keywords.keywords) == 4


async def test_a_server_error_on_a_billable_shot_is_not_repeated(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    bria_emulator.config.routes["POST /product/packshot"] = RouteConfig(rate_500=1.0)
    with pytest.raises(ba.ServerError):
        await bria_client.product.packshot(SHOE)
    calls = [r for r in bria_emulator.counters.requests if r.path.endswith("/product/packshot")]
    assert len(calls) == 1
