"""JSON in and out of the SDK where the other side is not trusted (API answers, job tokens,
journal and input lines): json's own behaviour, except that a structure nested deeper than
the interpreter's recursion limit is a ValueError like any other malformed JSON, never a
RecursionError escaping from whatever is reading it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["TOO_DEEP", "dumps", "loads"]

TOO_DEEP = "nested too deeply"
_JSON_STARTS = (b"{", b"[")
#: The C scanner `json.loads` ends in, called directly for the usual answer (an object with
#: nothing after it), skipping json.loads' three Python layers and two regex passes.
_SCAN_JSON: Callable[[str, int], tuple[Any, int]]
_SCAN_JSON = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # (typeshed lacks it)


def loads(data: str | bytes | bytearray) -> Any:
    """`data` decoded, as json.loads does. UTF-8 bytes that start an object or an array (every
    API answer) are decoded at once and scanned to their end in one C call; anything else is
    left to json.loads (to detect a BOM, UTF-16 or UTF-32; to skip whitespace around the
    value; to describe an error). ValueError for anything malformed, too deep included."""
    try:
        if data[:1] not in _JSON_STARTS:  # text, too, goes here
            return json.loads(data)
        text = data.decode()  # type: ignore[union-attr]  # bytes: a str never starts so
        try:
            value, end = _SCAN_JSON(text, 0)
        except StopIteration:  # a value missing inside: json.loads says where
            return json.loads(text)
        return value if end == len(text) else json.loads(text)
    except RecursionError:
        raise ValueError(TOO_DEEP) from None


def dumps(value: Any, **options: Any) -> str:
    """json.dumps(value, **options); ValueError for a value nested too deeply."""
    try:
        return json.dumps(value, **options)
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
