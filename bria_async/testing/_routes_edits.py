"""Routes that edit a registered visual; each result gets a new `sid` for chaining.

Shapes (where the reference leaves them open, these are the emulator's choice):
most edits answer `{"result_url": url, "sid": sid}`; image_to_psd `{"result_url": psd_url}`;
replace_bg `{"result": [[url, seed, sid], ...]}`; campaign_generator `{"ads": [{"layout_id",
"url", "width", "height"}, ...]}`; mask_generator `{"objects_masks": zip_url}` (the zip holds
`<visual_id>_<k>.png` masks, `<visual_id>_panoptic.png` and `<visual_id>_masks.json`).
objects/remove and create read their unnamed "array of objects" from `changes` (or
`objects`): items are `{"id": ...}`, `{"mask_id": k, "mask_source": "generated"}`,
`{"mask_url": ...}` or `{"positive_points": [...]}`, one kind per request.
An unknown `sid` for the visual answers 404.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ._images import fit_side, render_mask_zip, render_psd
from ._results import PREFIX, generate, ok, result_url, state_of
from ._routes_images import MAX_UPSCALED_AREA
from ._routes_visuals import objects_of, people_of
from ._state import Visual
from ._validate import Params, fail, json_body

__all__ = ["add_routes"]

RESOLUTIONS: dict[str, tuple[int, int] | None] = {
    "original": None,
    "nhd": (640, 360),
    "svga": (800, 600),
    "xga": (1024, 768),
    "hd": (1280, 720),
    "had": (1280, 720),
    "wuxga": (1920, 1200),
    "uwfhd": (2560, 1080),
    "wqxga": (2560, 1600),
    "uwqhd": (3440, 1440),
    "uhd": (3840, 2160),
}
MAX_CANVAS_AREA = 5000 * 5000
MIN_ORIGINAL_SHARE = 0.15
BLOB_SIDE = 512  # PSDs and mask zips are rendered at most this big
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}$")


def _visual(request: web.Request) -> Visual:
    return state_of(request).visual(request.match_info["visual_id"])


def _edited(request: web.Request, visual: Visual, size: tuple[int, int], what: str) -> web.Response:
    """Answer a new result of `size` for `visual`, with its new sid."""
    sid = visual.new_sid(*size)
    return ok(
        {"result_url": result_url(request, size, f"{visual.visual_id}|{what}|{sid}"), "sid": sid}
    )


def _resolution(params: Params, size: tuple[int, int]) -> tuple[int, int]:
    name = params.enum("desired_resolution", "original", list(RESOLUTIONS)) or "original"
    return RESOLUTIONS[name] or size


async def _campaign(request: web.Request) -> web.Response:
    visual = _visual(request)
    params = Params(await json_body(request))
    visual.size_for(params.string("sid"))
    template = params.string("template_id")
    layouts = params.str_list("layout_ids", None, None)
    if not template and not layouts:
        fail(400, "missing required parameter: template_id or layout_ids")
    for name in ("preset_id", "header1_text", "header2_text"):
        params.string(name)
    for name in ("logo", "cta", "header1_font", "header2_font"):
        params.url(name)
    for name in ("header1_size", "header2_size", "seed", "bg_seed"):
        params.integer(name, low=0 if name.endswith("size") else None)
    background = params.enum("background_type", "original", ("original", "generated", "solid"))
    if background == "generated":
        params.string("bg_prompt", required=True)
    if background == "solid":
        colour = params.string("bg_color", required=True) or ""
        if not _HEX_COLOUR.match(colour):
            fail(400, f"invalid bg_color: {colour!r}; allowed: a hex colour like #FFFFFF")
    names = layouts or [f"{template}-{index}" for index in range(1, 4)]
    sizes = [(1080, 1080), (1200, 628), (1080, 1920)]
    ads = []
    for index, layout in enumerate(names):
        width, height = sizes[index % len(sizes)]
        url = result_url(request, (width, height), f"{visual.visual_id}|ad|{layout}")
        ads.append({"layout_id": layout, "url": url, "width": width, "height": height})
    return ok({"ads": ads})


async def _expansion(request: web.Request) -> web.Response:
    visual = _visual(request)
    params = Params(await json_body(request))
    visual.size_for(params.string("sid"))
    canvas = params.int_list("canvas_size", [1000, 1000], length=2, low=1) or [1000, 1000]
    if canvas[0] * canvas[1] > MAX_CANVAS_AREA:
        fail(400, f"invalid canvas_size: {canvas}; allowed: an area of at most 5000x5000 pixels")
    original = params.int_list("original_image_size", None, length=2, low=1)
    if (
        original is not None
        and original[0] * original[1] <= MIN_ORIGINAL_SHARE * canvas[0] * canvas[1]
    ):
        fail(400, f"invalid original_image_size: {original}; allowed: over 15% of the canvas area")
    params.int_list("original_image_location", None, length=2)
    params.string("prompt")
    params.string("negative_prompt")
    params.integer("seed")
    return _edited(request, visual, (canvas[0], canvas[1]), "expanded")


async def _increase_resolution(request: web.Request) -> web.Response:
    visual = _visual(request)
    params = Params(request.query, query=True)
    width, height = visual.size_for(params.string("sid"))
    factor = params.integer("desired_increase", 2, choices=(2, 4)) or 2
    if width * factor * height * factor > MAX_UPSCALED_AREA:
        fail(
            400,
            f"invalid desired_increase: {factor}; allowed: a result of at most 8192x8192 pixels",
        )
    return _edited(request, visual, (width * factor, height * factor), "upscaled")


async def _image_to_psd(request: web.Request) -> web.Response:
    visual = _visual(request)
    width, height = visual.size_for(Params(request.query, query=True).string("sid"))
    width, height = fit_side(
        width, height, min(BLOB_SIDE, state_of(request).config.max_image_side or BLOB_SIDE)
    )
    data = render_psd(width, height, visual.visual_id)
    placeholder = state_of(request).storage.add_blob(data, ".psd", "image/vnd.adobe.photoshop")
    return ok({"result_url": placeholder.url})


async def _crop(request: web.Request) -> web.Response:
    visual = _visual(request)
    width, height = visual.size_for(Params(request.query, query=True).string("sid"))
    padding = Params(await json_body(request)).integer("padding", 0, low=0) or 0
    size = (min(width, width * 3 // 5 + 2 * padding), min(height, height * 3 // 5 + 2 * padding))
    return _edited(request, visual, size, "cropped")


async def _remove_background(request: web.Request) -> web.Response:
    visual = _visual(request)
    params = Params(request.query, query=True)
    size = _resolution(params, visual.size_for(params.string("sid")))
    params.boolean("original_quality", False)
    return _edited(request, visual, size, "nobg")


async def _blur_background(request: web.Request) -> web.Response:
    visual = _visual(request)
    params = Params(request.query, query=True)
    size = _resolution(params, visual.size_for(params.string("sid")))
    scale = params.integer("scale", 5, low=1, high=5)
    return _edited(request, visual, size, f"blur{scale}")


async def _replace_background(request: web.Request) -> web.Response:
    visual = _visual(request)
    params = Params(await json_body(request))
    size = _resolution(params, visual.size_for(params.string("sid")))
    prompt = params.string("bg_prompt", required=True)
    sync = params.boolean("sync", False)
    params.boolean("fast", False)
    params.boolean("refine_prompt", False)
    params.string("negative_prompt")
    count = params.integer("num_results", 4, low=1) or 4
    made = await generate(
        request,
        count=count,
        size=size,
        key=f"{visual.visual_id}|bg|{prompt}",
        seed=params.integer("seed"),
        sync=sync,
    )
    return ok({"result": [[url, seed, visual.new_sid(*size)] for url, seed in made]})


async def _mask_generator(request: web.Request) -> web.Response:
    visual = _visual(request)
    side = min(BLOB_SIDE, state_of(request).config.max_image_side or BLOB_SIDE)
    width, height = fit_side(visual.width, visual.height, side)
    data = render_mask_zip(visual.visual_id, width, height, [*visual.object_labels(), "background"])
    placeholder = state_of(request).storage.add_blob(data, ".zip", "application/zip")
    return ok({"objects_masks": placeholder.url})


def _changes(body: dict[str, Any]) -> list[dict[str, Any]]:
    name = "changes" if "changes" in body else "objects"
    items = body.get(name)
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        fail(400, f"invalid {name}: {items!r}; allowed: a non-empty array of objects")
    return items


def _check_removals(visual: Visual, items: list[dict[str, Any]]) -> None:
    kinds = {
        next((k for k in ("id", "mask_id", "mask_url", "positive_points") if k in i), "")
        for i in items
    }
    if "" in kinds or len(kinds) > 1:
        fail(
            400,
            f"invalid changes: kinds {sorted(kinds)}; "
            "allowed: one kind of id, mask_id, mask_url or positive_points per request",
        )
    known = {obj["id"] for obj in objects_of(visual)}
    masks = len(visual.object_labels()) + 1
    for item in items:
        if "id" in item and item["id"] not in known:
            fail(400, f"invalid id: {item['id']!r}; allowed: an object id from objects/info")
        if "mask_id" in item and item["mask_id"] not in range(1, masks + 1):
            fail(400, f"invalid mask_id: {item['mask_id']!r}; allowed: 1..{masks}")
        if "mask_id" in item and item.get("mask_source", "generated") != "generated":
            fail(400, f"invalid mask_source: {item.get('mask_source')!r}; allowed: generated")


async def _remove_objects(request: web.Request) -> web.Response:
    visual = _visual(request)
    query = Params(request.query, query=True)
    body = await json_body(request)
    params = Params(body)
    size = _resolution(query, visual.size_for(params.string("sid")))
    query.boolean("original_quality", False)
    params.boolean("original_quality", False)
    params.boolean("enhance", False)
    _check_removals(visual, _changes(body))
    return _edited(request, visual, size, "objects-removed")


async def _create(request: web.Request) -> web.Response:
    visual = _visual(request)
    body = await json_body(request)
    params = Params(body)
    size = _resolution(params, visual.size_for(params.string("sid")))
    people = {person["id"] for person in people_of(visual)}
    for item in _changes(body):
        if item.get("id") not in people:
            fail(400, f"invalid id: {item.get('id')!r}; allowed: a person id from person/info")
    return _edited(request, visual, size, "presenter")


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes under /v1."""
    visual = f"{PREFIX}/{{visual_id}}"
    router.add_post(f"{visual}/campaign_generator", _campaign)
    router.add_post(f"{visual}/image_expansion", _expansion)
    router.add_post(f"{visual}/increase_resolution", _increase_resolution)
    router.add_post(f"{visual}/image_to_psd", _image_to_psd)
    router.add_post(f"{visual}/crop", _crop)
    router.add_post(f"{visual}/background/remove", _remove_background)
    router.add_post(f"{visual}/background/blur", _blur_background)
    router.add_post(f"{visual}/replace_bg", _replace_background)
    router.add_post(f"{visual}/objects/mask_generator", _mask_generator)
    router.add_post(f"{visual}/objects/remove", _remove_objects)
    router.add_post(f"{visual}/create", _create)
