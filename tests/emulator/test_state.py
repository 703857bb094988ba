"""The emulator's memory: onboarding (205), re-registration (208), retired versions (209),
sid chains, search paging, and datasets and models with their conflicts (409, 412)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from typing import Any

import aiohttp

from bria_async.testing import Emulator
from tests.emulator.emulator_support import Api, make_dataset, make_model, png_bytes

INFO_ROUTES = ("info", "background/info", "objects/info", "person/info")


async def test_info_routes_answer_205_while_onboarding_then_200(
    api: Api, emulator: Emulator
) -> None:
    emulator.config.onboarding_seconds = 0.3
    vid = (await api.ok("POST", "/register", json={"image_url": "https://e.com/a.png"}))[
        "visual_id"
    ]
    for route in INFO_ROUTES:
        assert (await api.call("GET", f"/{vid}/{route}"))[0] == 205
    await asyncio.sleep(0.35)
    for route in INFO_ROUTES:
        assert (await api.call("GET", f"/{vid}/{route}"))[0] == 200
    lean = await api.ok("GET", f"/{vid}/info", params={"lean": "true"})
    assert set(lean) == {"description", "org_width", "org_height"}


async def test_register_same_image_again_answers_208_with_same_id(api: Api) -> None:
    body = {"image_url": "https://e.com/a.png"}
    first = await api.ok("POST", "/register", json=body)
    again = await api.ok("POST", "/register", 208, json=body)
    assert again == first
    await api.ok("POST", f"/{first['visual_id']}/remove_image")
    assert (await api.call("GET", f"/{first['visual_id']}/caption"))[0] == 404


async def test_retired_base_version_answers_209_unknown_400(api: Api) -> None:
    status, body, _ = await api.call("POST", "/text-to-image/base/2.2", json={"prompt": "p"})
    assert status == 209
    assert len(body["result"]) == 4
    status, body, _ = await api.call("POST", "/text-to-image/base/9.9", json={"prompt": "p"})
    assert status == 400
    assert "model_version" in body["error"]
    status, body, _ = await api.call("POST", "/text-to-image/fast/2.2", json={"prompt": "p"})
    assert status == 400


async def test_seeds_follow_the_given_seed(api: Api) -> None:
    body = await api.ok(
        "POST", "/text-to-image/fast/2.3", json={"prompt": "p", "seed": 10, "num_results": 3}
    )
    assert [item["seed"] for item in body["result"]] == [10, 11, 12]


async def test_hd_sync_needs_single_image(api: Api) -> None:
    status, body, _ = await api.call(
        "POST", "/text-to-image/hd/2.2", json={"prompt": "p", "sync": True}
    )
    assert status == 400
    assert "num_results" in body["error"]


async def test_sid_chains_across_edits_and_unknown_sid_is_404(api: Api, world: Any) -> None:
    vid = world["vid"]
    removed = await api.ok("POST", f"/{vid}/background/remove")
    cropped = await api.ok("POST", f"/{vid}/crop", params={"sid": removed["sid"]}, json={})
    assert cropped["sid"] != removed["sid"]
    await api.ok("POST", f"/{vid}/increase_resolution", params={"sid": cropped["sid"]})
    status, body, _ = await api.call("POST", f"/{vid}/crop", params={"sid": "nope"})
    assert status == 404
    assert "sid" in body["error"]
    status, _, _ = await api.call(
        "POST", f"/{vid}/replace_bg", json={"sid": "nope", "bg_prompt": "x"}
    )
    assert status == 404


async def test_search_pages_through_registered_visuals(api: Api) -> None:
    for index in range(5):
        await api.ok("POST", "/register", json={"image_url": f"https://e.com/{index}.png"})
    sizes = []
    seen: set[str] = set()
    for page in (1, 2, 3, 4):
        body = await api.ok(
            "GET",
            "/search",
            params={"query": "dog", "gallery_id": "1", "num_results_per_page": "2", "page": page},
        )
        sizes.append(len(body["results"]))
        seen.update(result["visual_id"] for result in body["results"])
    assert sizes == [2, 2, 1, 0]
    assert len(seen) == 5
    status, body, _ = await api.call("GET", "/search", params={"query": "dog"})
    assert status == 400
    assert "gallery_id" in body["error"]


async def test_training_progresses_to_completed(api: Api, emulator: Emulator) -> None:
    emulator.config.training_seconds = 0.3
    model = await make_model(api, await make_dataset(api, 2, complete=True))
    started = await api.ok("POST", f"/tailored-gen/models/{model}/start_training")
    assert started == {"id": model, "status": "Training In Progress"}
    generate = await api.call("POST", f"/text-to-image/tailored/{model}", json={"prompt": "p"})
    assert generate[0] == 412
    assert (await api.ok("GET", f"/tailored-gen/models/{model}"))[
        "status"
    ] == "Training In Progress"
    await asyncio.sleep(0.35)
    assert (await api.ok("GET", f"/tailored-gen/models/{model}"))["status"] == "Completed"
    await api.ok("POST", f"/text-to-image/tailored/{model}", json={"prompt": "p"})


async def test_training_conflicts_and_preconditions(api: Api, world: Any) -> None:
    draft_model = await make_model(api, world["ds"])
    status, body, _ = await api.call("POST", f"/tailored-gen/models/{draft_model}/start_training")
    assert (status, "not completed" in body["error"]) == (412, True)
    few = await make_model(api, await make_dataset(api, 1, complete=True))
    status, body, _ = await api.call("POST", f"/tailored-gen/models/{few}/start_training")
    assert (status, "at least 2" in body["error"]) == (412, True)
    status, _, _ = await api.call(
        "POST", f"/tailored-gen/models/{world['training']}/start_training"
    )
    assert status == 409
    status, _, _ = await api.call("POST", f"/tailored-gen/models/{world['model']}/stop_training")
    assert status == 409
    status, body, _ = await api.call("DELETE", f"/tailored-gen/datasets/{world['done']}")
    assert status == 409
    assert "Cannot delete" in body["error"]


async def test_completed_dataset_conflicts(api: Api, world: Any) -> None:
    done = world["done"]
    status, _, _ = await api.call(
        "PUT", f"/tailored-gen/datasets/{done}", json={"style_description": "new"}
    )
    assert status == 409
    status, _, _ = await api.call("PUT", f"/tailored-gen/datasets/{done}", json={"status": "draft"})
    assert status == 409
    status, _, _ = await api.call(
        "POST", f"/tailored-gen/datasets/{done}/images", data={"image_url": "https://e.com/x.png"}
    )
    assert status == 409


async def test_dataset_upload_accepts_a_file_and_refuses_other_types(api: Api, world: Any) -> None:
    ds = world["ds"]
    form = aiohttp.FormData()
    form.add_field("file", png_bytes(), filename="cat.png", content_type="image/png")
    body = await api.ok("POST", f"/tailored-gen/datasets/{ds}/images", 201, data=form)
    assert body["file_name"].endswith(".png")
    assert body["dataset_id"] == ds
    form = aiohttp.FormData()
    form.add_field("file", b"GIF89a....", filename="cat.gif", content_type="image/gif")
    status, _, _ = await api.call("POST", f"/tailored-gen/datasets/{ds}/images", data=form)
    assert status == 415
    dataset = await api.ok("GET", f"/tailored-gen/datasets/{ds}")
    assert dataset["images_count"] == 2


async def test_deleted_dataset_is_gone(api: Api, world: Any) -> None:
    await api.ok("DELETE", f"/tailored-gen/datasets/{world['ds']}", 204)
    assert (await api.call("GET", f"/tailored-gen/datasets/{world['ds']}"))[0] == 404
    ids = [d["id"] for d in await api.ok("GET", "/tailored-gen/datasets")]
    assert world["ds"] not in ids


async def test_product_file_checks_413_and_415(api: Api) -> None:
    big = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * (12 * 1024 * 1024)).decode()
    payload = io.BytesIO(json.dumps({"file": big}).encode())
    headers = {"api_token": api.emulator.api_token, "Content-Type": "application/json"}
    url = api.emulator.base_url + "/product/cutout"
    async with api.session.post(url, data=payload, headers=headers) as response:
        assert response.status == 413
    gif = base64.b64encode(b"GIF89a" + b"\0" * 10).decode()
    status, _, _ = await api.call("POST", "/product/cutout", json={"file": gif})
    assert status == 415


async def test_isolated_background_removal_206_for_empty_file(api: Api) -> None:
    form = aiohttp.FormData()
    form.add_field("file", b"", filename="empty.png", content_type="image/png")
    status, _, _ = await api.call("POST", "/background/remove", data=form)
    assert status == 206
    status, body, _ = await api.call("POST", "/background/remove", data={"other": "x"})
    assert status == 400
    assert "file" in body["error"]
