"""Checks that run before any request: each failure names the parameter, value and range."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from ._errors import ValidationError

T = TypeVar("T")

#: The largest integer sent: JSON readers in other languages hold integers exactly only up
#: to 2**53 - 1, and the API's ids, seeds and sizes are all far below it.
MAX_INT = 2**53 - 1
#: What an id may hold: RFC 3986's unreserved characters, which travel in a URL path or
#: query unchanged (no '/', '?', '#', '%', space, control or non-ASCII character).
_ID = re.compile(r"[A-Za-z0-9._~-]{1,256}")
_ID_TEXT = "letters, digits, '-', '_', '.' or '~' (at most 256)"


def is_utf8(text: str) -> bool:
    """Whether `text` can be sent: a lone surrogate (from a bad decode) has no UTF-8 form."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_header_value(text: str) -> bool:
    """Whether `text` can be sent as an HTTP header value as is: printable ASCII only, so no
    line break can end the header and start another."""
    return text.isascii() and text.isprintable()


def require_text(name: str, value: Any) -> str:
    """A string that is not blank and can be encoded as UTF-8."""
    if not isinstance(value, str) or not value.strip() or not is_utf8(value):
        raise ValidationError(name, value, "a non-empty string (valid UTF-8)")
    return value


#: The body fields a model reads as its prompt, which `Settings.max_prompt_chars` caps.
PROMPT_FIELDS = (
    "prompt",
    "negative_prompt",
    "bg_prompt",
    "scene_description",
    "exclude_elements",
    "instruction",
)


def check_prompts(body: Mapping[str, Any], limit: int) -> None:
    """Refuse a request body whose `PROMPT_FIELDS` hold a text over `limit` characters,
    naming the field, its length and the limit (`Settings.max_prompt_chars`). Runs once per
    call: a few dict lookups."""
    for name in PROMPT_FIELDS:
        text = body.get(name)
        if type(text) is str and len(text) > limit:
            raise ValidationError(
                name,
                text,
                f"at most {limit:,} characters (Settings.max_prompt_chars), not {len(text):,}",
            )


def require_id(name: str, value: Any) -> str:
    """An id that goes in a URL path or query unchanged: a positive integer, or a string of
    `_ID` characters other than "." and ".." (which a URL would resolve away)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_INT:
        return str(value)
    if isinstance(value, str) and _ID.fullmatch(value) and value not in (".", ".."):
        return value
    raise ValidationError(name, value, f"a positive integer, or an id of {_ID_TEXT}")


def require_numeric_id(name: str, value: Any) -> str:
    """An id the API numbers (datasets, their images, models): a positive integer, or its
    decimal digits as a string."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 16:
        number: Any = int(value)
    else:
        number = value
    if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= MAX_INT:
        return str(number)
    raise ValidationError(name, value, f"a positive integer (at most {MAX_INT})")


def check_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int | None:
    """None, or an integer within [lo, hi] (each side at most MAX_INT away from zero)."""
    if value is None:
        return None
    low = -MAX_INT if lo is None else lo
    high = MAX_INT if hi is None else hi
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(name, value, _range_text("an integer", low, high))
    return value


def require_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    """An integer within [lo, hi] (None is refused)."""
    checked = check_int(name, value, lo, hi)
    if checked is None:
        raise ValidationError(name, value, _range_text("an integer", lo, hi))
    return checked


def check_number(name: str, value: Any, lo: float, hi: float) -> float | None:
    """None, or a finite real number within [lo, hi]."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and not math.isfinite(value))
        or not lo <= value <= hi
    ):
        raise ValidationError(name, value, _range_text("a number", lo, hi))
    return value


def check_choice(name: str, value: T | None, choices: Collection[T]) -> T | None:
    """None, or one of `choices`."""
    if value is None:
        return None
    return require_choice(name, value, choices)


def require_choice(name: str, value: Any, choices: Collection[T]) -> T:
    """One of `choices`, as the choice itself: equal and of its type, so neither True for 1
    nor 2.0 for 2 (None is refused)."""
    for choice in choices:
        if (
            isinstance(value, type(choice))
            and isinstance(value, bool) == isinstance(choice, bool)
            and value == choice
        ):
            return choice
    raise ValidationError(name, value, "one of " + ", ".join(repr(c) for c in choices))


def check_bool(name: str, value: Any) -> bool | None:
    """None, or True/False."""
    if value is None or isinstance(value, bool):
        return value
    raise ValidationError(name, value, "True or False")


def require_bool(name: str, value: Any) -> bool:
    """True or False (None is refused)."""
    if isinstance(value, bool):
        return value
    raise ValidationError(name, value, "True or False")


def require_url(name: str, value: Any) -> str:
    """An absolute http(s) URL, printable (no control character, no lone surrogate)."""
    if (
        not isinstance(value, str)
        or not value.startswith(("http://", "https://"))
        or not value.split("://", 1)[1].strip()
        or not value.isprintable()
    ):
        raise ValidationError(name, value, "an http(s) URL")
    return value


def check_list(
    name: str,
    value: Any,
    item: Callable[[str, Any], T | None],
    *,
    length: int | None = None,
    min_length: int = 1,
    max_length: int | None = None,
) -> list[T] | None:
    """None, or a list or tuple of `length` (else `min_length`..`max_length`) items, each
    passed through `item(f"{name}[i]", value)`; a None item is refused."""
    if value is None:
        return None
    lo, hi = (length, length) if length is not None else (min_length, max_length)
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, (list, tuple))
        or len(value) < lo
        or (hi is not None and len(value) > hi)
    ):
        count = f"{lo}" if lo == hi else f"at least {lo}" if hi is None else f"{lo} to {hi}"
        raise ValidationError(name, value, f"a list of {count} items")
    out: list[T] = []
    for i, element in enumerate(value):
        checked = item(f"{name}[{i}]", element)
        if checked is None:
            raise ValidationError(f"{name}[{i}]", element, "a value, not None")
        out.append(checked)
    return out


def require_list(
    name: str,
    value: Any,
    item: Callable[[str, Any], T | None],
    *,
    min_length: int = 1,
    max_length: int | None = None,
) -> list[T]:
    """A list or tuple as `check_list` takes it (None is refused)."""
    checked = check_list(name, value, item, min_length=min_length, max_length=max_length)
    if checked is None:
        raise ValidationError(name, value, f"a list of at least {min_length} items")
    return checked


def is_json(value: Any) -> bool:
    """Whether `value` can go in a JSON body as is: None, a bool, an integer within MAX_INT, a
    finite float, a UTF-8 string, or a list, tuple or string-keyed mapping of those."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_INT <= value <= MAX_INT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return is_utf8(value)
    if isinstance(value, (list, tuple)):
        return all(is_json(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and is_utf8(k) and is_json(v) for k, v in value.items())
    return False


def refuse(name: str, value: Any, why: str) -> None:
    """Refuse a parameter the route does not take (when it was given)."""
    if value is not None:
        raise ValidationError(name, value, why)


def _range_text(kind: str, lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{kind} from {lo} to {hi}"
    if lo is not None:
        return f"{kind} of at least {lo}"
    if hi is not None:
        return f"{kind} of at most {hi}"
    return kind


def drop_none(**values: Any) -> dict[str, Any]:
    """The given keyword values without the ones left as None (the API's defaults apply)."""
    return {k: v for k, v in values.items() if v is not None}
