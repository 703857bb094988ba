"""Every endpoint of the API this version calls, named as Bria counts its rate limits: the
method, a space and the route template (``POST /text-to-image/base/{model_version}``,
``GET /v2/status/{request_id}``). `RateLimits(routes=...)` and the emulator's
``EmulatorConfig.routes`` are keyed by these names and refuse any other, suggesting the
nearest; `endpoint_of` names the endpoint a request spends.
"""

from __future__ import annotations

import difflib
import functools

from ._errors import ValidationError

#: Every endpoint, in the order of its route template (the emulator serves each one).
ENDPOINTS = frozenset(
    {
        "POST /background/remove",
        "POST /background/replace",
        "POST /image/increase_resolution",
        "POST /product/contextual_keyword_extraction",
        "POST /product/cutout",
        "POST /product/lifestyle_shot_by_image",
        "POST /product/lifestyle_shot_by_text",
        "POST /product/packshot",
        "POST /products/consistent_shots",
        "POST /register",
        "GET /search",
        "GET /search_similar_images",
        "GET /tailored-gen/datasets",
        "POST /tailored-gen/datasets",
        "GET /tailored-gen/datasets/{dataset_id}/images",
        "POST /tailored-gen/datasets/{dataset_id}/images",
        "DELETE /tailored-gen/datasets/{dataset_id}/images/{image_id}",
        "GET /tailored-gen/datasets/{dataset_id}/images/{image_id}",
        "DELETE /tailored-gen/datasets/{id}",
        "GET /tailored-gen/datasets/{id}",
        "PUT /tailored-gen/datasets/{id}",
        "GET /tailored-gen/models",
        "POST /tailored-gen/models",
        "DELETE /tailored-gen/models/{id}",
        "GET /tailored-gen/models/{id}",
        "POST /tailored-gen/models/{id}/start_training",
        "POST /tailored-gen/models/{id}/stop_training",
        "POST /text-to-image/base/{model_version}",
        "POST /text-to-image/fast/{model_version}",
        "POST /text-to-image/hd/{model_version}",
        "POST /text-to-image/tailored/{model_id}",
        "POST /v2/image/edit",
        "POST /v2/image/edit/add_object_by_text",
        "POST /v2/image/edit/blend",
        "POST /v2/image/edit/blur_background",
        "POST /v2/image/edit/colorize",
        "POST /v2/image/edit/crop_foreground",
        "POST /v2/image/edit/enhance",
        "POST /v2/image/edit/erase",
        "POST /v2/image/edit/erase_by_text",
        "POST /v2/image/edit/erase_foreground",
        "POST /v2/image/edit/expand",
        "POST /v2/image/edit/gen_fill",
        "POST /v2/image/edit/increase_resolution",
        "POST /v2/image/edit/product/integrate",
        "POST /v2/image/edit/relight",
        "POST /v2/image/edit/remove_background",
        "POST /v2/image/edit/remove_background/guided",
        "POST /v2/image/edit/replace_background",
        "POST /v2/image/edit/replace_object_by_text",
        "POST /v2/image/edit/reseason",
        "POST /v2/image/edit/restore",
        "POST /v2/image/edit/restyle",
        "POST /v2/image/edit/sketch_to_colored_image",
        "POST /v2/image/generate",
        "GET /v2/status/{request_id}",
        "POST /v2/structured_instruction/generate",
        "POST /{visual_id}/background/blur",
        "GET /{visual_id}/background/info",
        "POST /{visual_id}/background/remove",
        "POST /{visual_id}/campaign_generator",
        "GET /{visual_id}/caption",
        "POST /{visual_id}/create",
        "POST /{visual_id}/crop",
        "POST /{visual_id}/image_expansion",
        "POST /{visual_id}/image_to_psd",
        "POST /{visual_id}/increase_resolution",
        "GET /{visual_id}/info",
        "GET /{visual_id}/objects/info",
        "POST /{visual_id}/objects/mask_generator",
        "POST /{visual_id}/objects/remove",
        "GET /{visual_id}/person/info",
        "POST /{visual_id}/remove_image",
        "POST /{visual_id}/replace_bg",
    }
)
EXAMPLE = "POST /text-to-image/base/{model_version}"
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

#: First path segments of v1 routes that are not a visual id.
_V1_HEADS = frozenset(
    {
        "text-to-image",
        "image",
        "background",
        "register",
        "search",
        "search_similar_images",
        "tailored-gen",
        "product",
        "products",
    }
)


@functools.lru_cache(maxsize=1024)  # the same few routes, over and over
def endpoint_of(method: str, path: str, version: int = 1) -> str:
    """The endpoint a request spends, as Bria counts its limits: method and route template,
    e.g. ``POST /text-to-image/base/{model_version}``, ``GET /v2/status/{request_id}``."""
    segments = path.strip("/").split("/")
    head = segments[0]
    if version == 2:
        if head == "status":
            segments[1:] = ["{request_id}"]
        return f"{method} /v2/" + "/".join(segments)
    if head == "text-to-image" and len(segments) == 3:
        segments[2] = "{model_id}" if segments[1] == "tailored" else "{model_version}"
    elif head == "tailored-gen" and len(segments) > 2:
        nested = segments[1] == "datasets" and len(segments) > 3
        segments[2] = "{dataset_id}" if nested else "{id}"
        if len(segments) > 4:
            segments[4] = "{image_id}"
    elif head not in _V1_HEADS:
        segments[0] = "{visual_id}"
    return f"{method} /" + "/".join(segments)


def check_endpoint(parameter: str, key: object) -> str:
    """`key` if it names an endpoint; else ValidationError naming `parameter` and the nearest
    endpoints (a key without its method, or with a path's ids in place of the template's
    names, is shown the endpoint it meant)."""
    if isinstance(key, str) and key in ENDPOINTS:
        return key
    guesses = _guesses(key) if isinstance(key, str) else []
    hint = "did you mean " + " or ".join(map(repr, guesses)) if guesses else f"e.g. {EXAMPLE!r}"
    raise ValidationError(parameter, key, f"an endpoint as 'METHOD /route/{{template}}' ({hint})")


def _guesses(key: str) -> list[str]:
    """The endpoints `key` most likely meant."""
    method, _, path = key.strip().partition(" ")
    if not path:  # only a path (the emulator's keys once were): the endpoints of that route
        path, method = method, ""
        found = [e for e in sorted(ENDPOINTS) if e.partition(" ")[2] == path]
        if found:
            return found
    method = method.upper()
    if path.startswith("/"):
        v2 = path.startswith("/v2/")
        for verb in (method,) if method in _METHODS else _METHODS:
            named = endpoint_of(verb, path.removeprefix("/v2") if v2 else path, 2 if v2 else 1)
            if named in ENDPOINTS:
                return [named]
    return difflib.get_close_matches(f"{method} {path}".strip(), sorted(ENDPOINTS), n=3, cutoff=0.6)
