"""A Job's state machine: where it stands, and what its completion reports change.

The life cycle, one status at a time::

    PENDING --send--> SUBMITTED --completion starts--> RUNNING --> DONE
       |                  |                             |  ^  \\-> FAILED / CANCELLED
       |                  \\--(answer is the result)--> DONE |
       \\-- the send fails --> FAILED          window ends v  | awaited again: rearm()
                                                        STALLED

`JobState` holds the status and the answer and moves between them (complete, fail, stall,
progress: what `_job_handle.FollowedJob` lets a completion strategy call). Sending and
waiting, what users call, are `_jobs.Job`'s, built on it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._direct import new_id, parse
from ._errors import APIResponseValidationError, JobCancelledError, JobTimeoutError
from ._events import emit, job_event
from .types._download import ResultContext

if TYPE_CHECKING:
    from ._completion import Completion
    from ._request import Call
    from ._runtime import Runtime
    from ._specs import JobSpec

R = TypeVar("R", covariant=True)


class JobStatus(str, enum.Enum):
    """Where a Job stands. STALLED: its polling window ended; awaiting it polls again."""

    PENDING = "pending"
    SUBMITTED = "submitted"
    RUNNING = "running"
    STALLED = "stalled"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})


class JobState(Generic[R]):
    """One job's status, answer and result, and the changes its completion reports."""

    # Where every Job starts: class attributes (immutable values), not set per instance, as
    # a batch makes thousands of Jobs and a direct call pays for each assignment.
    _status = JobStatus.PENDING
    _http_status: int | None = None
    _body: Any = None
    _submitted_at: float | None = None
    _completion: Completion | None = None
    _started = False
    _window_opened = 0.0
    _send_task: asyncio.Task[None] | None = None
    _changed: asyncio.Future[None] | None = None
    _parsed = False
    _result: R | None = None
    _error: BaseException | None = None
    _stalled: JobTimeoutError | None = None

    def __init__(
        self,
        runtime: Runtime,
        spec: JobSpec[R],
        call: Call | None,
        context: Mapping[str, Any] | None = None,
        *,
        job_id: str | None = None,
    ) -> None:
        self._runtime = runtime
        self._spec = spec
        self._call = call
        self._context: Mapping[str, Any] = dict(context) if context else {}
        self.id = job_id or new_id()
        self._send_waiters: list[asyncio.Future[None]] = []

    def _parse_early(self) -> bool:
        """Parse the answer before the images are ready (for `as_completed`); False if the
        job failed because the answer could not be parsed."""
        if not self._parsed:
            try:
                self._result = parse(
                    self._spec, self._body, self._result_context(), self._http_status
                )
            except APIResponseValidationError as error:
                self._fail(error)
                return False
            self._parsed = True
        return True

    def _complete(self, body: Any = None, http_status: int | None = None) -> None:
        """The job's result is here: `body` (when given) replaces the submission's answer."""
        if self._status in FINAL:
            return
        if body is not None:
            self._body, self._parsed = body, False
        if http_status is not None:
            self._http_status = http_status
        if self._parse_early():
            self._set_status(JobStatus.DONE)
            self._notify()

    def _stall(self) -> None:
        """The completion's window ended: the job waits to be awaited again."""
        if self._status in FINAL or self._status is JobStatus.STALLED:
            return
        self._stalled = self._timeout_error(time.monotonic() - self._window_opened)
        self._set_status(JobStatus.STALLED)
        self._notify()

    def _fail(self, error: BaseException) -> None:
        if self._status in FINAL:
            return
        self._error = error
        self._stalled = None
        self._set_status(
            JobStatus.CANCELLED if isinstance(error, JobCancelledError) else JobStatus.FAILED
        )
        if self._completion is not None:
            self._completion.cancel()
        self._notify()

    def _notify(self) -> None:
        """Wake whoever waits for the job's next change."""
        changed, self._changed = self._changed, None
        if changed is not None and not changed.done():
            changed.set_result(None)

    def _set_status(self, status: JobStatus) -> None:
        self._status = status
        hook = self._runtime.hooks.on_job
        if hook is not None:
            error = self._error if self._error is not None else self._stalled
            emit(
                hook,
                job_event(
                    self.id,
                    self._spec.kind,
                    status.value,
                    self._context,
                    self._result if status is JobStatus.DONE else None,
                    error,
                    self._call.json if self._call is not None else None,
                ),
            )

    def _timeout_error(self, waited: float, *, submitting: bool = False) -> JobTimeoutError:
        """The error for a wait that ended first: the URLs still pending, or else what the
        job is still waiting for (its submission, a 205 info route, a training's status)."""
        completion = self._completion
        kind = self._spec.kind
        if submitting or completion is None:
            waiting_for = f"its submission ({kind})"
        else:
            waiting_for = f"{kind}, {completion.waiting_for}"
        pending = completion.pending_urls if completion is not None else ()
        return JobTimeoutError(
            job_id=self.id, pending_urls=pending, waited=waited, waiting_for=waiting_for
        )

    def _submitted_time(self) -> dt.datetime | None:
        if self._submitted_at is None:
            return None
        # tz positionally: the keyword costs datetime more than the conversion itself
        return dt.datetime.fromtimestamp(self._submitted_at, dt.timezone.utc)

    def _result_context(self) -> ResultContext:
        # job_id, submitted_at, context, downloader: positionally, as keywords would cost the
        # call of a class a dict (one is made per result)
        return ResultContext(
            self.id,
            self._submitted_time() or dt.datetime.now(dt.timezone.utc),
            self._context,
            self._runtime.storage,
        )
