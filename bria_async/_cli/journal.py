"""Append-only JSON Lines files made durable with fsync, and reading them back after a crash.

Appends from many tasks are grouped (`Grouped`): every pending record goes in one ``write``
and one ``fsync`` (in a thread), and each caller returns once its own record is on disk. A
kill can tear only the last line, which reading skips. The files hold signed job tokens and
result URLs, so they are owner-only (0600) whatever the umask (`private_file`).
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .._json import loads
from .grouped import Grouped

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


class JsonLines:
    """An append-only JSON Lines file; `await append(record)` returns once it is fsynced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] = private_file(path, os.O_APPEND)
        if self._file.tell() and _last_byte(path) != b"\n":
            self._file.write(b"\n")  # end a line torn by a kill, so the next one stands alone
        self._lines: Grouped[bytes, None] = Grouped(self._write_lines)

    async def append(self, record: dict[str, Any]) -> None:
        """Write `record` as one line and wait until it is on disk (see `Grouped`)."""
        line = json.dumps(record, separators=(",", ":"), sort_keys=True).encode() + b"\n"
        await self._lines.put(line)

    async def _write_lines(self, lines: list[bytes]) -> list[None]:
        await asyncio.to_thread(self._write, lines)
        return [None] * len(lines)

    def _write(self, lines: list[bytes]) -> None:
        self._file.write(b"".join(lines))
        self._file.flush()
        os.fsync(self._file.fileno())

    async def aclose(self) -> None:
        """Finish the pending writes and close the file."""
        await self._lines.aclose()
        self._file.close()


def private_file(path: Path, flags: int) -> IO[bytes]:
    """`path` opened for writing (with `flags`, e.g. ``os.O_APPEND``) and readable by its owner
    only: created 0600, and an existing file that others could read is tightened to that."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | _BINARY | flags, 0o600)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
        return os.fdopen(fd, "ab" if flags & os.O_APPEND else "wb")
    except BaseException:
        os.close(fd)
        raise


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1)


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines file written by `JsonLines`; a torn or foreign line is
    skipped (a kill can cut the last one short)."""
    if not path.exists():
        return
    with path.open("rb") as f:
        for raw in f:
            try:
                record = loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record
