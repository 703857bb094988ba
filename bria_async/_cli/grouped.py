"""Writes from many tasks made durable together: whoever finds no group being written starts
one, and every item queued meanwhile goes into the next group (one fsync, one commit).

Each caller gets its own item's result once its group is written; a caller cancelled while
waiting still has its item written (the writing task is not the caller's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Grouped(Generic[T, R]):
    """`await put(item)`: `item` written by `write(group)` with the items queued beside it;
    `write` returns one result per item, in order."""

    def __init__(self, write: Callable[[list[T]], Awaitable[list[R]]]) -> None:
        self._write = write
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._drain: asyncio.Task[None] | None = None

    async def put(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[R] = loop.create_future()
        self._pending.append((item, done))
        if self._drain is None or self._drain.done():
            self._drain = loop.create_task(self._write_pending())
        return await done

    async def _write_pending(self) -> None:
        while self._pending:
            group, self._pending = self._pending, []
            try:
                results = await self._write([item for item, _ in group])
            except Exception as exc:
                for _, done in group:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (_, done), result in zip(group, results, strict=True):
                if not done.done():
                    done.set_result(result)

    async def aclose(self) -> None:
        """Wait until the items queued so far are written."""
        if self._drain is not None:
            await asyncio.shield(self._drain)
