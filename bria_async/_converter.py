"""The one cattrs converter that turns server JSON into result types and back.

Policy, in one place:
- attrs classes with an ``extra`` field keep every key the server sent that the class does
  not name there, so a growing API is never fatal; classes without one ignore unknown keys.
- Annotations are resolved in the class's module; private fields (``_storage``) are set by
  the SDK after structuring, never from server data.
- Field names are the API's own; a field may name another wire key with
  ``metadata={"wire": "key"}``.
- ``datetime`` values are ISO 8601 strings (a trailing ``Z`` is UTC); ``None`` stays None.
- Enums, and fields typed ``SomeEnum | str``, accept the server's spellings case- and
  space-insensitively, an enum's ``__aliases__`` table names
  other spellings; under ``| str`` an unknown value is kept as a plain string, not fatal.
- Unstructuring drops nothing: ``extra`` is merged back into the dict.
- Unstructured data is JSON-safe (what ``result.to_dict()`` answers): datetimes as ISO 8601
  strings, enums as their values, bytes as base64 text, paths as strings, an exception as
  ``{"type": name, "message": text}``, a file object as its name.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import sys
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import PurePath
from typing import Any, TypeVar

import attrs
import cattrs

T = TypeVar("T")
_EXTRA = "extra"


def _has_extra(cls: type) -> bool:
    return attrs.has(cls) and any(a.name == _EXTRA for a in attrs.fields(cls))


def _wire_name(a: attrs.Attribute[Any]) -> str:
    return str(a.metadata.get("wire", a.alias or a.name))


def _structure_datetime(value: Any, _: type) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return dt.datetime.fromisoformat(text)


@functools.lru_cache(maxsize=1024)
def _normalise(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


@functools.cache
def _spellings(cls: type[Enum]) -> dict[str, Enum]:
    """Every accepted spelling of `cls`'s members, normalised, built once per enum."""
    table: dict[str, Enum] = {}
    aliases: dict[str, tuple[str, ...]] = getattr(cls, "__aliases__", {})
    for member in reversed(cls):  # reversed: on a clash the first member wins, as before
        for spelling in (str(member.value), member.name, *aliases.get(member.name, ())):
            table[_normalise(spelling)] = member
    return table


def _structure_enum(value: Any, cls: type[Enum], *, keep_unknown: bool = False) -> Enum | str:
    if isinstance(value, cls):
        return value
    member = _spellings(cls).get(_normalise(str(value)))
    if member is not None:
        return member
    if keep_unknown:
        return str(value)
    raise ValueError(f"{value!r} is not a known {cls.__name__}")


@functools.cache
def _open_enum_of(tp: Any) -> type[Enum] | None:
    """The enum of an ``SomeEnum | str`` union: a value the server may spell in new ways."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) not in (typing.Union, types.UnionType) or str not in args:
        return None
    enums = [a for a in args if isinstance(a, type) and issubclass(a, Enum)]
    return enums[0] if len(enums) == 1 else None


def _make_extra_hook(converter: cattrs.Converter) -> Callable[[type], Callable[[Any, Any], Any]]:
    def factory(cls: type) -> Callable[[Any, Any], Any]:
        fields = [a for a in attrs.fields(cls) if a.init and a.name != _EXTRA and a.name[0] != "_"]
        namespace = vars(sys.modules[cls.__module__])
        types_ = {
            a.name: eval(a.type, namespace) if isinstance(a.type, str) else a.type  # noqa: S307
            for a in fields
        }

        # (wire key, keyword, type) per field, and the wire keys, worked out once per class
        plan = [(_wire_name(a), a.alias or a.name, types_[a.name]) for a in fields]
        known = frozenset(key for key, _, _ in plan)

        def structure(data: Any, _: Any) -> Any:
            if not isinstance(data, Mapping):
                raise TypeError(f"{cls.__name__} expects a JSON object, got {type(data).__name__}")
            kwargs: dict[str, Any] = {}
            for key, keyword, type_ in plan:
                if key in data:
                    value = data[key]
                    kwargs[keyword] = None if value is None else converter.structure(value, type_)
            kwargs[_EXTRA] = {k: v for k, v in data.items() if k not in known}
            return cls(**kwargs)

        return structure

    return factory


def _unstructure_with_extra(converter: cattrs.Converter, obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict(getattr(obj, _EXTRA, {}) or {})
    for a in attrs.fields(type(obj)):
        if a.name == _EXTRA or not a.init or a.name.startswith("_"):
            continue
        out[_wire_name(a)] = converter.unstructure(getattr(obj, a.name))
    return out


def _is_subclass(base: type) -> Callable[[Any], bool]:
    return lambda t: isinstance(t, type) and issubclass(t, base)


def configure_converter(converter: cattrs.Converter) -> cattrs.Converter:
    """Apply the serialization policy of this module's docstring to `converter`."""
    converter.register_structure_hook(dt.datetime, _structure_datetime)
    converter.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    # str and bytes by class, ahead of cattrs' own pass-through: a str enum is a str subclass
    converter.register_unstructure_hook(str, lambda s: s.value if isinstance(s, Enum) else s)
    converter.register_unstructure_hook_func(_is_subclass(Enum), lambda e: e.value)
    converter.register_unstructure_hook(bytes, lambda b: base64.b64encode(b).decode("ascii"))
    converter.register_unstructure_hook_func(_is_subclass(PurePath), str)
    converter.register_unstructure_hook_func(
        _is_subclass(BaseException), lambda e: {"type": type(e).__name__, "message": str(e)}
    )
    converter.register_unstructure_hook_func(
        _is_subclass(io.IOBase), lambda f: str(getattr(f, "name", type(f).__name__))
    )
    converter.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Enum), _structure_enum
    )
    converter.register_structure_hook_func(
        lambda t: _open_enum_of(t) is not None,
        lambda v, t: _structure_enum(v, _open_enum_of(t), keep_unknown=True),  # type: ignore[arg-type]
    )
    converter.register_structure_hook_factory(_has_extra, _make_extra_hook(converter))
    converter.register_unstructure_hook_func(
        _has_extra, lambda obj: _unstructure_with_extra(converter, obj)
    )
    return converter


def make_converter() -> cattrs.Converter:
    """A new converter configured with bria_async's policy."""
    return configure_converter(cattrs.Converter())


converter = make_converter()


def structure(data: Any, cls: type[T]) -> T:
    """Build a `cls` from server JSON with the project's converter."""
    return converter.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """Plain JSON-able data from a result type, extra fields included."""
    return converter.unstructure(obj)
