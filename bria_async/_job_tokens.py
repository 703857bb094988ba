"""A Job as a token and back: what `Job.to_dict()` signs and `bria.jobs.resume()` checks
before it rebuilds the job (the signing itself is `_tokens.py`'s)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._errors import InvalidJobTokenError, JobError
from ._job_handle import FollowedJob
from ._job_state import JobState, JobStatus
from ._specs import JobSpec, result_type
from ._tokens import TokenData, sign, verify

if TYPE_CHECKING:
    from ._runtime import Runtime


def token_of(job: JobState[Any]) -> dict[str, Any]:
    """The signed token of a job that was sent (JobError if it was not yet)."""
    if job._submitted_at is None or job._http_status is None:
        raise JobError(
            f"job {job.id} has not been sent yet: await job.submit() first", job_id=job.id
        )
    completion = job._completion
    data = TokenData(
        id=job.id,
        kind=job._spec.kind,
        submitted_at=job._submitted_at,
        http_status=job._http_status,
        response=job._body,
        context=job._context,
        state=completion.state() if completion is not None else {},
    )
    return sign(data, job._runtime.token_key())


def read_token(
    runtime: Runtime,
    token: object,
    specs: Mapping[str, JobSpec[Any]],
    expect: type[Any] | None = None,
) -> tuple[JobSpec[Any], TokenData]:
    """What `token` says (its signature checked) and the route it names in `specs`; with
    `expect`, also that this route gives results of that type."""
    data = verify(token, runtime.token_key)
    spec = specs.get(data.kind)
    if spec is None:
        raise InvalidJobTokenError(f"unknown job kind {data.kind!r} in the job token")
    produces = result_type(spec)
    if expect is not None and produces is not None and not issubclass(produces, expect):
        raise InvalidJobTokenError(
            f"the job token is of {data.kind}, whose result is {produces.__name__}, "
            f"not {expect.__name__}"
        )
    return spec, data


def restore(job: JobState[Any], data: TokenData) -> None:
    """Make the new `job` the one `data` describes, sent before and followed again by its
    route's plan from `data.state`; raises what the plan's `restore` raises on a bad state."""
    job._status = JobStatus.SUBMITTED  # sent long ago: never "never sent", even if refused
    job._http_status = data.http_status
    job._body = data.response
    job._submitted_at = data.submitted_at
    job._completion = job._spec.finish.restore(FollowedJob(job), data.state)
