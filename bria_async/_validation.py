"""Checks that run before any request: each failure names the parameter, value and range."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from ._errors import ValidationError

T = TypeVar("T")


def require_text(name: str, value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, value, "a non-empty string")
    return value


def require_id(name: str, value: Any) -> str:
    """A path id: a non-empty string or a non-negative integer, safe to put in a URL path."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError(name, value, "a non-empty id (string or integer)")
    text = str(value).strip()
    if not text or "/" in text or "?" in text or "#" in text or text in {".", ".."}:
        raise ValidationError(name, value, "a non-empty id without '/', '?' or '#'")
    return text


def check_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int | None:
    """None, or an integer within [lo, hi]."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, value, _range_text("an integer", lo, hi))
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValidationError(name, value, _range_text("an integer", lo, hi))
    return value


def require_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    """An integer within [lo, hi] (None is refused)."""
    checked = check_int(name, value, lo, hi)
    if checked is None:
        raise ValidationError(name, value, _range_text("an integer", lo, hi))
    return checked


def check_number(
    name: str, value: Any, lo: float | None = None, hi: float | None = None
) -> float | None:
    """None, or a real number within [lo, hi]."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValidationError(name, value, _range_text("a number", lo, hi))
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValidationError(name, value, _range_text("a number", lo, hi))
    return value


def check_choice(name: str, value: T | None, choices: Collection[T]) -> T | None:
    """None, or one of `choices`."""
    if value is None:
        return None
    if value not in choices:
        raise ValidationError(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def check_bool(name: str, value: Any) -> bool | None:
    """None, or True/False."""
    if value is None or isinstance(value, bool):
        return value
    raise ValidationError(name, value, "True or False")


def require_url(name: str, value: Any) -> str:
    """An absolute http(s) URL."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")) or (
        len(value.split("://", 1)[1].strip()) == 0
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
