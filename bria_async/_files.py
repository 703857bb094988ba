"""Files on disk: safe names, the type read from a file's first bytes, and writes that
never overwrite, never follow a link and leave no partial file behind.

A write goes to a hidden part file in the target directory, created as `open()` creates
files (the umask applies) and named after its machine and process, so a later write there
removes the part files of writes that were killed; it is then hard-linked under a name
built here, from a sanitised stem and the type read from the bytes, never from a path a
server sent, so nothing a server says can make the SDK write outside the directory given.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import time
from collections.abc import Sequence
from pathlib import Path

import anyio

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
#: Every signature fits in the first HEAD bytes.
HEAD = 12
_BLOCK = 2**20  # a download is written to disk in blocks of about this size


def _matches(data: bytes, parts: tuple[tuple[int, bytes], ...], *, whole: bool) -> bool:
    for offset, magic in parts:
        seen = data[offset : offset + len(magic)]
        if seen != (magic if whole else magic[: len(seen)]):
            return False
    return True


def extension_for(data: bytes) -> str:
    """The file extension for `data`, read from its first bytes (".bin" when unknown)."""
    return next((ext for ext, parts in _SIGNATURES if _matches(data, parts, whole=True)), ".bin")


def could_be_result(head: bytes) -> bool:
    """Whether `head`, the first bytes of a body (a single one after a Range probe), can
    begin a file the API makes (PNG, JPEG, WEBP, PSD, zip, GIF); an HTML page cannot."""
    return bool(head) and any(_matches(head, parts, whole=False) for _, parts in _SIGNATURES)


def safe_stem(name: str) -> str:
    """A file stem made only of letters, digits, dot, dash and underscore, never hidden."""
    stem = _UNSAFE.sub("_", name).strip("._") or "image"
    return stem[:100]


def _part_host() -> str:
    """This machine's name as a part file spells it: no dash, so the name parses back."""
    return re.sub(r"[^A-Za-z0-9.]+", "_", socket.gethostname())[:64] or "host"


_HOST = _part_host()
#: `.bria-<host>-<pid>-<random>.part`: who made a part file, so a later save can tell a
#: live one from one left by a killed process.
_PART = re.compile(r"\.bria-(?P<host>[A-Za-z0-9._]*)-(?P<pid>[1-9][0-9]{0,9})-[0-9a-f]{16}\.part")
_STALE_AFTER = 24 * 3600.0  # seconds: no live save leaves its part file untouched this long
#: The part files this process is writing now, which a concurrent save must not remove.
_LIVE: set[str] = set()
_CREATE = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)


def _new_part(directory: Path) -> tuple[int, str]:
    """A new hidden part file in `directory`, open for writing: (fd, path). Created as
    `open()` creates files (mode 0o666 less the umask), never through an existing entry."""
    while True:
        path = str(directory / f".bria-{_HOST}-{os.getpid()}-{secrets.token_hex(8)}.part")
        _LIVE.add(path)
        try:
            return os.open(path, _CREATE, 0o666), path
        except FileExistsError:
            _LIVE.discard(path)
        except BaseException:
            _LIVE.discard(path)
            raise


def _drop_part(path: str) -> None:
    """Remove the part file at `path` (if still there) and forget it."""
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    finally:
        _LIVE.discard(path)


def _running(pid: int) -> bool:
    """Whether process `pid` of this machine exists (unknown counts as running)."""
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process; a pid out of range
        return False
    except OSError:  # another user's process
        return True
    return True


def _is_stale(path: str, name: str, modified: float) -> bool:
    """Whether the part file `name` was left by a save that can no longer finish it: made by
    a process of this machine that has ended (or by this process, but no save of it is
    writing it), or untouched for `_STALE_AFTER` (another machine's, or of an old version)."""
    if path in _LIVE:
        return False
    if time.time() - modified > _STALE_AFTER:
        return True
    match = _PART.fullmatch(name)
    if match is None or match["host"] != _HOST:
        return False
    pid = int(match["pid"])
    return pid == os.getpid() or not _running(pid)


def _remove_stale_parts(directory: Path) -> None:
    """Remove the part files in `directory` that killed or crashed saves left behind (best
    effort: one that cannot be removed, say another user's in a sticky directory, stays)."""
    with os.scandir(directory) as entries:
        for entry in entries:
            if not (entry.name.startswith(".bria-") and entry.name.endswith(".part")):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and _is_stale(
                    entry.path, entry.name, entry.stat(follow_symlinks=False).st_mtime
                ):
                    os.unlink(entry.path)


def _link_new(directory: Path, stem: str, ext: str, temporary: str) -> Path:
    """Hard-link the written `temporary` into `directory` as a new file, adding -1, -2, ...
    until the name is free: a crash leaves no partial image. Any entry at a name (a file, a
    directory, a symlink, even a dangling one) takes it: a link is never made through one,
    and `stem` (from `safe_stem`) and `ext` hold no path separator, so nothing lands outside
    `directory` and nothing is replaced."""
    for n in range(10_000):
        path = directory / f"{stem}{'' if n == 0 else f'-{n}'}{ext}"
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
        _drop_part(temporary)


async def prepare(directory: str | os.PathLike[str]) -> Path:
    """`directory`, created if needed, as an absolute path without symlinks, cleared of the
    part files that killed saves left there."""
    target = Path(directory)
    await anyio.Path(target).mkdir(parents=True, exist_ok=True)
    resolved = Path(await anyio.Path(target).resolve())
    await anyio.to_thread.run_sync(_remove_stale_parts, resolved)
    return resolved


async def write_files(
    items: Sequence[tuple[bytes, str]], directory: str | os.PathLike[str]
) -> list[Path]:
    """Write each (data, stem) into `directory` as new files with safe names; the paths."""
    target = await prepare(directory)
    return [
        await anyio.to_thread.run_sync(
            _write_new, target, safe_stem(stem), extension_for(data), data
        )
        for data, stem in items
    ]


class PartFile:
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
        _drop_part(self._path)
