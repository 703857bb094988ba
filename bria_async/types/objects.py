"""Objects in a visual (objects/info), the generated masks (objects/mask_generator) and the
result of objects/remove."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._converter import structure
from .._files import write_files
from .._json import loads
from .._zip import UnsafeZipError, read_zip
from ._serializable import Serializable

if TYPE_CHECKING:
    from ._download import Downloader, ResultContext

_MASK_NAME = re.compile(r"_(\d+)\.png$", re.IGNORECASE)
_PANOPTIC_NAME = re.compile(r"panoptic(\.[A-Za-z0-9]+)?$", re.IGNORECASE)
_INDEX_NAME = re.compile(r"\.json$", re.IGNORECASE)
FILES_FIELD = "files"
REFUSED_FIELD = "refused"
_INDEX_KEYS = ("mask_id", "file")


@attrs.frozen(kw_only=True)
class SceneObject(Serializable):
    """One object Bria found in a visual: its id (for ``objects.remove``), labels, box,
    the actions it supports and their oracle values (the predicted quality of each action)."""

    id: str
    type: str | None = None
    labels: tuple[str, ...] | None = None
    rect: tuple[int, ...] | None = None
    actions: dict[str, Any] = attrs.field(factory=dict)
    oracle: dict[str, Any] = attrs.field(factory=dict)
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ObjectsInfo(Serializable):
    """The objects of a visual, as objects/info lists them; iterate it for each object."""

    visual_id: str
    objects: tuple[SceneObject, ...]

    def __iter__(self) -> Iterator[SceneObject]:
        return iter(self.objects)

    def __len__(self) -> int:
        return len(self.objects)


def parse_objects_info(body: Any, ctx: ResultContext) -> ObjectsInfo:
    """An ObjectsInfo from the list objects/info answers (or ``{"objects": [...]}``)."""
    items = body.get("objects") if isinstance(body, Mapping) else body
    if not isinstance(items, list):
        raise TypeError("objects/info did not answer a list")
    return ObjectsInfo(
        visual_id=str(ctx.context["visual_id"]),
        objects=tuple(structure(item, SceneObject) for item in items),
    )


@attrs.frozen(kw_only=True)
class Mask(Serializable):
    """One generated mask: its id (``objects.remove(mask_ids=[...])``), the PNG, and what the
    zip's index says of it (label, box, anything else in `extra`) when it has one."""

    mask_id: int
    png: bytes = attrs.field(repr=False)
    label: str | None = None
    bbox: tuple[int, ...] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Masks(Serializable):
    """Every mask of a visual plus its panoptic map (a PNG whose grey value at each pixel is
    the id of the mask covering it). Iterate it for the masks; `save()` writes them."""

    visual_id: str
    masks: tuple[Mask, ...]
    panoptic_map: bytes | None = attrs.field(repr=False)
    job_id: str
    created_at: dt.datetime
    url: str | None = None

    def __iter__(self) -> Iterator[Mask]:
        return iter(self.masks)

    def __len__(self) -> int:
        return len(self.masks)

    def get(self, mask_id: int) -> Mask:
        """The mask with `mask_id`; KeyError if there is none."""
        for mask in self.masks:
            if mask.mask_id == mask_id:
                return mask
        raise KeyError(mask_id)

    async def save(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write every mask, then the panoptic map, into `directory` as new files named from
        the visual id and mask id (never from names inside the zip); the paths written."""
        return await self._save_with(None, directory)

    async def _save_with(
        self, downloader: Downloader | None, directory: str | os.PathLike[str]
    ) -> list[Path]:
        """As `save`: the masks are in memory already, nothing is downloaded."""
        items = [(mask.png, f"{self.visual_id}_{mask.mask_id}") for mask in self.masks]
        if self.panoptic_map is not None:
            items.append((self.panoptic_map, f"{self.visual_id}_panoptic"))
        return await write_files(items, directory)


def _index_entries(files: Mapping[str, bytes]) -> dict[int, dict[str, Any]]:
    """What the zip's JSON index (if any) says of each mask id."""
    by_id: dict[int, dict[str, Any]] = {}
    for name, data in files.items():
        if not _INDEX_NAME.search(name):
            continue
        entries = loads(data)
        if isinstance(entries, Mapping):
            entries = entries.get("masks", [])
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, Mapping) and isinstance(entry.get("mask_id"), (int, str)):
                by_id[int(entry["mask_id"])] = dict(entry)
    return by_id


def mask_files_body(data: bytes, url: str | None) -> dict[str, Any]:
    """The JSON-able body of a mask job (its token keeps it): every file of the zip `data`,
    checked and unpacked, base64 by name; or why the zip was refused, which fails the parse.
    Slow for a large zip: run it in a worker thread, off the event loop."""
    try:
        files = read_zip(data)
    except ValueError as exc:
        return {REFUSED_FIELD: str(exc), "url": url}
    encoded = {name: base64.b64encode(raw).decode("ascii") for name, raw in files.items()}
    return {FILES_FIELD: encoded, "url": url}


def _claim(named: dict[int | None, str], key: int | None, name: str) -> None:
    """Record that entry `name` gives mask `key` (None: the panoptic map); UnsafeZipError,
    naming both entries, if another entry gives it too (``a_1.png`` and ``A_01.PNG``)."""
    if key in named:
        what = "the panoptic map" if key is None else f"mask {key}"
        raise UnsafeZipError(f"the zip holds {named[key]!r} and {name!r}, both {what}")
    named[key] = name


def parse_masks(body: Any, ctx: ResultContext) -> Masks:
    """Masks from the unpacked mask zip in the job's body (see `mask_files_body`)."""
    if REFUSED_FIELD in body:
        raise ValueError(body[REFUSED_FIELD])
    files = {name: base64.b64decode(raw, validate=True) for name, raw in body[FILES_FIELD].items()}
    index = _index_entries(files)
    masks: list[Mask] = []
    panoptic: bytes | None = None
    named: dict[int | None, str] = {}  # the entry giving each mask id (None: the panoptic map)
    for name, data in files.items():
        if _PANOPTIC_NAME.search(name):
            _claim(named, None, name)
            panoptic = data
        elif match := _MASK_NAME.search(name):
            mask_id = int(match.group(1))
            _claim(named, mask_id, name)
            meta = {k: v for k, v in index.get(mask_id, {}).items() if k not in _INDEX_KEYS}
            label, bbox = meta.pop("label", None), meta.pop("bbox", None)
            masks.append(
                Mask(
                    mask_id=mask_id,
                    png=data,
                    label=None if label is None else str(label),
                    bbox=None if bbox is None else tuple(int(v) for v in bbox),
                    extra=meta,
                )
            )
    masks.sort(key=lambda mask: mask.mask_id)
    return Masks(
        visual_id=str(ctx.context["visual_id"]),
        masks=tuple(masks),
        panoptic_map=panoptic,
        job_id=ctx.job_id,
        created_at=ctx.submitted_at,
        url=body.get("url"),
    )


def mask_urls(body: Any) -> Sequence[str]:
    """The zip URL(s) a mask_generator answer points to, when it did not carry the bytes."""
    value = body.get("objects_masks") or body.get("result_url") or body.get("url")
    if isinstance(value, str) and value:
        return [value]
    raise ValueError(f"no zip URL in the mask_generator answer {body!r:.200}")
