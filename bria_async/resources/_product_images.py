"""How a product route's images go into its JSON body: a URL in its URL field at once, a
file read off the event loop and checked as the call is sent (base64 in its file field)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .._inputs import PRODUCT_TYPES, ImageInput, check, json_fields, load
from .._request import Call, TimeoutKind
from ._base import call_of

#: (parameter, its JSON field for a URL, its JSON field for a base64 file)
IMAGE = ("image", "image_url", "file")
REFERENCE = ("reference_image", "reference_image_url", "reference_image_file")


def with_images(
    images: Mapping[tuple[str, str, str], ImageInput],
) -> Callable[[Call], Awaitable[Call]]:
    """The Call.prepare step that loads and checks each image, then adds it to the JSON body
    as its URL field or its base64 file field (a file upload gets the upload timeout unless
    the call already waits longer). A bad URL or Python type, None included, is refused at
    once, before the Job exists."""
    _image_urls(images)
    return _loader(images)


def _loader(
    images: Mapping[tuple[str, str, str], ImageInput],
) -> Callable[[Call], Awaitable[Call]]:
    """The prepare step of `with_images`, for images already checked."""

    async def prepare(call: Call) -> Call:
        body = dict(call.json)
        kind = call.kind
        for (parameter, url_field, file_field), value in images.items():
            loaded = await load(value, parameter=parameter, allowed_types=PRODUCT_TYPES)
            body.update(json_fields(loaded, file_field=file_field, url_field=url_field))
            kind = "upload" if loaded.url is None and kind == "quick" else kind
        return call._replace(json=body, kind=kind, prepare=None)

    return prepare


def _image_urls(images: Mapping[tuple[str, str, str], ImageInput]) -> dict[str, str]:
    """Refuse a bad image input at once; the URL ones, by their body field."""
    urls = {}
    for (parameter, field, _), value in images.items():
        check(value, parameter=parameter)
        if isinstance(value, str):
            urls[field] = value
    return urls


def image_call(
    route: str,
    body: dict[str, Any],
    images: Mapping[tuple[str, str, str], ImageInput],
    *,
    kind: TimeoutKind = "quick",
) -> Call:
    """The billable POST of `body` with `images` to `route` (a product route's name, its
    Job's kind too). Image URLs go in the body at once (there is
    nothing to read, so sending skips the prepare step); files are read as the Job is sent."""
    urls = _image_urls(images)
    if len(urls) == len(images):
        # route, ids, params, json, data, kind: positionally, as keywords cost a dict
        return call_of(route, None, None, {**body, **urls}, None, kind)
    prepare = _loader(images)  # files: read as the Job is sent
    return call_of(route, json=body, kind=kind, prepare=prepare)
