"""Every v2 route of V2.md under /v2, and `GET /v2/status/{request_id}`.

Each generation/edit route checks its body, then makes a job: with `sync=false` (default) it
answers 202 `{"request_id", "status_url"}`, with `sync=true` it waits and answers the final
status body (200, or the error's code). Results are PNGs on the storage host, ready when the
job completes. Emulator's choices where V2.md is silent: images given as URLs are assumed
1024x1024; `/image/edit` refuses `sync=true` with 504 (Bria's gateway timeout); a job's error
is `{"code": 500, "message", "details"}`; structured_instruction/generate completes with
`result.structured_instruction` (a JSON string) and no image.

The routes that take one `image` are in `_v2_edits`, the input checks in `_v2_inputs`, the
making of jobs and the status route in `_v2_jobs`.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ._images import ASPECT_RATIOS
from ._results import V2_PREFIX, state_of
from ._state import NOMINAL_SIZE
from ._v2_edits import EDITS, edit_route
from ._v2_inputs import coordinates, image, image_size, images, structured_prompt
from ._v2_jobs import status, submit
from ._validate import Params, fail, json_body

__all__ = ["add_routes"]

GENERATE_RATIOS = ("1:1", "4:3", "16:9", "3:4", "9:16")
_INPUTS = ("prompt", "structured_prompt", "image_url")


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
        structured = structured_prompt(body["structured_prompt"])
        if seed is None:
            fail(
                400,
                "missing required parameter: seed (structured_prompt needs the seed it "
                "was made with)",
            )
    if given == ["image_url"]:
        image(params, "image_url")
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
    return await submit(request, body, size=(width, height), result=result)


async def _structured_instruction(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    images(params)
    instruction = params.string("instruction", required=True)
    image(params, "mask", required=False)
    made = {"instruction": instruction, "edits": [{"action": "edit", "target": "image"}]}
    return await submit(
        request, body, size=None, result={"structured_instruction": json.dumps(made)}
    )


async def _edit(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    size = images(params)
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
    return await submit(request, body, size=size, result=result)


async def _integrate(request: web.Request) -> web.Response:
    body = await json_body(request)
    params = Params(body)
    size = image(params, "scene") or NOMINAL_SIZE
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
        coordinates(f"{name}.coordinates", product.get("coordinates"))
    params.integer("seed")
    return await submit(request, body, size=size, result={})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the v2 routes under /v2."""
    router.add_post(f"{V2_PREFIX}/image/generate", _generate)
    router.add_post(f"{V2_PREFIX}/structured_instruction/generate", _structured_instruction)
    router.add_post(f"{V2_PREFIX}/image/edit", _edit)
    for name, edit in EDITS.items():
        router.add_post(f"{V2_PREFIX}/image/edit/{name}", edit_route(edit))
    router.add_post(f"{V2_PREFIX}/image/edit/product/integrate", _integrate)
    router.add_get(f"{V2_PREFIX}/status/{{request_id}}", status)
