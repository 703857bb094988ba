"""The batch journal: concurrent appends all reach the disk; a torn last line is skipped; the
files are owner-only."""

from __future__ import annotations

import asyncio
import stat
import sys
from pathlib import Path

import pytest

from bria_async._cli.journal import JsonLines, read_records


async def test_concurrent_appends_are_all_written_and_read_back(tmp_path: Path) -> None:
    journal = JsonLines(tmp_path / "journal.jsonl")
    await asyncio.gather(*(journal.append({"line": n}) for n in range(200)))
    await journal.aclose()
    assert sorted(r["line"] for r in read_records(tmp_path / "journal.jsonl")) == list(range(200))


async def test_a_line_torn_by_a_kill_is_skipped_and_appending_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b'{"line": 1}\n{"line": 2, "ev')
    journal = JsonLines(path)
    await journal.append({"line": 3})
    await journal.aclose()
    assert [r["line"] for r in read_records(path)] == [1, 3]


def test_a_line_nested_too_deeply_is_skipped_like_a_foreign_one(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    deep = b'{"line": 2, "job": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    path.write_bytes(b'{"line": 1}\n' + deep + b'\n{"line": 3}\n')
    assert [r["line"] for r in read_records(path)] == [1, 3]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.usefixtures("umask_022")
async def test_journal_files_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    new, old = tmp_path / "journal.jsonl", tmp_path / "manifest.jsonl"
    old.write_text('{"line": 1}\n')  # written by an earlier version: 0644
    assert stat.S_IMODE(old.stat().st_mode) == 0o644
    for path in (new, old):
        journal = JsonLines(path)
        await journal.append({"line": 2})
        await journal.aclose()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert [r["line"] for r in read_records(old)] == [1, 2]
