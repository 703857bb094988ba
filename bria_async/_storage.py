"""Downloads of result URLs and saving them to disk, safely and concurrently.

Storage hosts never get the API token. File names are built here, from a sanitised stem and
the type read from the bytes, never from a path the server sent, so nothing a server says can
make the SDK write outside the directory it was given; existing files are never overwritten.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import anyio

from ._errors import APIConnectionError, APIStatusError
from ._retry import Deadline, backoff_delay
from ._settings import Settings
from ._transport import Transport, status_error

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"8BPS", ".psd"),
    (b"PK\x03\x04", ".zip"),
    (b"GIF8", ".gif"),
)


def extension_for(data: bytes) -> str:
    """The file extension for `data`, read from its first bytes (".bin" when unknown)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    for signature, ext in _SIGNATURES:
        if data.startswith(signature):
            return ext
    return ".bin"


def safe_stem(name: str) -> str:
    """A file stem made only of letters, digits, dot, dash and underscore, never hidden."""
    stem = _UNSAFE.sub("_", name).strip("._") or "image"
    return stem[:100]


def _write_new(directory: Path, stem: str, ext: str, data: bytes) -> Path:
    """Write `data` to a new file in `directory`, adding -1, -2, ... until the name is free.

    The bytes go to a hidden temporary file first, which is then hard-linked under its final
    name (failing, never replacing, if that name exists): a crash leaves no partial image.
    """
    fd, temporary = tempfile.mkstemp(prefix=".bria-", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        for n in range(10_000):
            name = f"{stem}{'' if n == 0 else f'-{n}'}{ext}"
            path = directory / name
            if path.resolve().parent != directory:
                raise ValueError(f"refusing to write {name!r} outside {directory}")
            try:
                os.link(temporary, path)
            except FileExistsError:
                continue
            return path
        raise FileExistsError(f"no free file name for {stem}{ext} in {directory}")
    finally:
        os.unlink(temporary)


async def _prepare(directory: str | os.PathLike[str]) -> Path:
    """`directory`, created if needed, as an absolute path without symlinks."""
    target = Path(directory)
    await anyio.Path(target).mkdir(parents=True, exist_ok=True)
    return Path(await anyio.Path(target).resolve())


async def write_files(
    items: Sequence[tuple[bytes, str]], directory: str | os.PathLike[str]
) -> list[Path]:
    """Write each (data, stem) into `directory` as new files with safe names; the paths."""
    target = await _prepare(directory)
    return [
        await anyio.to_thread.run_sync(_write_new, target, safe_stem(stem), extension_for(data),
                                       data)
        for data, stem in items
    ]


class Storage:
    """Reads result URLs (with retries on 5xx) and saves their bytes to a directory."""

    def __init__(self, transport: Transport, settings: Settings) -> None:
        self._transport = transport
        self._settings = settings
        self._rng = random.Random()

    async def read(self, url: str) -> bytes:
        """The bytes at a result URL; raises the typed error with the URL if it fails."""
        retries = self._settings.retries
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._transport.fetch(
                    url, kind="download", deadline=Deadline(None)
                )
            except APIConnectionError:
                if attempt >= retries.max_attempts:
                    raise
            else:
                if response.status == 200 and response.body:
                    return response.body
                error: APIStatusError = status_error(response)
                if response.status < 500 and response.status != 429:
                    raise error
                if attempt >= retries.max_attempts:
                    raise error
            await asyncio.sleep(backoff_delay(attempt, retries, self._rng))

    async def save(
        self, items: Sequence[tuple[str, str]], directory: str | os.PathLike[str]
    ) -> list[Path]:
        """Download each (url, stem) concurrently into `directory`; the paths, in order."""
        target = await _prepare(directory)
        limit = asyncio.Semaphore(self._settings.download_concurrency)

        async def one(url: str, stem: str) -> Path:
            async with limit:
                data = await self.read(url)
            return await anyio.to_thread.run_sync(
                _write_new, target, safe_stem(stem), extension_for(data), data
            )

        return list(await asyncio.gather(*(one(url, stem) for url, stem in items)))
