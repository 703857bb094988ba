"""Placeholders on the storage host: 404 until ready, then cheap probes, ranges and real
PNG, PSD and zip bytes."""

from __future__ import annotations

import asyncio
import io
import json
import time
import zipfile

import aiohttp
import pytest
from PIL import Image, PsdImagePlugin

from bria_async.testing import Emulator, Latency, RouteConfig
from tests.emulator.emulator_support import Api


async def _first_url(api: Api, path: str = "/text-to-image/base/2.3", **body: object) -> str:
    result = await api.ok("POST", path, json={"prompt": "fox", "num_results": 1, **body})
    url: str = result["result"][0]["urls"][0]
    return url


@pytest.mark.parametrize(
    ("path", "aspect_ratio", "size"),
    [
        ("/text-to-image/base/2.3", "1:1", (1024, 1024)),
        ("/text-to-image/fast/2.3", "16:9", (1344, 768)),
        ("/text-to-image/hd/2.2", "1:1", (1536, 1536)),
    ],
)
async def test_placeholder_404_then_206_probe_then_png_of_requested_size(
    api: Api, path: str, aspect_ratio: str, size: tuple[int, int]
) -> None:
    url = await _first_url(api, path, aspect_ratio=aspect_ratio)
    assert url.startswith(api.emulator.storage_url + "/results/")
    async with api.session.get(url, headers={"Range": "bytes=0-0"}) as response:
        assert response.status == 404
    await asyncio.sleep(0.06)
    async with api.session.get(url, headers={"Range": "bytes=0-0"}) as response:
        assert response.status == 206
        assert await response.read() == b"\x89"
    async with api.session.get(url) as response:
        assert response.status == 200
        image = Image.open(io.BytesIO(await response.read()))
    assert image.format == "PNG"
    assert image.size == size
    assert api.emulator.counters.probes[url] == 3


async def test_same_prompt_and_seed_give_the_same_png(api: Api) -> None:
    urls = [await _first_url(api, seed=3), await _first_url(api, seed=3), await _first_url(api)]
    for url in urls:
        api.emulator.make_ready(url)
    bodies = []
    for url in urls:
        async with api.session.get(url) as response:
            bodies.append(await response.read())
    assert bodies[0] == bodies[1] != bodies[2]


async def test_range_requests_answer_206_with_content_range(api: Api) -> None:
    url = await _first_url(api)
    api.emulator.make_ready(url)
    async with api.session.get(url, headers={"Range": "bytes=1-3"}) as response:
        assert response.status == 206
        assert await response.read() == b"PNG"
        total = int(response.headers["Content-Range"].rpartition("/")[2])
        assert response.headers["Content-Range"] == f"bytes 1-3/{total}"
    async with api.session.get(url, headers={"Range": f"bytes={total}-"}) as response:
        assert response.status == 416


async def test_max_image_side_caps_rendered_pngs(api: Api, emulator: Emulator) -> None:
    emulator.config.max_image_side = 64
    url = await _first_url(api, aspect_ratio="16:9")
    emulator.make_ready(url)
    async with api.session.get(url) as response:
        assert Image.open(io.BytesIO(await response.read())).size == (64, 37)


async def test_sync_true_waits_and_answers_ready_urls(api: Api, emulator: Emulator) -> None:
    emulator.config.routes["POST /text-to-image/fast/{model_version}"] = RouteConfig(
        placeholder_latency=Latency.fixed(0.3)
    )
    started = time.monotonic()
    url = await _first_url(api, "/text-to-image/fast/2.3", sync=True)
    assert time.monotonic() - started >= 0.29
    async with api.session.get(url, headers={"Range": "bytes=0-0"}) as response:
        assert response.status == 206


async def test_not_ready_status_is_configurable(api: Api, emulator: Emulator) -> None:
    emulator.config.not_ready_statuses = (403,)
    url = await _first_url(api)
    async with api.session.get(url) as response:
        assert response.status == 403


async def test_ready_and_first_served_times_are_recorded(api: Api, emulator: Emulator) -> None:
    before = time.time()
    url = await _first_url(api)
    ready_at = emulator.counters.ready_at[url]
    assert before + 0.04 <= ready_at <= time.time() + 0.06
    await asyncio.sleep(0.06)
    async with api.session.get(url, headers={"Range": "bytes=0-0"}):
        pass
    assert emulator.counters.first_served_at[url] >= ready_at


async def test_image_to_psd_is_a_layered_psd(api: Api, world: dict[str, str]) -> None:
    body = await api.ok("POST", f"/{world['vid']}/image_to_psd")
    async with api.session.get(body["result_url"]) as response:
        psd = Image.open(io.BytesIO(await response.read()))
    assert isinstance(psd, PsdImagePlugin.PsdImageFile)
    assert len(psd.layers) >= 2


async def test_mask_zip_holds_masks_panoptic_map_and_index(api: Api, world: dict[str, str]) -> None:
    vid = world["vid"]
    body = await api.ok("POST", f"/{vid}/objects/mask_generator")
    async with api.session.get(body["objects_masks"]) as response:
        archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    index = json.loads(archive.read(f"{vid}_masks.json"))
    panoptic = Image.open(io.BytesIO(archive.read(f"{vid}_panoptic.png")))
    assert panoptic.mode == "L"
    for entry in index:
        mask = Image.open(io.BytesIO(archive.read(entry["file"])))
        assert mask.size == panoptic.size
        x0, y0 = entry["bbox"][:2]
        assert panoptic.getpixel((x0, y0)) == entry["mask_id"]
        assert mask.getpixel((x0, y0)) == 255


async def test_unknown_result_is_404(session: aiohttp.ClientSession, emulator: Emulator) -> None:
    async with session.get(emulator.storage_url + "/results/nothing.png") as response:
        assert response.status == 404
