"""bria.background, bria.person and bria.images.upscale against the emulator."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image as PILImage

from bria_async import BriaClient, ValidationError
from bria_async.testing import Emulator


def jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, "navy").save(out, format="JPEG")
    return out.getvalue()


async def test_isolated_remove_and_upscale_upload_files(
    bria_client: BriaClient, tmp_path: Path
) -> None:
    path = tmp_path / "in.jpg"
    path.write_bytes(jpeg((300, 220)))
    removed = await bria_client.background.remove(path)
    with PILImage.open(io.BytesIO(await removed.image.read())) as picture:
        assert picture.size == (300, 220)
    upscaled = await bria_client.images.upscale(path.read_bytes(), desired_increase=4)
    with PILImage.open(io.BytesIO(await upscaled.image.read())) as picture:
        assert picture.size == (1200, 880)
    by_url = await bria_client.images.upscale("https://images.test/a.png")
    assert by_url.url


async def test_isolated_upscale_refuses_small_images_before_sending(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    with pytest.raises(ValidationError, match="216"):
        await bria_client.images.upscale(jpeg((200, 300)))
    assert not any(
        r.path.endswith("/image/increase_resolution") for r in bria_emulator.counters.requests
    )


async def test_replace_isolated_polls_its_placeholders(bria_client: BriaClient) -> None:
    job = await bria_client.background.replace(
        jpeg((256, 256)), "on a wooden table", num_results=2
    ).submit()
    assert len(job.urls) == 2
    result = await job
    assert all(image.sid for image in result.images)


async def test_visual_background_routes_and_presenters(bria_client: BriaClient) -> None:
    vid = (await bria_client.visuals.register("https://images.test/person.jpg")).visual_id
    background = await bria_client.background.info(vid)
    assert background.type == "background"
    blurred = await bria_client.background.blur(vid, scale=2, desired_resolution="had")  # type: ignore[arg-type]
    replaced = await bria_client.background.replace_bg(
        vid, "a forest", sid=blurred, num_results=2, desired_resolution="hd"
    )
    assert len(replaced.images) == 2
    people = await bria_client.person.info(vid)
    person = next(iter(people))
    modified = await bria_client.person.modify(
        vid,
        [{"id": person.id, "expression": "happy"}],
        sid=replaced.images[0],
    )
    assert modified.sid
