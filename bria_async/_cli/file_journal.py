"""The embedded journal: ``journal.jsonl`` and ``manifest.jsonl`` in the batch's ``--out``.

- ``journal.jsonl``: before each submission a ``submitting`` record, after it a ``submitted``
  record with the job's token (``job.to_dict()``), both fsynced; the token is on disk before
  the job is polled. A restart resumes journaled jobs with ``bria.jobs.resume(token)``. Each
  run whose input has another size than the last one's records it (``opened``).
- ``manifest.jsonl``: one record per image (``saved`` or ``failed``), with the input line,
  parameters, seed, URL, path and error; a later record for the same line and image wins.

A line with a ``submitting`` record and no answer is uncertain: Bria may have accepted it.
One run at a time: the directory is locked while a run uses it. `read_journal` reads both
files back, for a run and for ``batch-status --out``.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from .inputs import InputError, Line
from .journal import JsonLines, read_records
from .owner import FOLDER_BATCH
from .work import Claim, Opened


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on `out` so two runs never share a journal."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        yield
        return
    with (out / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(out, ["another batch run is using this directory"]) from None
        yield


def _images(token: dict[str, Any] | None) -> int:
    """How many images the job of `token` (``Job.to_dict()``) makes: its placeholder URLs,
    kept in the token's ``state``; 0 when not known."""
    state = token.get("state") if token is not None else None
    urls = state.get("urls") if isinstance(state, dict) else None
    return len(urls) if isinstance(urls, list) else 0


@attrs.frozen
class Journaled:
    """What the runs in a folder wrote: per line its parameters, job token, open intent,
    and every image's latest manifest record; `lines` is the input's size as the last run
    recorded it (None for a folder an earlier version wrote)."""

    lines: int | None
    params: dict[int, Any]
    tokens: dict[int, dict[str, Any]]
    #: Lines whose ``submitting`` record has no answer after it.
    intents: set[int]
    #: Lines handed out again with an intent open: Bria may have accepted them twice.
    reopened: set[int]
    #: The latest manifest status and error of each (line, index), in the order first written.
    images: dict[tuple[int, int | None], tuple[str, str | None]]

    def saved(self) -> dict[int, set[int]]:
        """The indices of the saved images of each line."""
        saved: dict[int, set[int]] = {}
        for (number, index), (status, _) in self.images.items():
            if index is not None and status == "saved":
                saved.setdefault(number, set()).add(index)
        return saved

    def expected(self, number: int) -> int:
        """How many images line `number` makes: 0 when no job of it was journaled."""
        return _images(self.tokens.get(number))


def read_journal(out: Path) -> Journaled:
    """Read back ``journal.jsonl`` and ``manifest.jsonl`` in `out` (missing ones are empty)."""
    lines: int | None = None
    params: dict[int, Any] = {}
    tokens: dict[int, dict[str, Any]] = {}
    intents: set[int] = set()
    reopened: set[int] = set()
    for record in read_records(out / "journal.jsonl"):
        number, event = record.get("line"), record.get("event")
        if event == "opened" and isinstance(record.get("lines"), int):
            lines = record["lines"]
        if not isinstance(number, int):
            continue
        params[number] = record.get("params", params.get(number))
        if event == "submitting":
            if number in intents:
                reopened.add(number)
            intents.add(number)
        elif event == "submitted":
            tokens[number] = record["job"]
            intents.discard(number)
        elif event == "refused":
            intents.discard(number)
    images: dict[tuple[int, int | None], tuple[str, str | None]] = {}
    for record in read_records(out / "manifest.jsonl"):
        number, index = record.get("line"), record.get("index")
        if isinstance(number, int) and (index is None or isinstance(index, int)):
            images[number, index] = (str(record.get("status")), record.get("error"))
    return Journaled(lines, params, tokens, intents, reopened, images)


def run_active(out: Path) -> bool:
    """Whether a run holds `out` now (see `_locked`); asked without waiting, and without
    creating the lock file."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return False
    try:
        handle = (out / ".lock").open("rb")
    except FileNotFoundError:
        return False
    with handle:
        try:
            # A shared lock, let go at once: a run starting in this instant could find the
            # folder taken, and says so; nothing is lost.
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


class FileJournal:
    """The JSONL journal of `lines` in `out`; hands out every unfinished line once."""

    recheck = 0.0
    batch = FOLDER_BATCH

    def __init__(self, lines: list[Line], out: Path) -> None:
        self._lines = lines
        self._out = out
        self.manifest = str(out / "manifest.jsonl")
        self._todo: collections.deque[Claim] = collections.deque()
        self._files: list[JsonLines] = []
        self._stack = contextlib.ExitStack()

    async def open(self) -> Opened:
        self._out.mkdir(parents=True, exist_ok=True)
        self._stack.enter_context(_locked(self._out))
        try:
            journaled = self._load()
        except BaseException:
            self._stack.close()
            raise
        saved = journaled.saved()
        done = 0
        todo = []
        for line in self._lines:
            have = saved.get(line.number, set())
            images = journaled.expected(line.number)
            if images and have >= set(range(images)):
                done += 1  # every image saved: nothing to send, whatever became of its URLs
                continue
            token, uncertain = journaled.tokens.get(line.number), line.number in journaled.intents
            todo.append(Claim(line, token, frozenset(have), uncertain))
        todo.sort(key=lambda claim: not claim.uncertain)  # uncertain first: named together
        self._todo.extend(todo)
        self._journal = JsonLines(self._out / "journal.jsonl")
        self._manifest = JsonLines(self._out / "manifest.jsonl")
        self._files = [self._journal, self._manifest]
        if journaled.lines != len(self._lines):  # the input's size, for batch-status
            await self._journal.append({"event": "opened", "lines": len(self._lines)})
        return Opened(len(self._lines), done)

    def _load(self) -> Journaled:
        """What earlier runs did; InputError if the input changed since."""
        journaled = read_journal(self._out)
        current = {line.number: line.params for line in self._lines}
        changed = [
            f"line {n}: journaled as {params!r}, now {current.get(n)!r}"
            for n, params in sorted(journaled.params.items())
            if current.get(n) != params
        ]
        if changed:
            raise InputError(
                self._out / "journal.jsonl",
                [
                    "the input changed since this folder's journal was written: a folder holds "
                    "one batch; give another input another --out, or run this folder's input "
                    "again to resume it",
                    *changed,
                ],
            )
        return journaled

    async def claim(self, limit: int) -> list[Claim] | None:
        if not self._todo:
            return None
        return [self._todo.popleft() for _ in range(min(limit, len(self._todo)))]

    async def submitting(self, line: Line) -> None:
        await self._journal.append(
            {"line": line.number, "event": "submitting", "params": line.params}
        )

    async def submitted(self, line: Line, token: dict[str, Any]) -> None:
        await self._journal.append(
            {"line": line.number, "event": "submitted", "params": line.params, "job": token}
        )

    async def refused(self, line: Line, error: str) -> None:
        await self._journal.append({"line": line.number, "event": "refused", "error": error})

    async def record(self, record: dict[str, Any]) -> None:
        await self._manifest.append(record)

    async def finish(self, line: Line, error: str | None) -> None:
        """Nothing to add: the manifest records already say how the line ended."""

    async def close(self) -> None:
        with self._stack:
            for file in self._files:
                await file.aclose()
