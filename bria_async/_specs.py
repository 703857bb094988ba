"""How each route's Job completes: the JobSpec (how its Job finishes and its result is
parsed, its request being a `_request.Call`). The registry of every kind is `_registry.py`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._completion import Direct, Plan
from ._transport import Response
from .types._download import ResultContext

if TYPE_CHECKING:
    from ._runtime import Runtime

R = TypeVar("R")


@attrs.frozen(kw_only=True)
class JobSpec(Generic[R]):
    """How one route's Job completes and how its result is parsed.

    - `finish`: how the Job reaches its result after the submission (a plan of
      `_completion.py`: the answer itself, placeholders, calling again, following a status).
    - `decode`: turns the success response into the JSON-able body that is parsed and kept
      in the token (default: its JSON); it may download what the response points to.
    """

    kind: str
    parse: Callable[[Any, ResultContext], R]
    finish: Plan = attrs.field(factory=Direct)
    decode: Callable[[Response, Runtime], Awaitable[Any]] | None = None


@functools.cache
def result_type(spec: JobSpec[Any]) -> type | None:
    """The class `spec.parse` is annotated to return, or None if that is not a plain class."""
    produced = getattr(spec.parse, "__annotations__", {}).get("return")
    if isinstance(produced, str):  # postponed: a plain name in the parser's module
        produced = getattr(spec.parse, "__globals__", {}).get(produced)
    return produced if isinstance(produced, type) else None
