"""Bounded reading of answer bodies: a success body never past its limit, the head of one,
and which Content-Types are files (capped as downloads, not as API JSON)."""

from __future__ import annotations

import functools

import aiohttp
from aiohttp.helpers import parse_content_type
from multidict import CIMultiDictProxy

from ._errors import ResponseTooLargeError

#: API answers of these types are files (the mask generator's zip): capped as downloads.
_FILE_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
)
#: What a probe of a storage URL reads: enough to tell an image from an error page.
PROBE_BYTES = 64
#: What an error answer (or a redirect) is read to: enough for the message.
ERROR_BODY_BYTES = 64 * 1024


class Body:
    """A success body being read, never past `limit` bytes: Content-Length is checked up front
    and the bytes as they arrive; passing the limit closes the connection and raises
    ResponseTooLargeError, so the rest is never buffered."""

    def __init__(self, resp: aiohttp.ClientResponse, *, method: str, url: str, limit: int) -> None:
        self._resp = resp
        self._method = method
        self.url = url
        self.limit = limit
        self._size = 0
        declared = resp.content_length
        if declared is not None and declared > limit:
            self._too_large()

    @property
    def status(self) -> int:
        return self._resp.status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._resp.headers

    async def read(self) -> bytes:
        """The next bytes that arrived (b"" at the end)."""
        chunk = await self._resp.content.readany()
        self._size += len(chunk)
        if self._size > self.limit:
            self._too_large()
        return chunk

    async def read_all(self) -> bytes:
        """The whole body, chunk by chunk as it arrives (checked against the limit)."""
        chunks = []
        while chunk := await self.read():
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> None:
        self._resp.close()
        raise ResponseTooLargeError(method=self._method, url=self.url, limit=self.limit)


async def read_head(resp: aiohttp.ClientResponse, size: int) -> bytes:
    """At most the first `size` bytes of the body; the connection is closed (not pooled
    half-read) when more would have followed."""
    head = b""
    while len(head) < size and (chunk := await resp.content.read(size - len(head))):
        head += chunk
    if not resp.content.at_eof():
        resp.close()
    return head


@functools.lru_cache(maxsize=64)
def is_file_type(content_type: str | None) -> bool:
    """Whether a Content-Type header names a file type, read as aiohttp reads it (none at all
    is application/octet-stream); cached, as an API answers with a handful of values."""
    if content_type is None:
        return "application/octet-stream" in _FILE_TYPES
    return parse_content_type(content_type)[0] in _FILE_TYPES
