"""The completion base (also the Direct strategy), the Plan a route names, and a completion
that fails its job as it starts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from .._errors import BriaError

if TYPE_CHECKING:
    from .._followed import Followed


class Completion:
    """One Job's way to its result once submitted; the base is also the Direct strategy."""

    #: What the job waits for when no placeholder URL is pending, said after its kind
    #: (for JobTimeoutError).
    waiting_for = "whose answer is not parsed yet"

    def __init__(self, job: Followed) -> None:
        self._job = job

    def start(self) -> None:
        """Begin following the job: the Direct answer is the result at once. Nothing is left
        to follow, so this lets go of the job: no Job <-> Completion cycle is left for the
        garbage collector, and a finished job is freed as soon as nobody holds it."""
        job = self._job
        del self._job
        job.complete()

    def rearm(self) -> None:
        """Follow the job again for a new window, after the last one ended."""

    def cancel(self) -> None:
        """Stop every poller entry of this job; nothing more will be reported."""

    @property
    def pending_urls(self) -> tuple[str, ...]:
        return ()

    def ready_images(self) -> Sequence[bool] | None:
        """Which images are ready before the job is done, or None if they come all at once."""
        return None

    def state(self) -> dict[str, Any]:
        """What a token must keep to resume this completion (see `Plan.restore`)."""
        return {}


class Plan(Protocol):
    """A route's way of finishing its Jobs, named by its JobSpec."""

    def begin(self, job: Followed, http_status: int) -> Completion:
        """The completion for `job`, whose submission answered `http_status`."""

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        """The completion for a job resumed from its token's `state`; raises ValueError,
        TypeError or ValidationError when the state or the job's context is not valid."""

    def not_final(self, error: BriaError) -> bool:
        """True if `error`, answered to the submission, means "call again" rather than fail."""


@attrs.frozen
class Direct:
    """The answer is the result: nothing to wait for."""

    def begin(self, job: Followed, http_status: int) -> Completion:
        return Completion(job)

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        return Completion(job)

    def not_final(self, error: BriaError) -> bool:
        return False


class Failed(Completion):
    """The answer cannot be followed: the job fails as it starts."""

    def __init__(self, job: Followed, error: BaseException) -> None:
        super().__init__(job)
        self._error = error

    def start(self) -> None:
        self._job.fail(self._error)
