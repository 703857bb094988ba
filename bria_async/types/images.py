"""Generated images and the results that hold them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._converter import structure
from ._download import downloader_of
from ._serializable import Serializable

if TYPE_CHECKING:
    from ._download import Downloader, ResultContext


# The results every job makes keep their fields in an instance dict (slots=False): a frozen
# slotted class sets each one through object.__setattr__, which costs a third more per result.
@attrs.frozen(kw_only=True, slots=False)
class Image(Serializable):
    """One image the API made: its URL, seed and (for edits) `sid`; unknown fields in `extra`.

    Result URLs expire on Bria's side (generated images after about 3 days, product results
    after about an hour): `await image.save(directory)` keeps a copy.
    """

    url: str
    seed: int | None = None
    uuid: str | None = None
    sid: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)
    #: The client's downloader (None for an Image made by hand: `bria.save()` saves it).
    _storage: Downloader | None = attrs.field(default=None, repr=False, eq=False, alias="storage")

    async def read(self) -> bytes:
        """The image's bytes, downloaded without the API token."""
        return await downloader_of(self._storage, "Image").read(self.url)

    async def save(self, directory: str | os.PathLike[str], *, name: str | None = None) -> Path:
        """Download into `directory` under a safe, unique name; the path written."""
        return await self._save_with(self._storage, directory, name=name)

    async def _save_with(
        self,
        downloader: Downloader | None,
        directory: str | os.PathLike[str],
        *,
        name: str | None = None,
    ) -> Path:
        stem = name or f"image-{self.seed if self.seed is not None else 'x'}"
        (path,) = await downloader_of(downloader, "Image").save([(self.url, stem)], directory)
        return path


@attrs.frozen(kw_only=True, slots=False)
class ImageResult(Serializable):
    """The images of one job, in the order the server listed them."""

    images: tuple[Image, ...]
    job_id: str
    created_at: dt.datetime
    extra: dict[str, Any] = attrs.field(factory=dict)
    _storage: Downloader | None = attrs.field(default=None, repr=False, eq=False, alias="storage")

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(image.url for image in self.images)

    async def save(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Download every image concurrently into `directory`; the written paths, in order."""
        return await self._save_with(self._storage, directory)

    async def _save_with(
        self, downloader: Downloader | None, directory: str | os.PathLike[str]
    ) -> list[Path]:
        storage = downloader_of(downloader, "ImageResult")
        stem = self.job_id[:12]
        items = [
            (image.url, f"{stem}-{i}" + (f"-{image.seed}" if image.seed is not None else ""))
            for i, image in enumerate(self.images)
        ]
        return await storage.save(items, directory)


def _entry_images(entry: Any) -> list[dict[str, Any]]:
    """Image dicts from one result entry: an object with `urls`/`url`, or `[url, seed, sid]`."""
    if isinstance(entry, str):
        return [{"url": entry}]
    if isinstance(entry, Sequence):
        keys = ("url", "seed", "sid")
        return [dict(zip(keys, entry, strict=False))]
    if isinstance(entry, Mapping):
        rest = {k: v for k, v in entry.items() if k not in ("urls", "url", "image_url")}
        urls = entry.get("urls") or [entry.get("url") or entry.get("image_url")]
        return [{"url": url, **rest} for url in urls]
    raise TypeError(f"unexpected image entry {entry!r:.200}")


def parse_image_result(body: Any, ctx: ResultContext) -> ImageResult:
    """An ImageResult from ``{"result": [...]}`` whether entries are objects or lists."""
    entries = body["result"]
    if not isinstance(entries, list):
        raise TypeError("result is not a list")
    storage = ctx.downloader
    images = tuple(
        attrs.evolve(structure(item, Image), storage=storage)
        for entry in entries
        for item in _entry_images(entry)
    )
    if any(not image.url for image in images):
        raise ValueError("an image has no URL")
    extra = {k: v for k, v in body.items() if k != "result"}
    return ImageResult(
        images=images,
        job_id=ctx.job_id,
        created_at=ctx.submitted_at,
        extra=extra,
        storage=storage,
    )


def placeholder_urls(body: Any) -> list[str]:
    """The placeholder URLs of a ``sync=false`` answer, in order."""
    return [item["url"] for entry in body["result"] for item in _entry_images(entry)]


@attrs.frozen(kw_only=True, slots=False)
class EditResult(Serializable):
    """One image made from another (an edit, a cutout, a packshot): its URL and, for edits
    of a visual, the `sid` that chains the next edit."""

    image: Image
    job_id: str
    created_at: dt.datetime
    extra: dict[str, Any] = attrs.field(factory=dict)

    @property
    def url(self) -> str:
        return self.image.url

    @property
    def images(self) -> tuple[Image, ...]:
        """The one image, as a tuple: what `job.as_completed()` yields for every result."""
        return (self.image,)

    @property
    def sid(self) -> str | None:
        return self.image.sid

    async def save(self, directory: str | os.PathLike[str]) -> Path:
        """Download the image into `directory` under a safe, unique name."""
        return await self._save_with(self.image._storage, directory)

    async def _save_with(
        self, downloader: Downloader | None, directory: str | os.PathLike[str]
    ) -> Path:
        return await self.image._save_with(downloader, directory, name=f"{self.job_id[:12]}-result")


def parse_edit_result(body: Any, ctx: ResultContext) -> EditResult:
    """An EditResult from ``{"result_url": url, "sid": sid, ...}``."""
    url = body["result_url"]
    if not isinstance(url, str) or not url:
        raise ValueError("result_url is not a URL")
    sid = body.get("sid")
    if sid is not None and not isinstance(sid, str):
        raise TypeError("sid is not a string")
    image = Image(url=url, sid=sid, storage=ctx.downloader)  # no converter: a hot path
    extra = dict(body)  # what else the answer holds (C calls: a hot path)
    del extra["result_url"]
    extra.pop("sid", None)
    return EditResult(image=image, job_id=ctx.job_id, created_at=ctx.submitted_at, extra=extra)
