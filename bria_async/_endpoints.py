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
from ._routes import ROUTES

#: Every endpoint, one per route of the table (the emulator serves each one).
ENDPOINTS = frozenset(route.endpoint for route in ROUTES)
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
