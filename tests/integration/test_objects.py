"""bria.objects against the emulator over real HTTP: info through onboarding, the mask zip
downloaded and parsed into real PNG masks, and removal by each kind of area."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image as PILImage

import bria_async as ba
from bria_async import BriaClient
from bria_async.testing import Emulator


@pytest.fixture
async def visual_id(bria_client: BriaClient) -> str:
    return (await bria_client.visuals.register("https://images.test/kitchen.jpg")).visual_id


async def test_info_waits_for_onboarding_then_lists_removable_objects(
    bria_client: BriaClient, bria_emulator: Emulator, visual_id: str
) -> None:
    info = await bria_client.objects.info(visual_id)
    calls = [r for r in bria_emulator.counters.requests if r.path.endswith("/objects/info")]
    assert len(calls) >= 2  # 205 while onboarding, then 200
    assert len(info) >= 3
    for obj in info:
        assert obj.id
        assert obj.labels
        assert obj.actions == {"remove": True}
        assert isinstance(obj.oracle["remove"], bool)


async def test_mask_generator_gives_png_masks_that_match_the_panoptic_map(
    bria_client: BriaClient, bria_emulator: Emulator, visual_id: str, tmp_path: Path
) -> None:
    info = await bria_client.objects.info(visual_id)
    masks = await bria_client.objects.mask_generator(visual_id)
    assert [m.mask_id for m in masks] == list(range(1, len(info) + 2))
    assert [m.label for m in masks] == [o.labels[0] for o in info if o.labels] + ["background"]
    with PILImage.open(io.BytesIO(masks.panoptic_map or b"")) as panoptic:
        ids = {value for _, value in panoptic.getcolors() or []}
        size = panoptic.size
    assert ids <= {0, *(m.mask_id for m in masks)}
    for mask in masks:
        with PILImage.open(io.BytesIO(mask.png)) as picture:
            assert (picture.format, picture.size) == ("PNG", size)
    storage = [r for r in bria_emulator.counters.requests if r.host == "storage"]
    assert storage
    assert all("api_token" not in r.headers for r in storage)
    paths = await masks.save(tmp_path / "masks")
    assert len(paths) == len(masks) + 1
    assert all(p.parent == (tmp_path / "masks").resolve() for p in paths)


async def test_remove_by_mask_object_point_and_url_chains_sids(
    bria_client: BriaClient, visual_id: str
) -> None:
    info = await bria_client.objects.info(visual_id)
    first = await bria_client.objects.remove(
        visual_id, mask_ids=[1, 2], enhance=True, desired_resolution="xga", original_quality=True
    )
    assert first.sid
    assert first.url
    by_object = await bria_client.objects.remove(
        visual_id, object_ids=[info.objects[0].id], sid=first.sid
    )
    assert by_object.sid != first.sid
    by_points = await bria_client.objects.remove(visual_id, points=[[10, 20], [30, 40]])
    by_url = await bria_client.objects.remove(visual_id, mask_url="https://images.test/mask.png")
    assert len({first.sid, by_object.sid, by_points.sid, by_url.sid}) == 4
    with PILImage.open(io.BytesIO(await first.image.read())) as picture:
        assert picture.size == (1024, 768)


async def test_remove_with_an_unknown_mask_id_is_refused_by_the_server(
    bria_client: BriaClient, visual_id: str
) -> None:
    with pytest.raises(ba.BadRequestError, match="mask_id"):
        await bria_client.objects.remove(visual_id, mask_ids=[99])
