"""Image inputs: what users may pass where a route takes an image, checked and encoded.

A route that takes an image accepts an :data:`ImageInput`: an http(s) URL string, a path
(``pathlib.Path`` or any ``os.PathLike``), ``bytes``, or a binary file object (anything whose
``.read()`` returns bytes). Plain strings that are not URLs are refused, so a typo never
turns a URL into a file name. The public API of this module (stable; other namespaces use it):

- ``check(value, *, parameter)`` refuses at once (no I/O) what can never be an image input:
  a string that is not an http(s) URL (ValidationError), another Python type (TypeError).
- ``await load(value, *, parameter, allowed_types=..., max_bytes=MAX_IMAGE_BYTES)`` reads the
  input without blocking the event loop (files through anyio), reads its type and size from
  the first bytes (PNG, JPEG, WEBP; no Pillow) and checks type and byte size *before* any
  upload, raising ``ValidationError(parameter, "<what> (13.2 MB)", allowed)``. It returns a
  :class:`LoadedImage`: either ``url`` (nothing read) or ``data`` with ``type``,
  ``content_type``, ``filename`` and, when the header says, ``size`` and ``mode``.
- The allowed type sets of the reference: :data:`JPEG_PNG` (register, increase resolution,
  background removal) and :data:`PRODUCT_TYPES` (``/product/*``: jpeg, png, webp).
- Encoders, one per way routes want an image:
  ``form_factory(image, extra=...)`` for the isolated routes (multipart ``file`` part with
  filename and content type, or an url-encoded ``image_url`` field), a zero-arg factory that
  builds a new ``aiohttp.FormData`` per attempt (a loaded image is bytes, so that is cheap);
  ``json_fields(image)`` for JSON routes: ``{"image_url": url}`` or ``{"file": base64}``.
  /register takes only JSON ``image_url`` (or ``org_image_key``): no upload there.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import IO, Any, Literal, NoReturn, TypeAlias

import aiohttp
import anyio
import anyio.to_thread
import attrs

from ._errors import ValidationError
from ._files import extension_for

__all__ = [
    "IMAGE_TYPES",
    "JPEG_PNG",
    "MAX_IMAGE_BYTES",
    "PRODUCT_TYPES",
    "ImageInput",
    "ImageType",
    "LoadedImage",
    "check",
    "form_factory",
    "image_header",
    "json_fields",
    "load",
    "sniff_type",
]

ImageType = Literal["png", "jpeg", "webp"]
#: An image as users pass it: a URL, a path, the file's bytes, or a binary file object.
ImageInput: TypeAlias = str | os.PathLike[str] | bytes | IO[bytes]

MAX_IMAGE_BYTES = 12 * 1024 * 1024  # "12 MB" in the reference; the server answers 413 past it
IMAGE_TYPES: tuple[ImageType, ...] = ("png", "jpeg", "webp")
JPEG_PNG: tuple[ImageType, ...] = ("jpeg", "png")
PRODUCT_TYPES: tuple[ImageType, ...] = ("jpeg", "png", "webp")
#: The colour modes the register / increase resolution / background routes accept.
RGB_MODES = ("RGB", "RGBA", "CMYK")

_TYPE_OF_EXTENSION: dict[str, ImageType] = {".png": "png", ".jpg": "jpeg", ".webp": "webp"}
_CONTENT_TYPES: dict[ImageType, str] = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
_PNG_MODES = {0: "L", 2: "RGB", 3: "P", 4: "LA", 6: "RGBA"}
_JPEG_MODES = {1: "L", 3: "RGB", 4: "CMYK"}
_EXTENSIONS: dict[ImageType, str] = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}


@attrs.frozen(kw_only=True)
class LoadedImage:
    """An image input after checking: a URL to pass on, or the file's bytes and what they are.

    `size` is (width, height) and `mode` the colour mode ("RGB", "RGBA", "CMYK", "L", "P",
    ...) when the file's header says; both are None for URLs.
    """

    parameter: str
    url: str | None = None
    data: bytes | None = attrs.field(default=None, repr=False)
    type: ImageType | None = None
    filename: str | None = None
    size: tuple[int, int] | None = None
    mode: str | None = None

    @property
    def content_type(self) -> str | None:
        return _CONTENT_TYPES[self.type] if self.type is not None else None


def sniff_type(data: bytes) -> ImageType | None:
    """ "png", "jpeg" or "webp" from the first bytes of `data`, else None."""
    return _TYPE_OF_EXTENSION.get(extension_for(data[:16]))


def image_header(data: bytes) -> tuple[int, int, str | None] | None:
    """(width, height, colour mode) read from a PNG, JPEG or WEBP header, or None if the
    header cannot be read. The mode is None where the format does not say it cheaply."""
    kind = sniff_type(data)
    try:
        if kind == "png":
            width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
            return width, height, _PNG_MODES.get(colour, str(colour))
        if kind == "jpeg":
            return _jpeg_header(data)
        if kind == "webp":
            return _webp_header(data)
    except struct.error:
        return None
    return None


def _jpeg_header(data: bytes) -> tuple[int, int, str | None] | None:
    """Walk the JPEG markers to the first start-of-frame segment."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width, components = struct.unpack(">HHB", data[i + 5 : i + 10])
            return width, height, _JPEG_MODES.get(components, str(components))
        i += 2 + length
    return None


def _webp_header(data: bytes) -> tuple[int, int, str | None] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF, "RGB"
    if chunk == b"VP8L":
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, "RGBA"
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height, None
    return None


def _megabytes(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB"


async def load(
    value: ImageInput,
    *,
    parameter: str,
    allowed_types: Collection[ImageType] = IMAGE_TYPES,
    allowed_modes: Collection[str] | None = None,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> LoadedImage:
    """Check `value` and read it if it is a file: a URL is passed on as is; a path, bytes or
    file object is read (off the event loop), then refused unless it is one of
    `allowed_types`, at most `max_bytes`, and (when given and known) one of `allowed_modes`.
    """
    check(value, parameter=parameter)
    if isinstance(value, str):
        return LoadedImage(parameter=parameter, url=value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data, what, name = bytes(value), "bytes", None
        if len(data) > max_bytes:
            _too_big(parameter, what, len(data), max_bytes)
    elif isinstance(value, os.PathLike):
        path = anyio.Path(os.fspath(value))
        what, name = str(value), Path(os.fspath(value)).name
        try:
            length = (await path.stat()).st_size
            if length > max_bytes:
                _too_big(parameter, what, length, max_bytes)
            data = await path.read_bytes()
        except OSError as exc:
            raise ValidationError(parameter, what, f"a readable image file ({exc})") from exc
    else:
        name = _file_name(value)
        what = name or type(value).__name__
        data = await anyio.to_thread.run_sync(value.read, max_bytes + 1)
        if not isinstance(data, bytes):
            raise ValidationError(parameter, what, "a file opened in binary mode ('rb')")
        if len(data) > max_bytes:
            _too_big(parameter, what, len(data), max_bytes, at_least=True)
    return _checked(parameter, data, what, name, allowed_types, allowed_modes)


def _checked(
    parameter: str,
    data: bytes,
    what: str,
    name: str | None,
    allowed_types: Collection[ImageType],
    allowed_modes: Collection[str] | None,
) -> LoadedImage:
    kind = sniff_type(data)
    if kind is None or kind not in allowed_types:
        found = kind.upper() if kind else "not a PNG, JPEG or WEBP image" if data else "empty"
        raise ValidationError(
            parameter,
            f"{what} ({found}, {_megabytes(len(data))})",
            "a " + " or ".join(t.upper() for t in allowed_types) + " image",
        )
    header = image_header(data)
    size = (header[0], header[1]) if header else None
    mode = header[2] if header else None
    if allowed_modes is not None and mode is not None and mode not in allowed_modes:
        raise ValidationError(
            parameter,
            f"{what} ({kind.upper()} in colour mode {mode})",
            "an image in colour mode " + ", ".join(allowed_modes),
        )
    stem = Path(name).stem if name else "image"
    return LoadedImage(
        parameter=parameter,
        data=data,
        type=kind,
        filename=stem + _EXTENSIONS[kind],
        size=size,
        mode=mode,
    )


def check(value: object, *, parameter: str) -> None:
    """Refuse at once what can never be an image input: a string that is not an http(s) URL
    (ValidationError) or another Python type (TypeError). Nothing is read."""
    if isinstance(value, str):
        scheme, _, rest = value.partition("://")
        if scheme.lower() not in ("http", "https") or not rest.strip() or not value.isprintable():
            raise ValidationError(
                parameter,
                value,
                "an http(s) URL; pass a pathlib.Path, bytes or a binary file for a local file",
            )
    elif not isinstance(value, (bytes, bytearray, memoryview, os.PathLike)) and not callable(
        getattr(value, "read", None)
    ):
        raise TypeError(
            f"{parameter}: expected an http(s) URL, a path, bytes or a binary file object, "
            f"got {type(value).__name__}"
        )


def _file_name(value: Any) -> str | None:
    name = getattr(value, "name", None)
    return Path(name).name if isinstance(name, str) and name else None


def _too_big(
    parameter: str, what: str, length: int, limit: int, *, at_least: bool = False
) -> NoReturn:
    shown = ("over " if at_least else "") + _megabytes(length)
    raise ValidationError(parameter, f"{what} ({shown})", f"a file of at most {_megabytes(limit)}")


def form_factory(
    image: LoadedImage,
    *,
    extra: Mapping[str, str] | None = None,
    file_field: str = "file",
    url_field: str = "image_url",
    multipart: bool = False,
) -> Callable[[], aiohttp.FormData]:
    """A zero-arg factory of the form body: a multipart `file_field` part (filename and
    content type) for bytes, an url-encoded `url_field` for a URL (multipart too with
    `multipart=True`, for routes that document only multipart); `extra` fields added."""
    fields = dict(extra or {})

    def build() -> aiohttp.FormData:
        form = aiohttp.FormData(default_to_multipart=multipart)
        if image.url is not None:
            form.add_field(url_field, image.url)
        else:
            form.add_field(
                file_field,
                image.data or b"",
                filename=image.filename,
                content_type=image.content_type,
            )
        for key, text in fields.items():
            form.add_field(key, text)
        return form

    return build


def json_fields(
    image: LoadedImage, *, file_field: str = "file", url_field: str = "image_url"
) -> dict[str, str]:
    """The image as JSON routes want it: ``{url_field: url}`` or ``{file_field: base64}``."""
    if image.url is not None:
        return {url_field: image.url}
    return {file_field: base64.b64encode(image.data or b"").decode("ascii")}
