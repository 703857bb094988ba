"""bria.visuals against the emulator: the editing chain by sid, and each visual route."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image as PILImage

from bria_async import BriaClient, NotFoundError
from bria_async.testing import Emulator


def info_calls(emulator: Emulator, visual_id: str) -> int:
    return sum(
        1
        for r in emulator.counters.requests
        if r.host == "api" and r.path.endswith(f"/{visual_id}/info")
    )


async def test_register_info_remove_background_crop_upscale_chain_by_sid(
    bria_client: BriaClient, bria_emulator: Emulator, tmp_path: Path
) -> None:
    bria_emulator.config.onboarding_seconds = 0.2
    visual = await bria_client.visuals.register("https://images.test/chain.jpg")
    info = await bria_client.visuals.info(visual.visual_id)  # 205 while onboarding, then 200
    assert info_calls(bria_emulator, visual.visual_id) >= 2
    assert info.size is not None
    assert any(element.type == "background" for element in info.scene)

    removed = await bria_client.background.remove_by_visual(visual.visual_id)
    cropped = await bria_client.visuals.crop(visual.visual_id, sid=removed, padding=4)
    upscaled = await bria_client.visuals.increase_resolution(
        visual.visual_id, sid=cropped, desired_increase=2
    )
    assert len({removed.sid, cropped.sid, upscaled.sid}) == 3
    query = [
        r.query for r in bria_emulator.counters.requests if r.path.endswith("/increase_resolution")
    ]
    assert query == [{"sid": str(cropped.sid), "desired_increase": "2"}]
    path = await upscaled.save(tmp_path)
    with PILImage.open(path) as picture:
        assert picture.format == "PNG"


async def test_register_twice_returns_the_same_visual(bria_client: BriaClient) -> None:
    first = await bria_client.visuals.register("https://images.test/twice.jpg", is_private=True)
    again = await bria_client.visuals.register("https://images.test/twice.jpg")
    assert (again.visual_id, first.already_registered, again.already_registered) == (
        first.visual_id,
        False,
        True,
    )


async def test_caption_psd_expansion_and_campaign(bria_client: BriaClient, tmp_path: Path) -> None:
    vid = (await bria_client.visuals.register(org_image_key="sku-42")).visual_id
    caption = await bria_client.visuals.caption(vid)
    assert str(caption).startswith("A photo of")
    lean = await bria_client.visuals.info(vid, lean=True)
    assert lean.scene == ()
    psd = await bria_client.visuals.image_to_psd(vid)
    assert (await psd.save(tmp_path)).suffix == ".psd"
    expanded = await bria_client.visuals.image_expansion(
        vid,
        canvas_size=[1200, 800],
        original_image_size=[600, 400],
        original_image_location=[300, 200],
        prompt="a sunny beach",
        seed=1,
    )
    assert expanded.sid
    campaign = await bria_client.visuals.campaign_generator(
        vid,
        template_id="t1",
        background_type="solid",
        bg_color="#FFFFFF",
        header1_text="Sale",
    )
    assert len(campaign.images) == 3
    assert {"layout_id", "width", "height"} <= set(campaign.images[0].extra)


async def test_remove_image_then_the_visual_is_gone(bria_client: BriaClient) -> None:
    vid = (await bria_client.visuals.register("https://images.test/gone.jpg")).visual_id
    assert await bria_client.visuals.remove_image(vid) is None
    with pytest.raises(NotFoundError):
        await bria_client.visuals.caption(vid)
