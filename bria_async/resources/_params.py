"""Parameters several routes share: the `sid` of an earlier edit, `desired_resolution`, and
image uploads read as the Job is sent."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, Literal, Protocol, get_args

from .._completion import CallAgain
from .._errors import ValidationError
from .._inputs import ImageInput, ImageType, LoadedImage, check, form_factory, json_fields, load
from .._request import Call
from .._validation import check_bool, check_choice, check_int, check_list, drop_none, require_id
from ..types.choices import DesiredResolution
from ._base import call_of

#: desired_resolution values. The reference's enums of routes 40, 43 and 48 say "had", a typo
#: beside "hd" in routes 37 and 38: "had" is taken as "hd", and "hd" is what is sent.
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
DESIRED_RESOLUTIONS: tuple[str, ...] = get_args(DesiredResolution)


def info_route(route: str) -> CallAgain:
    """The plan of the info route named `route` (``GET /{visual_id}/...``): while the visual
    onboards, the same request is sent again, rebuilt from the job's checked `visual_id`
    (and `lean`)."""

    def call(context: Mapping[str, Any]) -> Call:
        vid = require_id("visual_id", context.get("visual_id"))
        params = drop_none(lean=check_bool("lean", context.get("lean")))
        return call_of(route, {"visual_id": vid}, params=params or None)

    return CallAgain(call)


class HasSid(Protocol):
    """A previous result that chains the next edit: an EditResult, an Image, ..."""

    @property
    def sid(self) -> str | None: ...


def sid_of(value: str | HasSid | None) -> str | None:
    """The `sid` to send: a string as given, or the ``.sid`` of a previous result."""
    if value is None:
        return None
    sid = value if isinstance(value, str) else getattr(value, "sid", None)
    if not isinstance(sid, str) or not sid.strip() or not sid.isprintable():
        raise ValidationError(
            "sid", value, "a non-empty sid, or a previous result that carries one"
        )
    return sid


def desired_resolution(value: str | None) -> str | None:
    """None, or one of DESIRED_RESOLUTIONS ("had" taken as "hd")."""
    return check_choice(
        "desired_resolution", "hd" if value == "had" else value, DESIRED_RESOLUTIONS
    )


def upload(
    image: ImageInput,
    *,
    encoding: Literal["form", "json"],
    allowed_types: Collection[ImageType],
    allowed_modes: Collection[str] | None = None,
    check_loaded: Callable[[LoadedImage], None] | None = None,
) -> Callable[[Call], Awaitable[Call]]:
    """A Call's `prepare` that reads `image` (parameter ``image``) off the event loop as the
    Job is sent, checks it (type, 12 MB, colour modes, then `check_loaded`) and puts it in the
    body: a form (multipart ``file`` or ``image_url``) or the JSON (base64 ``file`` or
    ``image_url``). Refuses a bad URL or Python type at once, before the Job exists."""
    check(image, parameter="image")

    async def prepare(call: Call) -> Call:
        loaded = await load(
            image, parameter="image", allowed_types=allowed_types, allowed_modes=allowed_modes
        )
        if check_loaded is not None:
            check_loaded(loaded)
        # a file upload gets the upload timeout, unless the call already waits longer
        kind = "upload" if loaded.url is None and call.kind == "quick" else call.kind
        if encoding == "form":
            return call._replace(data=form_factory(loaded), kind=kind, prepare=None)
        return call._replace(
            json={**(call.json or {}), **json_fields(loaded)}, kind=kind, prepare=None
        )

    return prepare


def size(name: str, value: Any) -> list[int] | None:
    """None, or [width, height] in pixels."""
    return check_list(name, value, lambda n, v: check_int(n, v, 1), length=2)


def colour(name: str, value: Any) -> Any:
    """None, a "#RRGGBB" string, or [r, g, b] integers (the reference says both)."""
    if value is None or (isinstance(value, str) and HEX_COLOUR.fullmatch(value)):
        return value
    if isinstance(value, str):
        raise ValidationError(name, value, 'a hex colour like "#FFFFFF" or [r, g, b]')
    return check_list(name, value, lambda n, v: check_int(n, v, 0, 255), length=3)
