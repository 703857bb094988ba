"""The emulator's `/v2/image/edit/{name}` routes that take one `image`: `EDITS` maps each name
to its check of the other parameters, which also gives the result's size (`expand` and
`increase_resolution` grow it, `crop_foreground` shrinks it).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from ._state import NOMINAL_SIZE
from ._v2_inputs import Size, choice, image
from ._v2_jobs import submit
from ._validate import Params, fail, json_body

__all__ = ["EDITS", "edit_route"]

Edit = Callable[[Params, Size], Size]

SEASONS = ("spring", "summer", "autumn", "winter")
STYLES = (
    "render_3d",
    "cubism",
    "oil_painting",
    "anime",
    "cartoon",
    "coloring_book",
    "retro_ad",
    "pop_art_halftone",
    "vector_art",
    "story_board",
    "art_nouveau",
    "cross_etching",
    "wood_cut",
)
LIGHT_TYPES = (
    "midday",
    "blue hour light",
    "low-angle sunlight",
    "sunrise light",
    "spotlight on subject",
    "overcast light",
    "soft overcast daylight lighting",
    "cloud-filtered lighting",
    "fog-diffused lighting",
    "side lighting",
    "moonlight lighting",
    "starlight nighttime",
    "soft bokeh lighting",
    "harsh studio lighting",
)
LIGHT_DIRECTIONS = ("front", "side", "bottom", "top-down")
COLORS = ("contemporary color", "vivid color", "black and white colors", "sepia vintage")
_RATIO = re.compile(r"([1-9]\d{0,3}):([1-9]\d{0,3})$")
MAX_CANVAS_AREA = 5000 * 5000


def edit_route(edit: Edit) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler of an edit route: check `image`, then the rest with `edit`, then submit."""

    async def handler(request: web.Request) -> web.Response:
        body = await json_body(request)
        params = Params(body)
        size = edit(params, image(params, "image") or NOMINAL_SIZE)
        return await submit(request, body, size=size, result={})

    return handler


def _same(params: Params, size: Size) -> Size:
    return size


def _needs(*names: str) -> Edit:
    def edit(params: Params, size: Size) -> Size:
        for name in names:
            params.string(name, required=True)
        return size

    return edit


def _erase(params: Params, size: Size) -> Size:
    image(params, "mask")
    return size


def _guided(params: Params, size: Size) -> Size:
    image(params, "mask", required=False)
    return size


def _gen_fill(params: Params, size: Size) -> Size:
    image(params, "mask")
    params.string("prompt", required=True)
    params.enum("mask_type", "manual", ("manual", "automatic"))
    params.string("negative_prompt")
    params.integer("num_results", 1, low=1, high=4)
    return size


def _expand(params: Params, size: Size) -> Size:
    ratio = params.source.get("aspect_ratio")
    canvas = params.int_list("canvas_size", None, length=2, low=1)
    params.string("prompt")
    if canvas is not None:
        if canvas[0] * canvas[1] > MAX_CANVAS_AREA:
            fail(400, f"invalid canvas_size: {canvas}; allowed: at most 5000x5000 pixels")
        return canvas[0], canvas[1]
    if ratio is None:
        fail(400, "missing required parameter: aspect_ratio (or canvas_size)")
    match = _RATIO.match(ratio) if isinstance(ratio, str) else None
    if match is None:
        fail(400, f'invalid aspect_ratio: {ratio!r:.80}; allowed: "W:H", e.g. "16:9"')
    across, down = int(match[1]), int(match[2])
    if across * size[1] >= down * size[0]:
        return size[1] * across // down, size[1]
    return size[0], size[0] * down // across


def _increase_resolution(params: Params, size: Size) -> Size:
    factor = params.integer("desired_increase", 2, low=2, high=4) or 2
    params.boolean("preserve_alpha", False)
    return size[0] * factor, size[1] * factor


def _crop_foreground(params: Params, size: Size) -> Size:
    return size[0] * 3 // 5, size[1] * 3 // 5


def _blend(params: Params, size: Size) -> Size:
    image(params, "overlay")
    params.string("instruction", required=True)
    return size


def _enums(**choices: tuple[str, ...]) -> Edit:
    def edit(params: Params, size: Size) -> Size:
        for name, allowed in choices.items():
            choice(params, name, allowed)
        return size

    return edit


def _sketch(params: Params, size: Size) -> Size:
    params.string("prompt")
    return size


EDITS: dict[str, Edit] = {
    "remove_background": _same,
    "remove_background/guided": _guided,
    "replace_background": _needs("prompt"),
    "blur_background": _same,
    "erase": _erase,
    "erase_foreground": _same,
    "gen_fill": _gen_fill,
    "expand": _expand,
    "enhance": _same,
    "increase_resolution": _increase_resolution,
    "crop_foreground": _crop_foreground,
    "add_object_by_text": _needs("instruction"),
    "replace_object_by_text": _needs("instruction"),
    "erase_by_text": _needs("object_name"),
    "rewrite_text": _needs("new_text"),
    "blend": _blend,
    "reseason": _enums(season=SEASONS),
    "restyle": _enums(style=STYLES),
    "relight": _enums(light_type=LIGHT_TYPES, light_direction=LIGHT_DIRECTIONS),
    "sketch_to_colored_image": _sketch,
    "restore": _same,
    "colorize": _enums(color=COLORS),
}
