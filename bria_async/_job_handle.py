"""The narrow handle a completion strategy gets on its job (`_followed.Followed`), and the
completion of a job whose answer was its result."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._completion import Completion
from ._job_state import JobState, JobStatus

if TYPE_CHECKING:
    from ._runtime import Runtime


class FollowedJob:
    """A job as its completion strategy sees it (`_followed.Followed`): the submission,
    and the four ways to report (complete, fail, stall, progress)."""

    __slots__ = ("_job",)

    def __init__(self, job: JobState[Any]) -> None:
        self._job = job

    @property
    def id(self) -> str:
        return self._job.id

    @property
    def kind(self) -> str:
        return self._job._spec.kind

    @property
    def context(self) -> Mapping[str, Any]:
        return self._job._context

    @property
    def body(self) -> Any:
        return self._job._body

    @property
    def http_status(self) -> int | None:
        return self._job._http_status

    @property
    def submitted_at(self) -> float:
        submitted = self._job._submitted_at
        return submitted if submitted is not None else time.time()

    @property
    def runtime(self) -> Runtime:
        return self._job._runtime

    def complete(self, body: Any = None, http_status: int | None = None) -> None:
        self._job._complete(body, http_status)

    def fail(self, error: BaseException) -> None:
        self._job._fail(error)

    def stall(self) -> None:
        self._job._stall()

    def progress(self) -> bool:
        job = self._job
        if not job._parse_early():
            return False
        job._notify()
        return True

    def succeeded(self) -> bool:
        return self._job._status is JobStatus.DONE


class Answered(Completion):
    """The completion of a job whose answer was its result: nothing to follow."""

    def __init__(self) -> None:
        pass


#: Shared by every job a Direct route answered.
ANSWERED = Answered()
