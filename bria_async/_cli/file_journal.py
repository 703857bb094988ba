"""The embedded journal: ``journal.jsonl`` and ``manifest.jsonl`` in the batch's ``--out``.

- ``journal.jsonl``: before each submission a ``submitting`` record, after it a ``submitted``
  record with the job's token (``job.to_dict()``), both fsynced; the token is on disk before
  the job is polled. A restart resumes journaled jobs with ``bria.jobs.resume(token)``.
- ``manifest.jsonl``: one record per image (``saved`` or ``failed``), with the input line,
  parameters, seed, URL, path and error; a later record for the same line and image wins.

A line with a ``submitting`` record and no answer is uncertain: Bria may have accepted it.
One run at a time: the directory is locked while a run uses it.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
            tokens, saved, uncertain = self._load()
        except BaseException:
            self._stack.close()
            raise
        done = 0
        todo = []
        for line in self._lines:
            token = tokens.get(line.number)
            have = saved.get(line.number, set())
            images = _images(token)
            if images and have >= set(range(images)):
                done += 1  # every image saved: nothing to send, whatever became of its URLs
                continue
            todo.append(Claim(line, token, frozenset(have), line.number in uncertain))
        todo.sort(key=lambda claim: not claim.uncertain)  # uncertain first: named together
        self._todo.extend(todo)
        self._journal = JsonLines(self._out / "journal.jsonl")
        self._manifest = JsonLines(self._out / "manifest.jsonl")
        self._files = [self._journal, self._manifest]
        return Opened(len(self._lines), done)

    def _load(self) -> tuple[dict[int, dict[str, Any]], dict[int, set[int]], set[int]]:
        """What earlier runs did: tokens, saved images and uncertain lines."""
        intents: set[int] = set()
        tokens: dict[int, dict[str, Any]] = {}
        saved: dict[int, set[int]] = {}
        journaled: dict[int, Any] = {}
        for record in read_records(self._out / "journal.jsonl"):
            number, event = record.get("line"), record.get("event")
            if not isinstance(number, int):
                continue
            journaled[number] = record.get("params", journaled.get(number))
            if event == "submitting":
                intents.add(number)
            elif event == "submitted":
                tokens[number] = record["job"]
                intents.discard(number)
            elif event == "refused":
                intents.discard(number)
        for record in read_records(self._out / "manifest.jsonl"):
            number, index = record.get("line"), record.get("index")
            if isinstance(number, int) and isinstance(index, int):
                if record.get("status") == "saved":
                    saved.setdefault(number, set()).add(index)
                else:
                    saved.get(number, set()).discard(index)
        current = {line.number: line.params for line in self._lines}
        changed = [
            f"line {n}: journaled as {params!r}, now {current.get(n)!r}"
            for n, params in sorted(journaled.items())
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
        return tokens, saved, intents

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
