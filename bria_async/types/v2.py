"""The results of the v2 routes: a job's final result (V2Result) and a request's status,
as the status route answers it and as a webhook delivers it (StatusEvent)."""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import ValidationError
from ._serializable import Serializable
from .images import Image

if TYPE_CHECKING:
    from ._download import Downloader, ResultContext

#: The result fields V2Result names; every other field is kept in its `extra`.
_RESULT_FIELDS = ("image_url", "seed", "prompt", "refined_prompt", "structured_prompt")


class V2Status(str, enum.Enum):
    """Where a v2 request stands. FAILED is another documented spelling of ERROR."""

    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @property
    def final(self) -> bool:
        return self in (V2Status.COMPLETED, V2Status.ERROR, V2Status.FAILED)


@attrs.frozen(kw_only=True)
class V2Error(Serializable):
    """The error object of a failed v2 request."""

    code: int | None = None
    message: str = ""
    details: str | None = None


@attrs.frozen(kw_only=True)
class V2Result(Serializable):
    """The final result of a v2 request: its image (`image_url`, absent for routes that
    answer JSON, such as structured instructions) and, for generation, the seed and prompts.
    Fields the SDK does not name (``video_url``, ``structured_instruction``, ``warning``)
    are kept in `extra`."""

    image_url: str | None = None
    seed: int | None = None
    prompt: str | None = None
    refined_prompt: str | None = None
    structured_prompt: str | None = None
    request_id: str | None = None
    job_id: str | None = None
    created_at: dt.datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)
    _storage: Downloader | None = attrs.field(default=None, repr=False, eq=False, alias="storage")

    @property
    def images(self) -> tuple[Image, ...]:
        """The result's image as a tuple (empty without one): what `as_completed` yields."""
        if self.image_url is None:
            return ()
        return (Image(url=self.image_url, seed=self.seed, storage=self._storage),)

    async def save(self, directory: str | os.PathLike[str]) -> Path:
        """Download the image into `directory` under a safe, unique name."""
        return await self._save_with(self._storage, directory)

    async def _save_with(
        self, downloader: Downloader | None, directory: str | os.PathLike[str]
    ) -> Path:
        if not self.images:
            raise ValidationError("result", self.extra, "a result with an image_url to save")
        stem = f"{(self.job_id or self.request_id or 'v2')[:12]}-result"
        return await self.images[0]._save_with(downloader, directory, name=stem)


@attrs.frozen(kw_only=True)
class StatusEvent(Serializable):
    """A v2 request's status: one read of ``GET /v2/status/{id}``, or a webhook delivery
    (whose body is the same). `result` is set when COMPLETED, `error` when ERROR/FAILED."""

    request_id: str
    status: V2Status
    result: V2Result | None = None
    error: V2Error | None = None
    #: The status body as received: what a Job delivered this event keeps in its token.
    body: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


def _optional(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = body.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise TypeError(f"{key} is not a {getattr(kind, '__name__', kind)}")
    return value


def result_from(
    result: Mapping[str, Any],
    *,
    request_id: str | None = None,
    job_id: str | None = None,
    created_at: dt.datetime | None = None,
    storage: Downloader | None = None,
) -> V2Result:
    """A V2Result from the ``result`` object of a status body (or a sync answer)."""
    if not isinstance(result, Mapping):
        raise TypeError("result is not an object")
    structured = result.get("structured_prompt")
    if structured is not None and not isinstance(structured, str):
        structured = json.dumps(structured)
    return V2Result(
        image_url=_optional(result, "image_url", str),
        seed=_optional(result, "seed", int),
        prompt=_optional(result, "prompt", str),
        refined_prompt=_optional(result, "refined_prompt", str),
        structured_prompt=structured,
        request_id=request_id,
        job_id=job_id,
        created_at=created_at,
        extra={k: v for k, v in result.items() if k not in _RESULT_FIELDS},
        storage=storage,
    )


def parse_status(
    body: Any, *, storage: Downloader | None = None, job_id: str | None = None
) -> StatusEvent:
    """A StatusEvent from a status body; raises KeyError/TypeError/ValueError if malformed."""
    if not isinstance(body, Mapping):
        raise TypeError("the status body is not an object")
    request_id = body["request_id"]
    if not isinstance(request_id, str) or not request_id:
        raise ValueError("request_id is not a string")
    status = V2Status(body["status"])
    result = error = None
    if status is V2Status.COMPLETED:
        result = result_from(
            body.get("result") or {}, request_id=request_id, job_id=job_id, storage=storage
        )
    elif status.final:
        raw = body.get("error") or {}
        if not isinstance(raw, Mapping):
            raw = {"message": str(raw)}
        code = raw.get("code")
        details = raw.get("details")
        error = V2Error(
            code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            message=str(raw.get("message") or "the request failed"),
            details=None if details is None else str(details),
        )
    return StatusEvent(
        request_id=request_id, status=status, result=result, error=error, body=dict(body)
    )


def parse_v2_result(body: Any, ctx: ResultContext) -> V2Result:
    """A Job's V2Result from its final body: a COMPLETED status body, or a sync answer
    (its ``result`` object, or the fields at the top level)."""
    if not isinstance(body, Mapping):
        raise TypeError("the answer is not an object")
    inner = body.get("result")
    request_id = body.get("request_id")
    return result_from(
        inner if isinstance(inner, Mapping) else body,
        request_id=request_id if isinstance(request_id, str) else None,
        job_id=ctx.job_id,
        created_at=ctx.submitted_at,
        storage=ctx.downloader,
    )
