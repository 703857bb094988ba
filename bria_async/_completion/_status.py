"""v2: a job's status read from ``/v2/status/{request_id}`` on the poller until it is
final, or delivered first by its webhook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import APIResponseValidationError, BriaError, JobFailedError, ValidationError
from .._validation import require_bool, require_id
from .._watches import StatusWatch, watch_status
from ..types.v2 import V2Status, parse_status
from ._base import Completion, Failed

if TYPE_CHECKING:
    from .._followed import Followed


@attrs.frozen
class StatusURL:
    """v2: the answer (202) is ``{request_id, status_url}``; ``GET /v2/status/{request_id}``
    is read once per job, first near the route's learned ready time, then with backoff, until
    it is final, or a webhook delivered the status first (`bria.jobs.deliver`). The status
    path is rebuilt from the checked request id under the client's v2 base URL: the answer's
    `status_url` host is never called. A ``sync=true`` answer (200) is the result."""

    def begin(self, job: Followed, http_status: int) -> Completion:
        if job.context.get("sync"):
            return Completion(job)
        body = job.body
        try:
            request_id = require_id("request_id", body["request_id"])
        except (KeyError, TypeError, ValidationError) as exc:
            return Failed(
                job,
                APIResponseValidationError(
                    f"the answer has no valid request_id ({exc})",
                    job_id=job.id,
                    status=http_status,
                    excerpt=repr(body)[:200],
                ),
            )
        return _StatusCompletion(job, request_id)

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        if require_bool("sync", job.context.get("sync", False)):
            return Completion(job)
        require_bool("webhook", job.context.get("webhook", False))
        return _StatusCompletion(job, require_id("request_id", state.get("request_id")))

    def not_final(self, error: BriaError) -> bool:
        return False


class _StatusCompletion(Completion):
    """Reads one v2 job's status on the shared poller; a delivered webhook settles it too."""

    waiting_for = "whose v2 status is not final yet"

    def __init__(self, job: Followed, request_id: str) -> None:
        super().__init__(job)
        self.request_id = request_id
        self._watch: StatusWatch | None = None

    def state(self) -> dict[str, Any]:
        return {"request_id": self.request_id}

    def start(self) -> None:
        runtime = self._job.runtime
        runtime.v2_jobs[self.request_id] = self
        early = runtime.early_events.pop(self.request_id, None)
        if early is None or not self.deliver(early):
            self.rearm()

    def rearm(self) -> None:
        if self._watch is not None and not self._watch.cancelled:
            return
        job = self._job
        grace = job.runtime.settings.polling.webhook_grace if job.context.get("webhook") else None
        self._watch = watch_status(job, self.request_id, self.deliver, not_before=grace)

    def cancel(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        registry = self._job.runtime.v2_jobs
        if registry.get(self.request_id) is self:
            del registry[self.request_id]

    def deliver(self, body: Any) -> bool:
        """Settle the job with a status `body` (read or delivered); True if it was final."""
        job = self._job
        try:
            event = parse_status(body)
        except (KeyError, TypeError, ValueError) as exc:
            job.fail(
                APIResponseValidationError(
                    f"unexpected v2 status ({exc})", job_id=job.id, excerpt=repr(body)[:200]
                )
            )
            return True
        if event.request_id != self.request_id:
            return False
        if event.status is V2Status.COMPLETED:
            self.cancel()
            job.complete(event.body)
            return True
        if event.error is not None:
            error = event.error
            job.fail(
                JobFailedError(error.message, job_id=job.id, code=error.code, details=error.details)
            )
            return True
        return False
