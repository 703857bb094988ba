"""Every v2 route of V2.md: 202 with a status URL, a final result (a real PNG), one invalid
parameter refused with v2's error object naming it, and 401 without a token; then generate's
input combinations, image inputs and the sync answers."""

from __future__ import annotations

import base64
import io
import json
from typing import Any, NamedTuple

import aiohttp
import pytest
from PIL import Image

from bria_async._routes import ROUTES as TABLE
from bria_async.testing import Emulator, EmulatorConfig, Latency
from tests.emulator.emulator_support import V2Api, png_base64, png_bytes

IMG = "https://example.com/photo.png"


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(placeholder_latency=Latency.fixed(0.05), max_image_side=256, seed=7)


@pytest.fixture
def v2(emulator: Emulator, session: aiohttp.ClientSession) -> V2Api:
    return V2Api(emulator, session)


class Route(NamedTuple):
    path: str
    good: dict[str, Any]
    bad: dict[str, Any]
    bad_param: str


def _img(**fields: Any) -> dict[str, Any]:
    return {"image": IMG, **fields}


PRODUCT = {"image": IMG, "coordinates": {"x": 10, "y": 20, "width": 300, "height": 200}}
ROUTES = [
    Route("/image/generate", {"prompt": "a fox"}, {"prompt": "a fox", "aspect_ratio": "2:1"},
          "aspect_ratio"),
    Route("/structured_instruction/generate", {"images": [IMG], "instruction": "make it red"},
          {"images": [IMG] * 5, "instruction": "make it red"}, "images"),
    Route("/image/edit", {"images": [IMG, IMG], "instruction": "add a hat"}, {"images": [IMG]},
          "instruction"),
    Route("/image/edit/remove_background", _img(), {}, "image"),
    Route("/image/edit/remove_background/guided", _img(), _img(image="not base64!"), "image"),
    Route("/image/edit/replace_background", _img(prompt="a beach"), _img(), "prompt"),
    Route("/image/edit/blur_background", _img(), _img(image=5), "image"),
    Route("/image/edit/erase", _img(mask=IMG), _img(), "mask"),
    Route("/image/edit/erase_foreground", _img(), _img(sync="yes"), "sync"),
    Route("/image/edit/gen_fill", _img(mask=IMG, prompt="a vase"),
          _img(mask=IMG, prompt="a vase", mask_type="auto"), "mask_type"),
    Route("/image/edit/expand", _img(aspect_ratio="16:9"), _img(aspect_ratio="wide"),
          "aspect_ratio"),
    Route("/image/edit/enhance", _img(), _img(webhook_url="https://example.com/hook"),
          "webhook_url"),
    Route("/image/edit/increase_resolution", _img(desired_increase=4),
          _img(desired_increase=5), "desired_increase"),
    Route("/image/edit/crop_foreground", _img(), _img(image=""), "image"),
    Route("/image/edit/add_object_by_text", _img(instruction="add a cat"), _img(), "instruction"),
    Route("/image/edit/replace_object_by_text", _img(instruction="cat to dog"), _img(),
          "instruction"),
    Route("/image/edit/erase_by_text", _img(object_name="cup"), _img(), "object_name"),
    Route("/image/edit/rewrite_text", _img(new_text="FIBO Edit!"), _img(), "new_text"),
    Route("/image/edit/blend", _img(overlay=IMG, instruction="print it on the shirt"),
          _img(instruction="print it on the shirt"), "overlay"),
    Route("/image/edit/reseason", _img(season="winter"), _img(season="monsoon"), "season"),
    Route("/image/edit/restyle", _img(style="oil_painting"), _img(style="baroque"), "style"),
    Route("/image/edit/relight", _img(light_type="blue hour light", light_direction="top-down"),
          _img(light_type="midday", light_direction="left"), "light_direction"),
    Route("/image/edit/sketch_to_colored_image", _img(prompt="a red car"), _img(prompt=5),
          "prompt"),
    Route("/image/edit/restore", _img(), _img(image=[IMG]), "image"),
    Route("/image/edit/colorize", _img(color="sepia vintage"), _img(color="neon"), "color"),
    Route("/image/edit/product/integrate", {"scene": IMG, "products": [PRODUCT], "seed": 3},
          {"scene": IMG, "products": [{**PRODUCT, "coordinates": {"x": 0, "y": 0, "width": 0,
                                                                  "height": 5}}]},
          "products[0].coordinates"),
]  # fmt: skip


def test_the_table_covers_every_route_of_v2_md() -> None:
    # the client's v2 submissions: V2.md's table but status, /guided, and rewrite_text
    declared = {r.path for r in TABLE if r.version == 2 and r.method == "POST"}
    assert {route.path for route in ROUTES} == declared
    assert len(ROUTES) == 26


async def _png_size(session: aiohttp.ClientSession, url: str) -> tuple[int, int]:
    async with session.get(url) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        image = Image.open(io.BytesIO(await response.read()))
        with image:
            return image.size


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.path)
async def test_route_accepts_then_completes_with_a_png(
    v2: V2Api, session: aiohttp.ClientSession, route: Route
) -> None:
    request_id = await v2.submit(route.path, route.good)
    final = await v2.final(request_id)
    assert final["status"] == "COMPLETED", final
    assert "error" not in final
    result = final["result"]
    if route.path == "/structured_instruction/generate":
        assert set(result) == {"structured_instruction"}
        assert json.loads(result["structured_instruction"])["instruction"] == "make it red"
        return
    assert result["image_url"].startswith(v2.emulator.storage_url + "/results/")
    assert await _png_size(session, result["image_url"]) > (0, 0)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.path)
async def test_route_refuses_an_invalid_parameter_naming_it(v2: V2Api, route: Route) -> None:
    status, body, _ = await v2.call("POST", route.path, json=route.bad)
    assert status == 400, body
    assert body["error"]["code"] == 400
    assert route.bad_param in body["error"]["message"]
    assert v2.emulator.state.v2.jobs == {}


@pytest.mark.parametrize("route", ROUTES[:4], ids=lambda r: r.path)
async def test_route_needs_the_api_token(v2: V2Api, route: Route) -> None:
    for token in ("", "wrong-token"):
        status, body, _ = await v2.call("POST", route.path, token=token, json=route.good)
        assert status == 401
        assert body["error"]["code"] == 401
    assert v2.emulator.counters.submissions == {}


async def test_generate_result_carries_seed_prompts_and_structured_prompt(v2: V2Api) -> None:
    request_id = await v2.submit("/image/generate", {"prompt": "a fox", "seed": 42})
    result = (await v2.final(request_id))["result"]
    assert result["seed"] == 42
    assert result["prompt"] == "a fox"
    assert isinstance(result["refined_prompt"], str)
    structured = json.loads(result["structured_prompt"])
    assert isinstance(structured, dict)
    again = await v2.submit(
        "/image/generate", {"structured_prompt": result["structured_prompt"], "seed": 42}
    )
    assert (await v2.final(again))["result"]["structured_prompt"] == result["structured_prompt"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "none given"),
        ({"prompt": "a fox", "image_url": IMG}, "prompt, image_url"),
        ({"structured_prompt": "{}", "image_url": IMG, "seed": 1}, "structured_prompt, image_url"),
        ({"prompt": "a", "structured_prompt": {"short_description": "a"}, "seed": 1}, "prompt"),
        ({"structured_prompt": {"short_description": "a fox"}}, "seed"),
        ({"structured_prompt": "not json", "seed": 1}, "structured_prompt"),
        ({"prompt": "a fox", "resolution": "2MP"}, "resolution"),
        ({"prompt": "a fox", "resolution": "4MP", "sync": True}, "4MP"),
        ({"prompt": "a fox", "num_results": 5}, "num_results"),
        ({"prompt": "a fox", "seed": "7"}, "seed"),
    ],
)
async def test_generate_refuses_wrong_input_combinations(
    v2: V2Api, body: dict[str, Any], named: str
) -> None:
    status, answer, _ = await v2.call("POST", "/image/generate", json=body)
    assert status == 400, answer
    assert named in answer["error"]["message"]


async def test_generate_accepts_each_input_kind_and_4mp(v2: V2Api) -> None:
    for body in (
        {"image_url": IMG},
        {"image_url": png_base64()},
        {"structured_prompt": {"short_description": "a fox"}, "seed": 5},
        {"prompt": "a fox", "resolution": "4MP", "aspect_ratio": "16:9", "num_results": 4},
    ):
        assert (await v2.final(await v2.submit("/image/generate", body)))["status"] == "COMPLETED"


async def test_images_go_as_url_base64_or_data_url_and_the_size_follows(
    v2: V2Api, session: aiohttp.ClientSession
) -> None:
    raw = png_bytes((120, 80))
    for image in (base64.b64encode(raw).decode(), "data:image/png;base64," + png_base64((120, 80))):
        request_id = await v2.submit("/image/edit/increase_resolution", {"image": image})
        url = (await v2.final(request_id))["result"]["image_url"]
        assert await _png_size(session, url) == (240, 160)


@pytest.mark.parametrize(
    ("image", "status"),
    [
        (base64.b64encode(b"GIF89a" + b"\0" * 20).decode(), 415),
        ("data:image/png;base64,!!!", 400),
        ("ftp://example.com/a.png", 400),
    ],
)
async def test_bad_images_are_refused(v2: V2Api, image: str, status: int) -> None:
    got, body, _ = await v2.call("POST", "/image/edit/enhance", json={"image": image})
    assert got == status, body
    assert "image" in body["error"]["message"]


async def test_grayscale_images_are_refused_as_v2_md_allows_rgb_rgba_cmyk(v2: V2Api) -> None:
    out = io.BytesIO()
    Image.new("L", (10, 10)).save(out, format="PNG")
    body = {"image": base64.b64encode(out.getvalue()).decode()}
    got, answer, _ = await v2.call("POST", "/image/edit/enhance", json=body)
    assert got == 415, answer


async def test_sync_true_answers_the_final_body(v2: V2Api) -> None:
    status, body, _ = await v2.call(
        "POST", "/image/edit/restyle", json=_img(style="anime", sync=True)
    )
    assert status == 200, body
    assert body["status"] == "COMPLETED"
    assert body["result"]["image_url"].startswith("http")
    assert (await v2.status(body["request_id"]))["result"] == body["result"]


async def test_image_edit_refuses_sync_true_with_a_gateway_timeout(v2: V2Api) -> None:
    body = {"images": [IMG], "instruction": "x", "sync": True}
    status, answer, _ = await v2.call("POST", "/image/edit", json=body)
    assert status == 504
    assert answer["error"]["code"] == 504


async def test_image_edit_warns_that_model_version_is_ignored(v2: V2Api) -> None:
    body = {"images": [IMG], "structured_instruction": "{}", "model_version": "2"}
    result = (await v2.final(await v2.submit("/image/edit", body)))["result"]
    assert "model_version" in result["warning"]


async def test_expand_to_a_canvas_size(v2: V2Api, session: aiohttp.ClientSession) -> None:
    request_id = await v2.submit("/image/edit/expand", _img(canvas_size=[200, 100]))
    url = (await v2.final(request_id))["result"]["image_url"]
    assert await _png_size(session, url) == (200, 100)


async def test_unknown_v2_path_answers_404_with_the_error_object(v2: V2Api) -> None:
    status, body, _ = await v2.call("POST", "/image/edit/teleport", json=_img())
    assert status == 404
    assert body["error"]["code"] == 404
