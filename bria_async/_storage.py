"""Downloads of result URLs and saving them to disk, safely and concurrently.

Storage hosts never get the API token. A download is bounded by `max_download_bytes`, goes
through the client's one retry policy (retrying within the job timeout, like a job's
submission), and must begin like a file the API makes: a 200 with an HTML page is an error,
not an image. `save()` streams it into a hidden temporary file in the target directory.
File names are built here, from a sanitised stem and the type read from the bytes, never
from a path the server sent, so nothing a server says can make the SDK write outside the
directory it was given; existing files are never overwritten.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import anyio

from ._errors import APIResponseValidationError
from ._retry import Deadline
from ._settings import Settings
from ._transport import Body, Transport, request_id_of

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: What the files the API makes begin with: (offset, bytes) pairs per extension.
_SIGNATURES: tuple[tuple[str, tuple[tuple[int, bytes], ...]], ...] = (
    (".png", ((0, b"\x89PNG\r\n\x1a\n"),)),
    (".jpg", ((0, b"\xff\xd8\xff"),)),
    (".webp", ((0, b"RIFF"), (8, b"WEBP"))),
    (".psd", ((0, b"8BPS"),)),
    (".zip", ((0, b"PK\x03\x04"),)),
    (".gif", ((0, b"GIF8"),)),
)
_HEAD = 12  # every signature fits in the first 12 bytes
_BLOCK = 2**20  # a download is written to disk in blocks of about this size


def _matches(data: bytes, parts: tuple[tuple[int, bytes], ...], *, whole: bool) -> bool:
    for offset, magic in parts:
        seen = data[offset:offset + len(magic)]
        if seen != (magic if whole else magic[:len(seen)]):
            return False
    return True


def extension_for(data: bytes) -> str:
    """The file extension for `data`, read from its first bytes (".bin" when unknown)."""
    return next((ext for ext, parts in _SIGNATURES if _matches(data, parts, whole=True)),
                ".bin")


def could_be_result(head: bytes) -> bool:
    """Whether `head`, the first bytes of a body (a single one after a Range probe), can
    begin a file the API makes (PNG, JPEG, WEBP, PSD, zip, GIF); an HTML page cannot."""
    return bool(head) and any(_matches(head, parts, whole=False) for _, parts in _SIGNATURES)


def safe_stem(name: str) -> str:
    """A file stem made only of letters, digits, dot, dash and underscore, never hidden."""
    stem = _UNSAFE.sub("_", name).strip("._") or "image"
    return stem[:100]


def _new_part(directory: Path) -> tuple[int, str]:
    """A new hidden temporary file in `directory`, open for writing: (fd, path)."""
    return tempfile.mkstemp(prefix=".bria-", suffix=".part", dir=directory)


def _link_new(directory: Path, stem: str, ext: str, temporary: str) -> Path:
    """Hard-link the written `temporary` into `directory` as a new file, adding -1, -2, ...
    until the name is free (failing, never replacing, if a name exists): a crash leaves no
    partial image."""
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


def _write_new(directory: Path, stem: str, ext: str, data: bytes) -> Path:
    """Write `data` to a new file in `directory` (see `_link_new`)."""
    fd, temporary = _new_part(directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return _link_new(directory, stem, ext, temporary)
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


async def _copy_result(body: Body, write: Callable[[bytes], Awaitable[None]]) -> str:
    """Copy a downloaded result to `write` once its first bytes show a file the API makes;
    its extension. APIResponseValidationError (naming the URL and what came) otherwise."""
    head = b""
    while len(head) < _HEAD and (chunk := await body.read()):
        head += chunk
    ext = extension_for(head)
    if ext == ".bin":
        raise APIResponseValidationError(
            "the result is not an image or a file the API makes",
            method="GET", url=body.url, status=body.status,
            request_id=request_id_of(body.headers),
            excerpt=f"{body.headers.get('Content-Type', 'no Content-Type')}, {head[:40]!r}",
        )
    await write(head)
    while chunk := await body.read():
        await write(chunk)
    return ext


class _PartFile:
    """The hidden temporary file one download streams into, written off the event loop in
    blocks; `link()` gives it its final name. Made in a worker thread (it opens a file)."""

    def __init__(self, directory: Path) -> None:
        fd, self._path = _new_part(directory)
        self._file = os.fdopen(fd, "wb")
        self._pending = bytearray()
        self._written = False

    async def restart(self) -> None:
        """Start over empty (a broken transfer is being retried)."""
        self._pending = bytearray()
        if self._written:
            await anyio.to_thread.run_sync(self._truncate)

    def _truncate(self) -> None:
        self._file.seek(0)
        self._file.truncate()
        self._written = False

    async def write(self, chunk: bytes) -> None:
        self._pending += chunk
        if len(self._pending) >= _BLOCK:
            await self._flush()

    async def _flush(self) -> None:
        block, self._pending = self._pending, bytearray()
        self._written = True
        await anyio.to_thread.run_sync(self._file.write, block)

    async def link(self, directory: Path, stem: str, ext: str) -> Path:
        await self._flush()
        await anyio.to_thread.run_sync(self._file.close)
        return await anyio.to_thread.run_sync(_link_new, directory, stem, ext, self._path)

    def discard(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path)


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
        target = await _prepare(directory)
        limit = asyncio.Semaphore(self._settings.download_concurrency)

        async def one(url: str, stem: str) -> Path:
            async with limit:
                part = await anyio.to_thread.run_sync(_PartFile, target)
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
