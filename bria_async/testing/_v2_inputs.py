"""The emulator's checks of v2 inputs: images (a URL, base64 or a data: URL, of a format and
mode V2.md allows), image lists, required choices, structured prompts and coordinates. Each
failure answers 400 or 415 naming the parameter, the value and what is allowed.
"""

from __future__ import annotations

import json
from typing import Any

from ._images import inspect_image
from ._state import NOMINAL_SIZE
from ._validate import Params, decode_base64_image, fail

__all__ = ["Size", "choice", "coordinates", "image", "image_size", "images", "structured_prompt"]

Size = tuple[int, int]

_FORMATS = ("jpeg", "png", "webp")
_MODES = ("RGB", "RGBA", "CMYK")


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


def image(params: Params, name: str, *, required: bool = True) -> Size | None:
    """The size of the image parameter `name`; None when it is absent and not `required`."""
    value = params.source.get(name)
    if value is None:
        if required:
            fail(400, f"missing required parameter: {name}")
        return None
    return image_size(name, value)


def images(params: Params, name: str = "images") -> Size:
    """Check a list of 1 to 4 images; the size of the first."""
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


def choice(params: Params, name: str, allowed: tuple[str, ...]) -> str:
    """The required parameter `name`, one of `allowed`."""
    if params.source.get(name) is None:
        fail(400, f"missing required parameter: {name}")
    return str(params.enum(name, None, allowed))


def structured_prompt(value: object) -> dict[str, Any]:
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


def coordinates(name: str, value: object) -> None:
    """Check a product's `{x, y, width, height}` placement."""
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
