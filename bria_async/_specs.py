"""How each route's Job is sent and completes: the Call (one request), the JobSpec (how its
Job finishes and its result is parsed), and the registry `jobs.resume()` rebuilds Jobs from.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import attrs

from ._completion import Direct, Plan
from ._errors import BriaError
from ._transport import Response, TimeoutKind

if TYPE_CHECKING:
    from ._runtime import Runtime

R = TypeVar("R")


class Call(NamedTuple):
    """One API request, as a resource method prepared it (already validated); a NamedTuple,
    the cheapest immutable record, as one is made per request (`_replace` makes another).

    `prepare`, when set, runs once as the Job is sent, before the request: it returns the
    Call to send (for example with the JSON body once image files were read off the event
    loop and checked); its ValidationError fails the Job before anything is sent.
    """

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: Callable[[], Any] | None = None
    kind: TimeoutKind = "quick"
    billable: bool = False
    #: The API version whose base URL the path is under (1 or 2).
    version: int = 1
    #: False: sent once, never repeated, whatever the answer (v2 submissions).
    repeat: bool = True
    prepare: Callable[[Call], Awaitable[Call]] | None = None


class ResultContext:
    """What a result parser may use besides the response: the job, and the downloader.
    (A slotted class: one is made per result, and calling a class costs less than making
    a NamedTuple.)"""

    __slots__ = ("context", "job_id", "runtime", "submitted_at")

    def __init__(
        self,
        job_id: str,
        submitted_at: dt.datetime,
        context: Mapping[str, Any],
        runtime: Runtime,
    ) -> None:
        self.job_id = job_id
        self.submitted_at = submitted_at
        self.context = context
        self.runtime = runtime


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
