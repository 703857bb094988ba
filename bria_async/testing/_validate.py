"""Parameter checks shared by the route modules; every failure becomes `{"error": ...}`.

Messages name the parameter, the value received and what is allowed, as a 400 should.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping
from typing import Any, NoReturn

from aiohttp import web

__all__ = [
    "MAX_FILE_BYTES",
    "ApiError",
    "Params",
    "decode_base64_image",
    "error_response",
    "fail",
    "image_format",
    "json_body",
    "read_form",
]

MAX_FILE_BYTES = 12 * 1024 * 1024
_MISSING = object()


class ApiError(Exception):
    """An error answer: `status` with the JSON body `{"error": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(
    status: int, message: str, *, v2: bool = False, headers: dict[str, str] | None = None
) -> web.Response:
    """An error answer: v1's `{"error": message}`, or v2's error object
    `{"error": {"code", "message", "details"}}`."""
    error: Any = {"code": status, "message": message, "details": ""} if v2 else message
    return web.json_response({"error": error}, status=status, headers=headers)


def fail(status: int, message: str) -> NoReturn:
    """Answer `status` with `{"error": message}`."""
    raise ApiError(status, message)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object ({} for an empty body)."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        fail(400, "invalid request body: expected a JSON object")
    if not isinstance(body, dict):
        fail(400, f"invalid request body: expected a JSON object, got {type(body).__name__}")
    return body


async def read_form(request: web.Request) -> dict[str, str | bytes]:
    """Fields of a multipart or url-encoded body; file parts become bytes."""
    if request.content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fail(
            400,
            f"invalid Content-Type: {request.content_type!r}; allowed: multipart/form-data "
            "or application/x-www-form-urlencoded",
        )
    form = await request.post()
    fields: dict[str, str | bytes] = {}
    for name, value in form.items():
        if isinstance(value, str):
            fields[name] = value
        elif isinstance(value, (bytes, bytearray)):
            fields[name] = bytes(value)
        else:
            fields[name] = value.file.read()
    return fields


def image_format(data: bytes) -> str | None:
    """'png', 'jpeg' or 'webp' from the file's magic bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_image_bytes(name: str, data: bytes, formats: Collection[str]) -> str:
    """Refuse a file over 12 MB (413) or of another type than `formats` (415)."""
    if len(data) > MAX_FILE_BYTES:
        fail(413, f"{name} is {len(data)} bytes; allowed: at most {MAX_FILE_BYTES} bytes (12 MB)")
    kind = image_format(data)
    if kind is None or kind not in formats:
        fail(
            415,
            f"unsupported media type for {name}: {kind or 'unknown'}; allowed: {sorted(formats)}",
        )
    return kind


def decode_base64_image(name: str, value: object, formats: Collection[str]) -> bytes:
    """Decode a base64 image field (a data: URI prefix is accepted) and check it."""
    if not isinstance(value, str) or not value:
        fail(400, f"invalid {name}: {_show(value)}; allowed: a base64-encoded image")
    text = value.partition(",")[2] if value.startswith("data:") else value
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        fail(400, f"invalid {name}: not valid base64; allowed: a base64-encoded image")
    check_image_bytes(name, data, formats)
    return data


def _show(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, bytes) else f"<{len(value)} bytes>"
    return text if len(text) <= 80 else text[:77] + "..."


class Params:
    """Typed reads of a JSON body (`query=False`) or a query string (`query=True`)."""

    def __init__(self, source: Mapping[str, Any], *, query: bool = False) -> None:
        self.source = source
        self.query = query

    def _bad(self, name: str, value: object, allowed: str) -> NoReturn:
        fail(400, f"invalid {name}: {_show(value)}; allowed: {allowed}")

    def _get(self, name: str, required: bool) -> Any:
        value = self.source.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                fail(400, f"missing required parameter: {name}")
            return _MISSING
        return value

    def integer(
        self,
        name: str,
        default: int | None = None,
        *,
        low: int | None = None,
        high: int | None = None,
        choices: Collection[int] | None = None,
        required: bool = False,
    ) -> int | None:
        """An integer, optionally in low..high or one of `choices`."""
        value = self._get(name, required)
        if value is _MISSING:
            return default
        bounds = f"{'-inf' if low is None else low}..{'inf' if high is None else high}"
        allowed = f"one of {sorted(choices)}" if choices is not None else f"an integer in {bounds}"
        if self.query and isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                self._bad(name, value, allowed)
        if not isinstance(value, int) or isinstance(value, bool):
            self._bad(name, value, allowed)
        if (choices is not None and value not in choices) or (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            self._bad(name, value, allowed)
        return value

    def number(self, name: str, default: float, *, low: float, high: float) -> float:
        """A number in low..high."""
        value = self._get(name, False)
        if value is _MISSING:
            return default
        allowed = f"a number in {low:g}..{high:g}"
        if self.query and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                self._bad(name, value, allowed)
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not low <= value <= high
        ):
            self._bad(name, value, allowed)
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        """A boolean (`true`/`false` in a query string)."""
        value = self._get(name, False)
        if value is _MISSING:
            return default
        if self.query and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            self._bad(name, value, "true or false")
        return value

    def string(self, name: str, *, required: bool = False) -> str | None:
        """A string (a required one must not be empty)."""
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self._bad(name, value, "a non-empty string" if required else "a string")
        return value

    def enum(self, name: str, default: str | None, allowed: Collection[str]) -> str | None:
        """One of `allowed`."""
        value = self._get(name, False)
        if value is _MISSING:
            return default
        if value not in allowed:
            self._bad(name, value, "one of " + ", ".join(allowed))
        return str(value)

    def int_list(
        self, name: str, default: list[int] | None, *, length: int, low: int | None = None
    ) -> list[int] | None:
        """A list of exactly `length` integers, each at least `low`."""
        value = self._get(name, False)
        if value is _MISSING:
            return default
        allowed = f"a list of {length} integers" + (
            f", each at least {low}" if low is not None else ""
        )
        if (
            not isinstance(value, list)
            or len(value) != length
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            or (low is not None and any(v < low for v in value))
        ):
            self._bad(name, value, allowed)
        return value

    def str_list(
        self, name: str, default: list[str] | None, allowed: Collection[str] | None
    ) -> list[str] | None:
        """A non-empty list of strings, each one of `allowed` when given."""
        value = self._get(name, False)
        if value is _MISSING:
            return default
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) for v in value)
            or (allowed is not None and any(v not in allowed for v in value))
        ):
            what = "a non-empty list of strings"
            self._bad(name, value, what + (" from " + ", ".join(allowed) if allowed else ""))
        return value

    def url(self, name: str, *, required: bool = False) -> str | None:
        """An http(s) URL."""
        value = self.string(name, required=required)
        if value is not None and not value.startswith(("http://", "https://")):
            self._bad(name, value, "an http:// or https:// URL")
        return value
