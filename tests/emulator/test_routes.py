"""Every route of ROUTES.md: its success code and shape, one invalid parameter, 401 without
a token, and 404 for unknown visuals, datasets, images and models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from tests.emulator.emulator_support import Api, png_base64

URL = "https://example.com/product.png"


def result_url(body: Any) -> bool:
    return isinstance(body["result_url"], str) and body["result_url"].startswith("http")


def edited(body: Any) -> bool:
    return result_url(body) and isinstance(body["sid"], str) and bool(body["sid"])


def generated(count: int) -> Callable[[Any], bool]:
    def check(body: Any) -> bool:
        items = body["result"]
        return len(items) == count and all(
            set(item) == {"urls", "seed", "uuid"} and len(item["urls"]) == 1 for item in items
        )

    return check


def triples(count: int) -> Callable[[Any], bool]:
    def check(body: Any) -> bool:
        items = body["result"]
        return len(items) == count and all(
            isinstance(url, str) and isinstance(seed, int) and isinstance(sid, str)
            for url, seed, sid in items
        )

    return check


class Route(NamedTuple):
    number: int
    method: str
    path: str  # str.format-ed with the world's ids
    request: dict[str, Any]
    status: int
    check: Callable[[Any], bool]
    bad: dict[str, Any] | None = None  # a request with one invalid parameter...
    bad_param: str = ""  # ...named in the 400's message


def _is_list(body: Any) -> bool:
    return isinstance(body, list)


ROUTES = [
    Route(1, "POST", "/text-to-image/base/2.3", {"json": {"prompt": "fox", "num_results": 2}}, 200,
          generated(2), {"json": {"prompt": "fox", "num_results": 5}}, "num_results"),
    Route(2, "POST", "/text-to-image/fast/2.3", {"json": {"prompt": "fox", "num_results": 1}}, 200,
          generated(1), {"json": {"prompt": "fox", "steps_num": 20}}, "steps_num"),
    Route(3, "POST", "/text-to-image/hd/2.2", {"json": {"prompt": "fox"}}, 200,
          generated(4), {"json": {"prompt": "fox", "aspect_ratio": "7:5"}}, "aspect_ratio"),
    Route(4, "POST", "/text-to-image/tailored/{trained}", {"json": {"prompt": "fox"}}, 200,
          generated(4), {"json": {"prompt": "fox", "steps_num": 30}}, "steps_num"),
    Route(5, "POST", "/{vid}/campaign_generator", {"json": {"layout_ids": ["a", "b"]}}, 200,
          lambda b: len(b["ads"]) == 2 and b["ads"][0]["layout_id"] == "a",
          {"json": {"template_id": "t", "background_type": "neon"}}, "background_type"),
    Route(6, "POST", "/{vid}/image_expansion",
          {"json": {"canvas_size": [1200, 1200], "original_image_size": [800, 800],
                    "original_image_location": [200, 200]}}, 200,
          edited, {"json": {"canvas_size": [6000, 6000]}}, "canvas_size"),
    Route(7, "POST", "/image/increase_resolution",
          {"data": {"image_url": URL}, "params": {"desired_increase": "2"}}, 200,
          result_url, {"data": {"image_url": URL}, "params": {"desired_increase": "3"}},
          "desired_increase"),
    Route(8, "POST", "/{vid}/increase_resolution", {"params": {"desired_increase": "4"}}, 200,
          edited, {"params": {"desired_increase": "3"}}, "desired_increase"),
    Route(9, "POST", "/{vid}/image_to_psd", {}, 200, result_url),
    Route(10, "POST", "/{vid}/crop", {"json": {"padding": 10}}, 200, edited,
          {"json": {"padding": -1}}, "padding"),
    Route(11, "POST", "/tailored-gen/datasets",
          {"json": {"use_case": "illustrative_style", "style_description": "s", "name": "n"}},
          201, lambda b: b["status"] == "draft" and b["images_count"] == 0,
          {"json": {"use_case": "photo", "style_description": "s"}}, "use_case"),
    Route(12, "GET", "/tailored-gen/datasets", {}, 200, lambda b: len(b) == 2),
    Route(13, "GET", "/tailored-gen/datasets/{ds}", {}, 200, lambda b: len(b["images"]) == 1),
    Route(14, "PUT", "/tailored-gen/datasets/{ds}", {"json": {"name": "renamed"}}, 200,
          lambda b: b["name"] == "renamed", {"json": {"status": "ARCHIVED"}}, "status"),
    Route(15, "DELETE", "/tailored-gen/datasets/{ds}", {}, 204, lambda b: b is None),
    Route(16, "POST", "/tailored-gen/datasets/{ds}/images",
          {"data": {"image_url": URL, "image_name": "p.png"}}, 201,
          lambda b: b["file_name"] == "p.png" and b["image_url"] == URL,
          {"data": {"image_url": "ftp://x"}}, "image_url"),
    Route(17, "GET", "/tailored-gen/datasets/{ds}/images", {}, 200, lambda b: len(b) == 1),
    Route(18, "GET", "/tailored-gen/datasets/{ds}/images/{img}", {}, 200, lambda b: "id" in b),
    Route(19, "DELETE", "/tailored-gen/datasets/{ds}/images/{img}", {}, 204, lambda b: b is None),
    Route(20, "POST", "/tailored-gen/models", {"json": {"name": "m", "dataset_id": 0}}, 201,
          lambda b: b["status"] == "Created",
          {"json": {"name": "m", "dataset_id": "abc"}}, "dataset_id"),
    Route(21, "GET", "/tailored-gen/models", {}, 200, lambda b: len(b) == 3),
    Route(22, "GET", "/tailored-gen/models/{model}", {}, 200, lambda b: b["status"] == "Created"),
    Route(23, "DELETE", "/tailored-gen/models/{model}", {}, 204, lambda b: b is None),
    Route(24, "POST", "/tailored-gen/models/{model}/start_training", {}, 200,
          lambda b: b["status"] == "Training In Progress"),
    Route(25, "POST", "/tailored-gen/models/{training}/stop_training", {}, 200,
          lambda b: b["status"] == "Stopped"),
    Route(26, "POST", "/product/cutout", {"json": {"file": png_base64()}}, 200, result_url,
          {"json": {"file": "!!not base64!!"}}, "file"),
    Route(27, "POST", "/product/packshot",
          {"json": {"image_url": URL, "background_color": "#112233"}}, 200,
          result_url, {"json": {"image_url": URL, "background_color": "blue"}},
          "background_color"),
    Route(28, "POST", "/product/lifestyle_shot_by_text",
          {"json": {"image_url": URL, "scene_description": "beach", "num_results": 2}}, 200,
          triples(2), {"json": {"image_url": URL, "scene_description": "b", "placement_type": "x"}},
          "placement_type"),
    Route(29, "POST", "/product/lifestyle_shot_by_image",
          {"json": {"image_url": URL, "reference_image_url": URL,
                    "placement_type": "manual_placement",
                    "manual_placement_selection": ["upper_left", "center_vertical"]}}, 200,
          triples(2), {"json": {"image_url": URL, "reference_image_url": URL,
                                "manual_placement_selection": ["middle"]}},
          "manual_placement_selection"),
    Route(30, "POST", "/products/consistent_shots",
          {"json": {"image_urls": [URL, URL], "scene_description": "desk"}}, 200, triples(2),
          {"json": {"image_urls": [], "scene_description": "desk"}}, "image_urls"),
    Route(31, "POST", "/product/contextual_keyword_extraction", {"json": {"image_url": URL}}, 200,
          lambda b: len(b["keywords"]) > 0, {"json": {"image_url": "nope"}}, "image_url"),
    Route(32, "POST", "/register", {"json": {"image_url": "https://example.com/new.png"}}, 200,
          lambda b: isinstance(b["visual_id"], str), {"json": {"image_url": 42}}, "image_url"),
    Route(33, "POST", "/{vid}/remove_image", {}, 200, lambda b: b["status"] == "removed"),
    Route(34, "GET", "/{vid}/info", {}, 200, lambda b: len(b["scene"]) >= 3,
          {"params": {"lean": "maybe"}}, "lean"),
    Route(35, "GET", "/{vid}/background/info", {}, 200, lambda b: b["type"] == "background"),
    Route(36, "POST", "/background/remove", {"data": {"image_url": URL}}, 200, result_url,
          {"data": {"image_url": "nope"}}, "image_url"),
    Route(37, "POST", "/{vid}/background/remove", {"params": {"desired_resolution": "hd"}}, 200,
          edited, {"params": {"desired_resolution": "8k"}}, "desired_resolution"),
    Route(38, "POST", "/{vid}/background/blur", {"params": {"scale": "3"}}, 200, edited,
          {"params": {"scale": "9"}}, "scale"),
    Route(39, "POST", "/background/replace",
          {"json": {"image_url": URL, "bg_prompt": "forest", "num_results": 2}}, 200, triples(2),
          {"json": {"image_url": URL, "bg_prompt": "forest", "num_results": 0}}, "num_results"),
    Route(40, "POST", "/{vid}/replace_bg", {"json": {"bg_prompt": "forest"}}, 200, triples(4),
          {"json": {"bg_prompt": "forest", "desired_resolution": "8k"}}, "desired_resolution"),
    Route(41, "GET", "/{vid}/objects/info", {}, 200,
          lambda b: len(b) >= 3 and all(o["type"] == "object" for o in b)),
    Route(42, "POST", "/{vid}/objects/mask_generator", {}, 200,
          lambda b: b["objects_masks"].endswith(".zip")),
    Route(43, "POST", "/{vid}/objects/remove",
          {"json": {"changes": [{"mask_id": 1, "mask_source": "generated"}]}}, 200, edited,
          {"json": {"changes": [{"mask_id": 99}]}}, "mask_id"),
    Route(44, "GET", "/{vid}/caption", {}, 200,
          lambda b: isinstance(b["results"][0]["caption"], str)),
    Route(45, "GET", "/search", {"params": {"query": "dog", "gallery_id": "1"}}, 200,
          lambda b: len(b["results"]) == 1,
          {"params": {"query": "dog", "gallery_id": "1", "num_results_per_page": "501"}},
          "num_results_per_page"),
    Route(46, "GET", "/search_similar_images", {"params": {"url": URL, "gallery_id": "1"}}, 200,
          lambda b: len(b["results"]) == 1,
          {"params": {"url": URL, "gallery_id": "1", "page": "0"}}, "page"),
    Route(47, "GET", "/{vid}/person/info", {}, 200,
          lambda b: len(b) >= 1 and b[0]["oracle"]["expression"] in ("high", "medium", "low")),
    Route(48, "POST", "/{vid}/create", {"json": {"changes": [{"id": "{person}"}]}}, 200, edited,
          {"json": {"changes": [{"id": "nobody"}]}}, "id"),
]  # fmt: skip


def _fill(route: Route, world: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    filled = dict(request)
    if "json" in filled and route.number == 20:
        filled["json"] = {**filled["json"], "dataset_id": world["done"]}
        if request is route.bad:
            filled["json"]["dataset_id"] = "abc"
    if route.number == 48 and request is route.request:
        filled["json"] = {"changes": [{"id": world["person"]}]}
    return filled


def test_the_table_covers_all_48_routes() -> None:
    assert [route.number for route in ROUTES] == list(range(1, 49))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.number}-{r.method}-{r.path}")
async def test_route_answers_documented_shape(
    api: Api, world: dict[str, Any], route: Route
) -> None:
    status, body, _ = await api.call(
        route.method, route.path.format(**world), **_fill(route, world, route.request)
    )
    assert status == route.status, body
    assert route.check(body), body


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.bad], ids=lambda r: f"{r.number}-{r.bad_param}"
)
async def test_route_refuses_invalid_parameter_naming_it(
    api: Api, world: dict[str, Any], route: Route
) -> None:
    assert route.bad is not None
    status, body, _ = await api.call(
        route.method, route.path.format(**world), **_fill(route, world, route.bad)
    )
    assert status == 400, body
    assert route.bad_param in body["error"]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.number}")
async def test_route_needs_api_token(api: Api, world: dict[str, Any], route: Route) -> None:
    status, body, _ = await api.call(
        route.method, route.path.format(**world), token=False, **_fill(route, world, route.request)
    )
    assert status == 401
    assert body == {"error": "Unauthorized. Invalid API key or authentication token."}


UNKNOWN = {
    "vid": "0000000000000000",
    "trained": "999999",
    "ds": "999999",
    "img": "999999",
    "model": "999999",
    "training": "999999",
}


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if "{" in r.path],
    ids=lambda r: f"{r.number}-{r.path}",
)
async def test_route_answers_404_for_unknown_ids(
    api: Api, world: dict[str, Any], route: Route
) -> None:
    status, body, _ = await api.call(
        route.method, route.path.format(**UNKNOWN), **_fill(route, world, route.request)
    )
    assert status == 404, body
    assert "does not exist" in body["error"]


async def test_unknown_image_of_known_dataset_is_404(api: Api, world: dict[str, Any]) -> None:
    status, body, _ = await api.call("GET", f"/tailored-gen/datasets/{world['ds']}/images/999999")
    assert status == 404
    assert "Image" in body["error"]


async def test_unknown_path_is_404_json(api: Api) -> None:
    status, body, _ = await api.call("GET", "/no/such/route/here")
    assert status == 404
    assert "error" in body


async def test_a_wrong_token_is_refused_by_default(api: Api) -> None:
    assert api.emulator.api_token == "emulator-token"
    async with api.session.get(
        api.emulator.base_url + "/tailored-gen/models", headers={"api_token": "wrong"}
    ) as response:
        assert response.status == 401
        body = await response.json()
    assert body == {"error": "Unauthorized. Invalid API key or authentication token."}
    assert api.emulator.counters.submissions == {}


async def test_any_token_accepts_every_non_empty_token(api: Api) -> None:
    api.emulator.config.any_token = True
    url = api.emulator.base_url + "/tailored-gen/models"
    async with api.session.get(url, headers={"api_token": "whatever"}) as response:
        assert response.status == 200
    async with api.session.get(url, headers={"api_token": ""}) as response:
        assert response.status == 401


async def test_configured_token_is_the_only_one_accepted(api: Api) -> None:
    api.emulator.config.api_token = "secret"
    status, _, _ = await api.call("GET", "/tailored-gen/models")
    assert status == 200
    async with api.session.get(
        api.emulator.base_url + "/tailored-gen/models", headers={"api_token": "other"}
    ) as response:
        assert response.status == 401
