"""What a completion strategy sees of the job it follows: a narrow interface (read the
submission, then complete, fail, stall or report progress), never the Job's own state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._runtime import Runtime


class Followed(Protocol):
    """One job, as its completion strategy talks to it."""

    @property
    def id(self) -> str: ...

    @property
    def kind(self) -> str:
        """The route, as poll times are learned per route."""
        ...

    @property
    def context(self) -> Mapping[str, Any]:
        """The request's validated ids and flags (``sync``, ``visual_id``, ...)."""
        ...

    @property
    def body(self) -> Any:
        """The submission's answer."""
        ...

    @property
    def http_status(self) -> int | None: ...

    @property
    def submitted_at(self) -> float:
        """When the job was submitted (epoch seconds; now if not yet)."""
        ...

    @property
    def runtime(self) -> Runtime:
        """The client's working parts: poller, transport, settings."""
        ...

    def complete(self, body: Any = None, http_status: int | None = None) -> None:
        """The result is here: `body` (when given) replaces the submission's answer."""

    def fail(self, error: BaseException) -> None:
        """The job failed with `error`."""

    def stall(self) -> None:
        """The strategy's window ended: the job waits to be awaited again."""

    def progress(self) -> bool:
        """Some images are ready: parse the answer (once) and wake the job's waiters;
        False if the job failed because its answer could not be parsed."""

    def succeeded(self) -> bool:
        """Whether the job is done with its result (not failed or cancelled)."""
