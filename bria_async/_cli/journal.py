"""Append-only JSON Lines files made durable with fsync, and reading them back after a crash.

Appends from many tasks are grouped: whoever finds no write in progress writes every pending
record in one ``write`` and one ``fsync`` (in a thread), and each caller returns once its own
record is on disk. A kill can tear only the last line, which reading skips.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


class JsonLines:
    """An append-only JSON Lines file; `await append(record)` returns once it is fsynced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] = path.open("ab")
        if self._file.tell() and _last_byte(path) != b"\n":
            self._file.write(b"\n")  # end a line torn by a kill, so the next one stands alone
        self._pending: list[tuple[bytes, asyncio.Future[None]]] = []
        self._drain: asyncio.Task[None] | None = None

    async def append(self, record: dict[str, Any]) -> None:
        """Write `record` as one line and wait until it is on disk.

        A caller cancelled while waiting still gets its line written: the writing task is
        not the caller's.
        """
        line = json.dumps(record, separators=(",", ":"), sort_keys=True).encode() + b"\n"
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((line, done))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.get_running_loop().create_task(self._write_pending())
        await done

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await asyncio.to_thread(self._write, [line for line, _ in batch])
            except Exception as exc:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            for _, fut in batch:
                if not fut.done():
                    fut.set_result(None)

    def _write(self, lines: list[bytes]) -> None:
        self._file.write(b"".join(lines))
        self._file.flush()
        os.fsync(self._file.fileno())

    async def aclose(self) -> None:
        """Finish the pending writes and close the file."""
        if self._drain is not None:
            await asyncio.shield(self._drain)
        self._file.close()


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
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record
