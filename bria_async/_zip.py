"""Reading a zip the server sent, without trusting anything inside it.

Entry names are data, never paths: a name with a directory part, a backslash, a drive letter,
a NUL, or that repeats another entry is refused, so nothing can be written outside a chosen
directory (zip-slip) and no entry can shadow another. The decompressed size and the number of
entries are bounded while reading (a zip bomb's headers may lie about its sizes).
"""

from __future__ import annotations

import io
import re
import zipfile

MAX_UNZIPPED_BYTES = 256 * 2**20
MAX_ENTRIES = 4096
_CHUNK = 2**16
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeZipError(ValueError):
    """The zip holds an entry name, size or count that the SDK refuses to read."""


def check_entry_name(name: str) -> str:
    """`name` if it is a plain file name (no directory, drive, backslash or NUL)."""
    if (
        not name
        or "/" in name
        or "\\" in name
        or "\x00" in name
        or name in {".", ".."}
        or _DRIVE.match(name)
    ):
        raise UnsafeZipError(f"refusing the zip entry name {name!r}: not a plain file name")
    return name


def read_zip(data: bytes) -> dict[str, bytes]:
    """Every file of the zip `data` by its (checked) name, in archive order.

    Raises UnsafeZipError for an unsafe or repeated name, more than MAX_ENTRIES entries, or
    more than MAX_UNZIPPED_BYTES once decompressed; ValueError if `data` is not a zip.
    """
    max_bytes, max_entries = MAX_UNZIPPED_BYTES, MAX_ENTRIES
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a zip archive: {exc}") from exc
    files: dict[str, bytes] = {}
    budget = max_bytes
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > max_entries:
            raise UnsafeZipError(f"the zip holds {len(infos)} entries; at most {max_entries}")
        for info in infos:
            name = check_entry_name(info.filename)
            if name in files:
                raise UnsafeZipError(f"the zip holds the entry {name!r} twice")
            if info.file_size > budget:
                raise UnsafeZipError(f"the zip unpacks to more than {max_bytes} bytes")
            files[name] = _read_bounded(archive, info, budget, max_bytes)
            budget -= len(files[name])
    return files


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int,
                  max_bytes: int) -> bytes:
    out = bytearray()
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                out += chunk
                if len(out) > budget:
                    raise UnsafeZipError(f"the zip unpacks to more than {max_bytes} bytes")
    except (zipfile.BadZipFile, NotImplementedError, EOFError) as exc:
        raise ValueError(f"unreadable zip entry {info.filename!r}: {exc}") from exc
    return bytes(out)
