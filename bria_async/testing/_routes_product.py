"""The e-commerce routes under /product (and /products/consistent_shots); images come as
`image_url` or base64 `file` fields in JSON.

Shapes: cutout and packshot answer `{"result_url": url}`; lifestyle shots answer
`{"result": [[url, seed, sid], ...]}`. The "coming soon" routes leave their shapes open;
the emulator picks: consistent shots take `image_urls` (or base64 `files`) plus
`scene_description` or `reference_image_url` and answer `{"result": [[url, seed, sid], ...]}`
(one per product, ready at once); keyword extraction answers `{"keywords": [str, ...]}`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from aiohttp import web

from ._images import inspect_image
from ._results import PREFIX, generate, new_sid, ok, result_url
from ._routes_images import PRODUCT_FORMATS
from ._state import NOMINAL_SIZE
from ._validate import Params, decode_base64_image, fail, json_body

__all__ = ["add_routes"]

PLACEMENT_TYPES = ("original", "automatic", "manual_placement", "manual_padding")
PLACEMENTS = (
    "upper_left",
    "upper_right",
    "bottom_left",
    "bottom_right",
    "right_center",
    "left_center",
    "upper_center",
    "bottom_center",
    "center_vertical",
    "center_horizontal",
)
AUTOMATIC_PLACEMENTS = 10
PACKSHOT_SIZE = (2000, 2000)
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}$")


def _product_image(body: dict[str, Any], url_name: str, file_name: str) -> tuple[int, int]:
    """The size of the image given as `url_name` (preferred) or base64 `file_name`."""
    if Params(body).url(url_name) is not None:
        return NOMINAL_SIZE
    if body.get(file_name) is None:
        fail(400, f"missing required parameter: {url_name} or {file_name}")
    info = inspect_image(decode_base64_image(file_name, body[file_name], PRODUCT_FORMATS))
    return (info[0], info[1]) if info else NOMINAL_SIZE


async def _cutout(request: web.Request) -> web.Response:
    body = await json_body(request)
    Params(body).string("sku")
    size = _product_image(body, "image_url", "file")
    return ok({"result_url": result_url(request, size, "cutout")})


async def _packshot(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    params.string("sku")
    colour = params.string("background_color") or "#FFFFFF"
    if colour != "transparent" and not _HEX_COLOUR.match(colour):
        fail(
            400,
            f"invalid background_color: {colour!r}; "
            "allowed: a hex colour like #FFFFFF or 'transparent'",
        )
    _product_image(body, "image_url", "file")
    return ok({"result_url": result_url(request, PACKSHOT_SIZE, f"packshot|{colour}")})


async def _lifestyle(request: web.Request, *, by_image: bool) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    params.string("sku")
    size = _product_image(body, "image_url", "file")
    if by_image:
        _product_image(body, "reference_image_url", "reference_image_file")
        key = "lifestyle-image"
    else:
        key = "lifestyle|" + (params.string("scene_description", required=True) or "")
        params.boolean("fast", False)
        params.boolean("optimize_description", False)
        params.string("exclude_elements")
    sync = params.boolean("sync", False)
    count = params.integer("num_results", 1, low=1) or 1
    placement = params.enum("placement_type", "original", PLACEMENT_TYPES)
    shot_size = params.int_list("shot_size", [1000, 1000], length=2, low=1) or [1000, 1000]
    selection = params.str_list("manual_placement_selection", ["upper_left"], PLACEMENTS) or []
    params.int_list("padding_values", [0, 0, 0, 0], length=4, low=0)
    if placement == "automatic" and sync:
        fail(400, "invalid sync: true with placement_type=automatic; allowed: false")
    if by_image and placement in ("automatic", "manual_placement") and count != 1:
        fail(400, f"invalid num_results: {count} with placement_type={placement}; allowed: 1")
    if placement == "automatic":
        count *= AUTOMATIC_PLACEMENTS
    elif placement == "manual_placement":
        count *= len(selection)
    if placement in ("automatic", "manual_placement"):
        size = (shot_size[0], shot_size[1])
    made = await generate(
        request, count=count, size=size, key=key, seed=params.integer("seed"), sync=sync
    )
    return ok({"result": [[url, seed, new_sid()] for url, seed in made]})


async def _lifestyle_by_text(request: web.Request) -> web.Response:
    return await _lifestyle(request, by_image=False)


async def _lifestyle_by_image(request: web.Request) -> web.Response:
    return await _lifestyle(request, by_image=True)


async def _consistent_shots(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    urls = params.str_list("image_urls", None, None)
    files = body.get("files")
    if urls is None and not (isinstance(files, list) and files):
        fail(400, "missing required parameter: image_urls or files")
    for index, data in enumerate([] if urls is not None else files or []):
        decode_base64_image(f"files[{index}]", data, PRODUCT_FORMATS)
    scene = params.string("scene_description")
    if scene is None and params.url("reference_image_url") is None:
        fail(400, "missing required parameter: scene_description or reference_image_url")
    count = len(urls) if urls is not None else len(files or [])
    made = await generate(
        request, count=count, size=NOMINAL_SIZE, key=f"consistent|{scene}", seed=None, sync=True
    )
    return ok({"result": [[url, seed, new_sid()] for url, seed in made]})


async def _keywords(request: web.Request) -> web.Response:
    body = await json_body(request)
    _product_image(body, "image_url", "file")
    digest = hashlib.sha256(str(body.get("image_url") or body.get("file")).encode()).digest()
    words = ["product", "studio", "minimal", "modern", "gift", "summer", "classic", "premium"]
    return ok({"keywords": [words[b % len(words)] for b in digest[:4]]})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes under /v1."""
    router.add_post(f"{PREFIX}/product/cutout", _cutout)
    router.add_post(f"{PREFIX}/product/packshot", _packshot)
    router.add_post(f"{PREFIX}/product/lifestyle_shot_by_text", _lifestyle_by_text)
    router.add_post(f"{PREFIX}/product/lifestyle_shot_by_image", _lifestyle_by_image)
    router.add_post(f"{PREFIX}/products/consistent_shots", _consistent_shots)
    router.add_post(f"{PREFIX}/product/contextual_keyword_extraction", _keywords)
