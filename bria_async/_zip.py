"""Reading a zip the server sent, without trusting anything inside it.

Entry names are data, never paths: a name with a directory part, a backslash, a drive letter,
a NUL, or that repeats another entry is refused, so nothing can be written outside a chosen
directory (zip-slip) and no entry can shadow another. The number of entries and the size of
the central directory are checked from the End Of Central Directory record before zipfile
reads the directory; the declared sizes before anything is decompressed; the decompressed
size again while reading (a zip bomb's headers may lie about its sizes). Reading a large zip
takes a while: callers run `read_zip` in a worker thread, off the event loop.
"""

from __future__ import annotations

import io
import re
import zipfile

MAX_UNZIPPED_BYTES = 256 * 2**20
MAX_ENTRIES = 4096
#: The central directory may average this many bytes per allowed entry (names are short).
_DIRECTORY_BYTES_PER_ENTRY = 1024
_CHUNK = 2**16
_END = b"PK\x05\x06"  # End Of Central Directory record: 22 bytes and a comment
_END64_LOCATOR = b"PK\x06\x07"  # ZIP64: 20 bytes just before the record above
_END64 = b"PK\x06\x06"  # ZIP64 end record: 56 bytes just before its locator
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
    _check_directory(data, max_entries)
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
        if sum(info.file_size for info in infos) > max_bytes:
            raise UnsafeZipError(f"the zip unpacks to more than {max_bytes} bytes")
        for info in infos:
            name = check_entry_name(info.filename)
            if name in files:
                raise UnsafeZipError(f"the zip holds the entry {name!r} twice")
            if info.file_size > budget:
                raise UnsafeZipError(f"the zip unpacks to more than {max_bytes} bytes")
            files[name] = _read_bounded(archive, info, budget, max_bytes)
            budget -= len(files[name])
    return files


def _check_directory(data: bytes, max_entries: int) -> None:
    """Refuse a zip whose end record lists more than `max_entries` entries, or a central
    directory larger than that many entries need, before zipfile materialises it.

    The end record is found as zipfile finds it (at the very end, else the last signature
    within a maximal comment's reach); without one, zipfile reports the zip as broken.
    """
    if data[-22:-18] == _END and data[-2:] == b"\0\0":
        end = len(data) - 22
    else:
        end = data.rfind(_END, max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) - end < 22:
        return
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    size = int.from_bytes(data[end + 12 : end + 16], "little")
    locator = end - 20
    if locator >= 56 and data[locator : locator + 4] == _END64_LOCATOR:
        record = data[locator - 56 : locator]
        if record[:4] == _END64:
            count = max(count, int.from_bytes(record[32:40], "little"))
            size = max(size, int.from_bytes(record[40:48], "little"))
    if count > max_entries:
        raise UnsafeZipError(f"the zip holds {count} entries; at most {max_entries}")
    if size > max_entries * _DIRECTORY_BYTES_PER_ENTRY:
        raise UnsafeZipError(
            f"the zip's central directory takes {size} bytes; at most "
            f"{max_entries * _DIRECTORY_BYTES_PER_ENTRY}"
        )


def _read_bounded(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, max_bytes: int
) -> bytes:
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
