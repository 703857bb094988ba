"""Downloads of result URLs, saved to disk (through `_files`) safely and concurrently.

Storage hosts never get the API token. A download is bounded by `max_download_bytes`, goes
through the client's one retry policy (retrying within the job timeout, like a job's
submission), and must begin like a file the API makes: a 200 with an HTML page is an error,
not an image. `save()` streams it into a part file, linked under a new name once complete.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import anyio

from ._bodies import Body
from ._errors import APIResponseValidationError
from ._files import HEAD, PartFile, extension_for, prepare, safe_stem
from ._request import Deadline
from ._settings import Settings
from ._transport import Transport, request_id_of


async def _copy_result(body: Body, write: Callable[[bytes], Awaitable[None]]) -> str:
    """Copy a downloaded result to `write` once its first bytes show a file the API makes;
    its extension. APIResponseValidationError (naming the URL and what came) otherwise."""
    head = b""
    while len(head) < HEAD and (chunk := await body.read()):
        head += chunk
    ext = extension_for(head)
    if ext == ".bin":
        raise APIResponseValidationError(
            "the result is not an image or a file the API makes",
            method="GET",
            url=body.url,
            status=body.status,
            request_id=request_id_of(body.headers),
            excerpt=f"{body.headers.get('Content-Type', 'no Content-Type')}, {head[:40]!r}",
        )
    await write(head)
    while chunk := await body.read():
        await write(chunk)
    return ext


class Storage:
    """Reads result URLs and saves their bytes to a directory, bounded and checked."""

    def __init__(self, transport: Transport, settings: Settings) -> None:
        self._transport = transport
        self._settings = settings

    async def read(self, url: str) -> bytes:
        """The bytes at a result URL; raises the typed error with the URL if it fails."""
        chunks: list[bytes] = []

        async def keep(chunk: bytes) -> None:
            chunks.append(chunk)

        async def consume(body: Body) -> None:
            chunks.clear()
            await _copy_result(body, keep)

        await self._transport.download(url, consume, deadline=self._deadline())
        return b"".join(chunks)

    def _deadline(self) -> Deadline:
        return Deadline.after(self._settings.polling.job_timeout)

    async def save(
        self, items: Sequence[tuple[str, str]], directory: str | os.PathLike[str]
    ) -> list[Path]:
        """Download each (url, stem) concurrently into `directory`; the paths, in order."""
        target = await prepare(directory)
        limit = asyncio.Semaphore(self._settings.download_concurrency)

        async def one(url: str, stem: str) -> Path:
            async with limit:
                part = await anyio.to_thread.run_sync(PartFile, target)
                try:
                    ext = ""

                    async def consume(body: Body) -> None:
                        nonlocal ext
                        await part.restart()
                        ext = await _copy_result(body, part.write)

                    await self._transport.download(url, consume, deadline=self._deadline())
                    return await part.link(target, safe_stem(stem), ext)
                finally:
                    part.discard()

        return list(await asyncio.gather(*(one(url, stem) for url, stem in items)))
