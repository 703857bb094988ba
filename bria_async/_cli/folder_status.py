"""`bria-async batch-status --out DIR`: where the batch journaled in a folder stands, read back
from its ``journal.jsonl`` and ``manifest.jsonl`` (see `file_journal`), and its manifest
exported as a PostgreSQL journal's is: the latest record per image, in line and image order."""

from __future__ import annotations

import collections
import os
from pathlib import Path
from typing import Any

from .._json import loads
from .file_journal import Journaled, read_journal, run_active
from .journal import private_file
from .owner import FOLDER_BATCH, folder_owner
from .status_report import StatusReport, export_line

STATES = ("pending", "submitting", "submitted", "done", "failed")


class NoJournal(Exception):
    """The folder holds no journal of a batch run without ``--journal``."""


def describe(out: Path) -> StatusReport:
    """The state of the batch in `out` (NoJournal when it has none)."""
    _check(out)
    journaled = read_journal(out)
    active = run_active(out)
    failures = _failures(journaled)
    saved = journaled.saved()
    states: collections.Counter[str] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    numbers = set(journaled.params) | {number for number, _ in journaled.images}
    for number in numbers:
        expected = journaled.expected(number)
        if expected and saved.get(number, set()) >= set(range(expected)):
            states["done"] += 1
        elif number in failures:
            states["failed"] += 1
            errors[failures[number]] += 1
        elif number in journaled.tokens:
            states["submitted"] += 1
        elif number in journaled.intents:
            states["submitting"] += 1
        else:
            states["pending"] += 1
    names: tuple[str, ...] = STATES
    if journaled.lines is None:
        lines = f"{len(numbers)} lines journaled (the input's count is not recorded)"
        names = STATES[1:]
    else:
        lines = f"{journaled.lines} lines"
        states["pending"] += max(0, journaled.lines - len(numbers))
    uncertain = journaled.reopened | (set() if active else journaled.intents)
    return StatusReport(
        title=f"batch in {out}",
        lines=lines,
        states=[(state, states[state]) for state in names],
        errors=sorted(errors.items(), key=lambda item: (-item[1], item[0])),
        uncertain=sorted(uncertain),
        stopped="run",
        note="a run is using this folder now: its submitting lines are in flight"
        if active
        else None,
    )


def _failures(journaled: Journaled) -> dict[int, str]:
    """Each failed line's first error still standing: an image whose latest record failed,
    or the line itself when no job of it was journaled."""
    failures: dict[int, str] = {}
    for (number, index), (status, error) in journaled.images.items():
        if status == "failed" and (index is not None or number not in journaled.tokens):
            failures.setdefault(number, error or "unknown error")
    return failures


def export(out: Path, path: Path) -> int:
    """Write the latest record of every image of the batch in `out` to `path` (owner-only),
    in line and image order; the number written."""
    _check(out)
    manifest = out / "manifest.jsonl"
    if path.resolve() in {manifest.resolve(), (out / "journal.jsonl").resolve()}:
        raise ValueError(f"--export {path} would overwrite the folder's own journal")
    latest: dict[tuple[int, int], int] = {}  # (line, index or -1) -> offset of its record
    with manifest.open("rb") as file:
        while raw := file.readline():
            record = _record(raw)
            if record is not None:
                index = record["index"]
                latest[record["line"], -1 if index is None else index] = file.tell() - len(raw)
        written = 0
        with private_file(path, os.O_TRUNC) as target:  # it holds result URLs: owner-only
            for key in sorted(latest):
                file.seek(latest[key])
                record = _record(file.readline())
                if record is not None:  # it was a moment ago: the file is only appended to
                    target.write(export_line(record))
                    written += 1
    return written


def _record(raw: bytes) -> dict[str, Any] | None:
    """A manifest record with an int line and an int or null index, or None."""
    try:
        record = loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("line"), int):
        return None
    index = record.get("index")
    return record if index is None or isinstance(index, int) else None


def _check(out: Path) -> None:
    if (out / "journal.jsonl").exists():
        return
    owner = folder_owner(out)
    if owner is None or owner == FOLDER_BATCH:
        raise NoJournal(f"no batch journal in {out} (journal.jsonl): is it the batch's --out?")
    raise NoJournal(
        f"{out} belongs to {owner}, whose journal is in PostgreSQL: "
        "ask it with bria-async batch-status --journal URL --batch-id NAME"
    )
