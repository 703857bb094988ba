"""How each route's Job completes: the JobSpec (how its Job finishes and its result is
parsed, its request being a `_request.Call`), and the registry `jobs.resume()` rebuilds Jobs
from.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._completion import Direct, Plan
from ._errors import BriaError
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


_SPECS: dict[str, JobSpec[Any]] = {}


def register(spec: JobSpec[R]) -> JobSpec[R]:
    """Make `spec` known by its kind, so that `jobs.resume()` can rebuild its Jobs."""
    _SPECS[spec.kind] = spec
    return spec


@functools.cache
def result_type(spec: JobSpec[Any]) -> type | None:
    """The class `spec.parse` is annotated to return, or None if that is not a plain class."""
    produced = getattr(spec.parse, "__annotations__", {}).get("return")
    if isinstance(produced, str):  # postponed: a plain name in the parser's module
        produced = getattr(spec.parse, "__globals__", {}).get(produced)
    return produced if isinstance(produced, type) else None


def spec_for(kind: str) -> JobSpec[Any]:
    """The registered JobSpec of `kind`, as named in a job token."""
    spec = _SPECS.get(kind)
    if spec is None:
        raise BriaError(f"unknown job kind {kind!r} in the job token")
    return spec
