"""Every v2 route of V2.md under /v2, and `GET /v2/status/{request_id}`.

Each generation/edit route checks its body, then makes a job: with `sync=false` (default) it
answers 202 `{"request_id", "status_url"}`, with `sync=true` it waits and answers the final
status body (200, or the error's code). Results are PNGs on the storage host, ready when the
job completes. Emulator's choices where V2.md is silent: images given as URLs are assumed
1024x1024; `/image/edit` refuses `sync=true` with 504 (Bria's gateway timeout); a job's error
is `{"code": 500, "message", "details"}`; structured_instruction/generate completes with
`result.structured_instruction` (a JSON string) and no image.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._images import ASPECT_RATIOS, inspect_image
from ._jobs import ERROR_MARKER, FAILED_MARKER, UNKNOWN_MARKER, V2Job, is_loopback_url
from ._results import V2_PREFIX, endpoint, ok, route_template, state_of
from ._state import NOMINAL_SIZE
from ._validate import Params, decode_base64_image, fail, json_body

__all__ = ["add_routes"]

Size = tuple[int, int]
Edit = Callable[[Params, Size], Size]

GENERATE_RATIOS = ("1:1", "4:3", "16:9", "3:4", "9:16")
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
_FORMATS = ("jpeg", "png", "webp")
_MODES = ("RGB", "RGBA", "CMYK")
_RATIO = re.compile(r"([1-9]\d{0,3}):([1-9]\d{0,3})$")
MAX_CANVAS_AREA = 5000 * 5000
_MARKERS = (ERROR_MARKER, FAILED_MARKER, UNKNOWN_MARKER)
_INPUTS = ("prompt", "structured_prompt", "image_url")


# --- inputs -------------------------------------------------------------------------------


def image_size(name: str, value: object) -> Size:
    """Check an image given as an http(s) URL, base64 or a data: URL; its size."""
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return NOMINAL_SIZE
    if not isinstance(value, str) or not value:
        fail(400, f"invalid {name}: {value!r:.80}; allowed: an image URL or base64 image")
    info = inspect_image(decode_base64_image(name, value, _FORMATS))
    if info is None or info[2] not in _MODES:
        mode = info[2] if info else "unreadable"
        fail(
            415,
            f"unsupported image for {name}: {mode}; allowed: JPEG, PNG or WEBP in RGB, "
            "RGBA or CMYK",
        )
    return info[0], info[1]


def _image(params: Params, name: str, *, required: bool = True) -> Size | None:
    value = params.source.get(name)
    if value is None:
        if required:
            fail(400, f"missing required parameter: {name}")
        return None
    return image_size(name, value)


def _images(params: Params, name: str = "images") -> Size:
    value = params.source.get(name)
    if value is None:
        fail(400, f"missing required parameter: {name}")
    if not isinstance(value, list) or not 1 <= len(value) <= 4:
        fail(
            400,
            f"invalid {name}: {len(value) if isinstance(value, list) else value!r:.80} "
            "items; allowed: a list of 1 to 4 images",
        )
    sizes = [image_size(f"{name}[{index}]", item) for index, item in enumerate(value)]
    return sizes[0]


def _choice(params: Params, name: str, allowed: tuple[str, ...]) -> str:
    if params.source.get(name) is None:
        fail(400, f"missing required parameter: {name}")
    return str(params.enum(name, None, allowed))


def _markers(value: object) -> set[str]:
    """The job markers in every string of the body."""
    if isinstance(value, str):
        return {marker for marker in _MARKERS if marker in value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return set().union(*(_markers(item) for item in items))


# --- jobs ---------------------------------------------------------------------------------


async def _submit(
    request: web.Request, body: dict[str, Any], *, size: Size | None, result: dict[str, Any]
) -> web.Response:
    """Make the job (its outcome, result PNG and webhook) and answer 202 or, with sync, 200."""
    params = Params(body)
    sync = params.boolean("sync", False)
    webhook = params.url("webhook_url")
    if webhook is not None and not is_loopback_url(webhook):
        fail(
            400,
            f"invalid webhook_url: {webhook!r}; allowed: a loopback URL (the emulator "
            "delivers only to 127.0.0.1, ::1 or localhost)",
        )
    state = state_of(request)
    template = route_template(request)
    latency = state.config.latency_for(endpoint(request)).sample(state.rng)
    markers = _markers(body)
    request_id = str(uuid.uuid4())
    job = V2Job(
        request_id,
        template,
        time.monotonic() + latency,
        webhook_url=webhook,
        unknown=UNKNOWN_MARKER in markers,
        token=request.headers.get("api_token", ""),
    )
    rate = state.config.route(endpoint(request)).job_error_rate
    if ERROR_MARKER in markers or FAILED_MARKER in markers or (rate and state.rng.random() < rate):
        reason = next((m for m in (FAILED_MARKER, ERROR_MARKER) if m in markers), "job_error_rate")
        job.failed_status = "FAILED" if reason == FAILED_MARKER else "ERROR"
        job.error = {
            "code": 500,
            "message": "Processing failed (emulated failure).",
            "details": f"{template}: request {request_id} failed because of {reason}",
        }
    else:
        job.result = dict(result)
        if size is not None:
            placeholder = state.storage.add_png(size[0], size[1], f"v2|{request_id}", latency)
            job.ready_mono = placeholder.ready_mono
            job.urls.append(placeholder.url)
            job.result = {"image_url": placeholder.url, **result}
    state.v2.add(job, state.config)
    if not sync:
        status_url = f"{request.url.origin()}{V2_PREFIX}/status/{request_id}"
        return ok({"request_id": request_id, "status_url": status_url}, 202)
    await job.wait()
    return ok(job.body(), 200 if job.error is None else int(job.error["code"]))


# --- routes -------------------------------------------------------------------------------


def _structured(value: object) -> dict[str, Any]:
    """A structured_prompt given as a JSON object or as a string holding one."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict):
        fail(
            400,
            "invalid structured_prompt: not a JSON object; allowed: a JSON object or a "
            "string holding one",
        )
    return value


async def _generate(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    given = [name for name in _INPUTS if body.get(name) is not None]
    if len(given) != 1:
        fail(
            400,
            f"invalid input: {', '.join(given) or 'none'} given; allowed: exactly one of "
            "prompt, structured_prompt (with seed) or image_url",
        )
    prompt = params.string("prompt", required=given == ["prompt"]) or ""
    seed = params.integer("seed")
    structured: dict[str, Any] | None = None
    if given == ["structured_prompt"]:
        structured = _structured(body["structured_prompt"])
        if seed is None:
            fail(
                400,
                "missing required parameter: seed (structured_prompt needs the seed it "
                "was made with)",
            )
    if given == ["image_url"]:
        _image(params, "image_url")
    ratio = params.enum("aspect_ratio", "1:1", GENERATE_RATIOS) or "1:1"
    resolution = params.enum("resolution", "1MP", ("1MP", "4MP"))
    params.string("negative_prompt")
    params.integer("num_results", 1, low=1, high=4)
    style = body.get("style_id")
    if style is not None and (not isinstance(style, (str, int)) or isinstance(style, bool)):
        fail(400, f"invalid style_id: {style!r:.80}; allowed: a string or an integer")
    if resolution == "4MP" and params.boolean("sync", False):
        fail(400, "invalid sync: true with resolution 4MP; allowed: sync=false for 4MP")
    width, height = ASPECT_RATIOS[ratio]
    if resolution == "4MP":
        width, height = width * 2, height * 2
    if structured is None:
        short = prompt or "an image inspired by the reference image"
        structured = {"short_description": short, "aspect_ratio": ratio, "style_medium": "photo"}
    prompt = prompt or str(structured.get("short_description", ""))
    result = {
        "seed": seed if seed is not None else state_of(request).random_seed(),
        "prompt": prompt,
        "refined_prompt": f"{prompt}, detailed, natural light",
        "structured_prompt": json.dumps(structured),
    }
    return await _submit(request, body, size=(width, height), result=result)


async def _structured_instruction(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    _images(params)
    instruction = params.string("instruction", required=True)
    _image(params, "mask", required=False)
    made = {"instruction": instruction, "edits": [{"action": "edit", "target": "image"}]}
    return await _submit(
        request, body, size=None, result={"structured_instruction": json.dumps(made)}
    )


async def _edit(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    size = _images(params)
    if body.get("instruction") is None and body.get("structured_instruction") is None:
        fail(400, "missing required parameter: instruction (or structured_instruction)")
    params.string("instruction", required="instruction" in body)
    if params.boolean("sync", False):
        fail(
            504,
            "Gateway timeout: /v2/image/edit does not finish within a synchronous call; "
            "send sync=false",
        )
    result: dict[str, Any] = {}
    if body.get("model_version") is not None:
        result["warning"] = "model_version is ignored"
    return await _submit(request, body, size=size, result=result)


def _coordinates(name: str, value: object) -> None:
    keys = ("x", "y", "width", "height")
    if not isinstance(value, dict) or any(
        not isinstance(value.get(key), int)
        or isinstance(value.get(key), bool)
        or value[key] < (1 if key in ("width", "height") else 0)
        for key in keys
    ):
        fail(
            400,
            f"invalid {name}: {value!r:.80}; allowed: {{x, y, width, height}} integers, "
            "x and y at least 0, width and height at least 1",
        )


async def _integrate(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    size = _image(params, "scene") or NOMINAL_SIZE
    products = body.get("products")
    if products is None:
        fail(400, "missing required parameter: products")
    if not isinstance(products, list) or not products:
        fail(
            400,
            f"invalid products: {products!r:.80}; allowed: a non-empty list of "
            "{image, coordinates}",
        )
    for index, product in enumerate(products):
        name = f"products[{index}]"
        if not isinstance(product, dict) or product.get("image") is None:
            fail(400, f"missing required parameter: {name}.image")
        image_size(f"{name}.image", product["image"])
        _coordinates(f"{name}.coordinates", product.get("coordinates"))
    params.integer("seed")
    return await _submit(request, body, size=size, result={})


def _edit_route(edit: Edit) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        body = await json_body(request)
        params = Params(body)
        size = edit(params, _image(params, "image") or NOMINAL_SIZE)
        return await _submit(request, body, size=size, result={})

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
    _image(params, "mask")
    return size


def _guided(params: Params, size: Size) -> Size:
    _image(params, "mask", required=False)
    return size


def _gen_fill(params: Params, size: Size) -> Size:
    _image(params, "mask")
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
    _image(params, "overlay")
    params.string("instruction", required=True)
    return size


def _enums(**choices: tuple[str, ...]) -> Edit:
    def edit(params: Params, size: Size) -> Size:
        for name, allowed in choices.items():
            _choice(params, name, allowed)
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


async def _status(request: web.Request) -> web.Response:
    request_id = request.match_info["request_id"]
    state = state_of(request)
    job = state.v2.jobs.get(request_id)
    ttl = state.config.job_ttl
    if job is None or (ttl is not None and time.time() - job.created > ttl):
        fail(404, f"Request {request_id!r} does not exist or has expired")
    return ok(job.body())


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the v2 routes under /v2."""
    router.add_post(f"{V2_PREFIX}/image/generate", _generate)
    router.add_post(f"{V2_PREFIX}/structured_instruction/generate", _structured_instruction)
    router.add_post(f"{V2_PREFIX}/image/edit", _edit)
    for name, edit in EDITS.items():
        router.add_post(f"{V2_PREFIX}/image/edit/{name}", _edit_route(edit))
    router.add_post(f"{V2_PREFIX}/image/edit/product/integrate", _integrate)
    router.add_get(f"{V2_PREFIX}/status/{{request_id}}", _status)
