"""What the batch runner asks of a journal, so one runner works with the JSONL journal in
``--out`` and the PostgreSQL journal many workers share.

A journal hands out lines as `Claim`s (with the job token and saved images of earlier runs),
and is told each step of a line before the runner moves on: the intent before the POST, the
token right after it, every image's outcome, and the line's end.
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from .inputs import Line


@attrs.frozen
class Claim:
    """A line this worker now runs; `token` resumes a job an earlier run submitted, `saved`
    are the images already saved, `uncertain` says an earlier submission may have been
    accepted without its answer being journaled."""

    line: Line
    token: dict[str, Any] | None = None
    saved: frozenset[int] = frozenset()
    uncertain: bool = False


@attrs.frozen
class Opened:
    """The batch as a journal found it: how many lines it has and how many were done."""

    lines: int
    done: int


class JournalError(Exception):
    """The journal cannot be used (unreachable, or a schema newer than this version)."""


class LeaseLost(Exception):
    """Another worker took the line over (this worker's lease on it ended)."""


class Journal(Protocol):
    """Where a batch keeps its state; every method returns once the step is durable."""

    #: Where every outcome can be read, for the summary.
    manifest: str
    #: The batch in messages, and as the owner of ``--out`` (see `owner.claim_folder`).
    batch: str
    #: Seconds to wait before asking again when `claim` had nothing to hand out yet.
    recheck: float

    async def open(self) -> Opened:
        """Make the journal ready (load the input, read earlier runs)."""

    async def claim(self, limit: int) -> list[Claim] | None:
        """Up to `limit` lines to run; [] when others still hold the remaining lines (ask
        again after `recheck`), None when no line is left for this worker."""

    async def submitting(self, line: Line) -> None:
        """The intent, before the POST."""

    async def submitted(self, line: Line, token: dict[str, Any]) -> None:
        """The job's token, right after the POST was answered."""

    async def refused(self, line: Line, error: str) -> None:
        """The server answered the POST with a refusal: nothing was accepted."""

    async def record(self, record: dict[str, Any]) -> None:
        """One image's outcome (or the line's, with index None): a manifest record."""

    async def finish(self, line: Line, error: str | None) -> None:
        """The line ended: every image saved (`error` None) or not."""

    async def close(self) -> None:
        """Finish pending writes and give back the lines this worker still holds."""
