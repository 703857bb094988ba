"""The storage host: placeholder URLs that answer 404 until ready, then real bytes.

The probe path is a dict lookup and a clock comparison; a `Range: bytes=0-0` probe of a ready
PNG answers the first signature byte without rendering. Full GETs render once into an LRU.
"""

from __future__ import annotations

import asyncio
import collections
import random
import re
import secrets
import time

import attrs
from aiohttp import web

from ._config import EmulatorConfig
from ._counters import Counters, SeenRequest, redacted
from ._images import fit_side, render_png

__all__ = ["Placeholder", "Storage", "create_storage_app", "record"]

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@attrs.define(slots=True)
class Placeholder:
    """One result URL: ready after `ready_mono` (monotonic clock); PNGs render on demand."""

    url: str
    ready_mono: float
    content_type: str = "image/png"
    width: int = 0
    height: int = 0
    key: str = ""
    data: bytes | None = None


class Storage:
    """Every result URL the emulator handed out, by file name."""

    def __init__(self, config: EmulatorConfig, counters: Counters, rng: random.Random) -> None:
        self.config = config
        self.counters = counters
        self.rng = rng
        self.base_url = ""
        self.placeholders: dict[str, Placeholder] = {}
        self._cache: collections.OrderedDict[str, bytes] = collections.OrderedDict()

    def add_png(self, width: int, height: int, key: str, latency: float = 0.0) -> Placeholder:
        """A PNG placeholder that becomes ready `latency` seconds from now."""
        width, height = fit_side(width, height, self.config.max_image_side)
        placeholder = Placeholder(self._new_url(".png"), 0.0, width=width, height=height, key=key)
        return self._add(placeholder, latency)

    def add_blob(self, data: bytes, extension: str, content_type: str) -> Placeholder:
        """A result whose bytes are known already (a PSD, a zip), ready now."""
        placeholder = Placeholder(self._new_url(extension), 0.0, content_type, data=data)
        return self._add(placeholder, 0.0)

    def _new_url(self, extension: str) -> str:
        return f"{self.base_url}/results/{secrets.token_hex(16)}{extension}"

    def _add(self, placeholder: Placeholder, latency: float) -> Placeholder:
        placeholder.ready_mono = time.monotonic() + latency
        self.placeholders[placeholder.url.rpartition("/")[2]] = placeholder
        self.counters.ready_at[placeholder.url] = time.time() + latency
        return placeholder

    def lookup(self, url: str) -> Placeholder | None:
        """The placeholder behind `url`, if this storage host made it."""
        return self.placeholders.get(url.rpartition("/")[2])

    def make_ready(self, url: str) -> None:
        """Make the placeholder at `url` ready now."""
        placeholder = self.lookup(url)
        if placeholder is None:
            raise KeyError(url)
        if placeholder.ready_mono > time.monotonic():
            placeholder.ready_mono = time.monotonic()
            self.counters.ready_at[url] = time.time()

    def cached_size(self, placeholder: Placeholder) -> int | None:
        """The byte length of the placeholder's content if known without rendering."""
        if placeholder.data is not None:
            return len(placeholder.data)
        cached = self._cache.get(placeholder.url)
        return None if cached is None else len(cached)

    async def body(self, placeholder: Placeholder) -> bytes:
        """The placeholder's bytes, rendering a PNG at most once while it stays cached."""
        if placeholder.data is not None:
            return placeholder.data
        cached = self._cache.get(placeholder.url)
        if cached is not None:
            self._cache.move_to_end(placeholder.url)
            return cached
        data = await asyncio.to_thread(
            render_png, placeholder.width, placeholder.height, placeholder.key
        )
        self._cache[placeholder.url] = data
        while len(self._cache) > max(1, self.config.png_cache_size):
            self._cache.popitem(last=False)
        return data

    def clear(self) -> None:
        """Forget every placeholder and cached PNG."""
        self.placeholders.clear()
        self._cache.clear()


STORAGE_KEY = web.AppKey("storage", Storage)


def record(counters: Counters, host: str, request: web.Request) -> None:
    """Remember `request` as seen on `host`."""
    counters.requests.append(
        SeenRequest(
            host=host,
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=redacted(request.headers),
            time=time.time(),
        )
    )


async def _serve(request: web.Request) -> web.StreamResponse:
    storage = request.app[STORAGE_KEY]
    counters = storage.counters
    record(counters, "storage", request)
    placeholder = storage.placeholders.get(request.match_info["name"])
    if placeholder is None:
        return web.Response(status=404, text="no such result")
    url = placeholder.url
    counters.probes[url] += 1
    config = storage.config
    if config.storage_rate_503 and storage.rng.random() < config.storage_rate_503:
        return web.Response(status=503, text="storage unavailable")
    if time.monotonic() < placeholder.ready_mono:
        statuses = config.not_ready_statuses or (404,)
        status = statuses[0] if len(statuses) == 1 else storage.rng.choice(statuses)
        return web.Response(status=status, text="not ready")
    counters.first_served_at.setdefault(url, time.time())
    headers = {"Content-Type": placeholder.content_type, "Accept-Ranges": "bytes"}
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match is None:
        return web.Response(body=await storage.body(placeholder), headers=headers)
    first, last = match.groups()
    size = storage.cached_size(placeholder)
    if first == "0" and last == "0" and size is None:
        headers["Content-Range"] = "bytes 0-0/*"
        return web.Response(status=206, body=b"\x89", headers=headers)
    data = await storage.body(placeholder)
    if first:
        start, end = int(first), min(int(last) if last else len(data) - 1, len(data) - 1)
    else:
        start, end = max(0, len(data) - int(last or 0)), len(data) - 1
    if start >= len(data) or start > end:
        headers["Content-Range"] = f"bytes */{len(data)}"
        return web.Response(status=416, headers=headers)
    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    return web.Response(status=206, body=data[start : end + 1], headers=headers)


def create_storage_app(storage: Storage) -> web.Application:
    """The aiohttp application of the storage host."""
    app = web.Application()
    app[STORAGE_KEY] = storage
    app.router.add_get("/results/{name}", _serve)
    return app
