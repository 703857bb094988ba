"""Generation routes without a visual: text-to-image (base, fast, hd, tailored), isolated
increase resolution, isolated background removal and isolated background generation.

Shapes: text-to-image answers `{"result": [{"urls": [url], "seed": n, "uuid": hex}, ...]}`
(209 for a retired base version); isolated upscale and removal answer `{"result_url": url}`;
`/background/replace` answers `{"result": [[url, seed, sid], ...]}`. A tailored model that
exists but has not finished training answers 412 (a precondition of generation).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from ._images import ASPECT_RATIOS, image_size, inspect_image
from ._results import PREFIX, generate, new_sid, ok, result_url, state_of
from ._state import NOMINAL_SIZE, TRAINED
from ._validate import Params, check_image_bytes, decode_base64_image, fail, json_body, read_form

__all__ = ["add_routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_UPSCALED_AREA = 8192 * 8192
MIN_UPSCALE_SIDE = 216
_VERSIONS = {"base": ("2.3",), "fast": ("2.3",), "hd": ("2.2",)}
_RETIRED_BASE = ("1.0", "2.0", "2.2")
_STEPS = {"base": (20, 50, 30), "fast": (4, 10, 8), "hd": (20, 50, 30), "tailored": (4, 20, 8)}
_GUIDED = ("base", "hd")
PRODUCT_FORMATS = ("jpeg", "png", "webp")


def _text_to_image(kind: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        status = 200
        if kind == "tailored":
            model = state_of(request).model(request.match_info["model_id"])
            if model.status != TRAINED:
                fail(412, f"model {model.id} is not trained: its status is {model.status!r}")
        else:
            version = request.match_info["model_version"]
            if kind == "base" and version in _RETIRED_BASE:
                status = 209
            elif version not in _VERSIONS[kind]:
                allowed = ", ".join(_VERSIONS[kind])
                fail(400, f"invalid model_version: {version!r}; allowed: {allowed}")
        params = Params(await json_body(request))
        prompt = params.string("prompt", required=True)
        num_results = params.integer("num_results", 4, low=1, high=4) or 4
        aspect_ratio = params.enum("aspect_ratio", "1:1", list(ASPECT_RATIOS)) or "1:1"
        sync = params.boolean("sync", False)
        seed = params.integer("seed")
        low, high, default = _STEPS[kind]
        params.integer("steps_num", default, low=low, high=high)
        if kind in _GUIDED:
            params.number("text_guidance_scale", 5, low=1, high=10)
            params.string("negative_prompt")
        if kind != "tailored":
            params.enum("medium", None, ("photography", "art"))
            params.boolean("prompt_enhancement", False)
        if kind == "hd" and sync and num_results > 1:
            fail(400, f"invalid num_results: {num_results} with sync=true; allowed: 1 (hd sync)")
        made = await generate(
            request,
            count=num_results,
            size=image_size(aspect_ratio, hd=kind == "hd"),
            key=f"{prompt}|{kind}",
            seed=seed,
            sync=sync,
        )
        result = [{"urls": [url], "seed": s, "uuid": secrets.token_hex(16)} for url, s in made]
        return ok({"result": result}, status)

    return handler


def _upload_size(fields: dict[str, str | bytes]) -> tuple[int, int] | None:
    """The size of the form's image (nominal for image_url); None if a file part is empty."""
    url = fields.get("image_url")
    if isinstance(url, str) and url:
        Params(fields).url("image_url")
        return NOMINAL_SIZE
    data = fields.get("file")
    if data is None:
        fail(400, "Request doesn't contain file part: provide file or image_url")
    if not data:
        return None
    raw = data.encode() if isinstance(data, str) else data
    check_image_bytes("file", raw, ("jpeg", "png"))
    info = inspect_image(raw)
    if info is None or info[2] not in ("RGB", "RGBA", "CMYK"):
        fail(
            415,
            f"unsupported image: {info[2] if info else 'unreadable'}; "
            "allowed: JPEG or PNG in RGB, RGBA or CMYK",
        )
    return info[0], info[1]


async def _increase_resolution(request: web.Request) -> web.Response:
    factor = Params(request.query, query=True).integer("desired_increase", 2, choices=(2, 4)) or 2
    size = _upload_size(await read_form(request))
    if size is None:
        fail(400, "invalid file: empty; allowed: a JPEG or PNG file")
    if min(size) < MIN_UPSCALE_SIDE:
        fail(
            400,
            f"invalid file: {size[0]}x{size[1]}; allowed: at least {MIN_UPSCALE_SIDE} px on a side",
        )
    width, height = size[0] * factor, size[1] * factor
    if width * height > MAX_UPSCALED_AREA:
        fail(
            400,
            f"invalid desired_increase: {factor} gives {width}x{height}; "
            "allowed: at most 8192x8192",
        )
    return ok(
        {"result_url": result_url(request, (width, height), f"upscale|{secrets.token_hex(4)}")}
    )


async def _remove_background(request: web.Request) -> web.Response:
    size = _upload_size(await read_form(request))
    if size is None:
        return ok({"error": "File value was not provided."}, 206)
    return ok({"result_url": result_url(request, size, f"nobg|{secrets.token_hex(4)}")})


async def _replace_background(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    size = NOMINAL_SIZE
    if params.url("image_url") is None:
        data = decode_base64_image("file", body.get("file"), PRODUCT_FORMATS)
        info = inspect_image(data)
        size = (info[0], info[1]) if info else NOMINAL_SIZE
    prompt = params.string("bg_prompt", required=True)
    sync = params.boolean("sync", False)
    params.boolean("fast", False)
    params.boolean("refine_prompt", False)
    params.string("negative_prompt")
    count = params.integer("num_results", 1, low=1) or 1
    seed = params.integer("seed")
    made = await generate(request, count=count, size=size, key=f"bg|{prompt}", seed=seed, sync=sync)
    return ok({"result": [[url, s, new_sid()] for url, s in made]})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes under /v1."""
    for kind in ("base", "fast", "hd"):
        router.add_post(f"{PREFIX}/text-to-image/{kind}/{{model_version}}", _text_to_image(kind))
    router.add_post(f"{PREFIX}/text-to-image/tailored/{{model_id}}", _text_to_image("tailored"))
    router.add_post(f"{PREFIX}/image/increase_resolution", _increase_resolution)
    router.add_post(f"{PREFIX}/background/remove", _remove_background)
    router.add_post(f"{PREFIX}/background/replace", _replace_background)
