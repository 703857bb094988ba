"""``bria.objects``: the objects of a registered visual, their generated masks, and removal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from .._errors import ValidationError
from .._extras import CallExtras
from .._jobs import Job
from .._settings import Timeouts
from .._specs import JobSpec
from .._validation import (
    check_bool,
    check_int,
    check_list,
    drop_none,
    require_id,
    require_text,
    require_url,
)
from ..types.choices import DesiredResolution
from ..types.images import EditResult, parse_edit_result
from ..types.objects import (
    Masks,
    ObjectsInfo,
    mask_files_body,
    mask_urls,
    parse_masks,
    parse_objects_info,
)
from ._base import Resource, call_of
from ._params import HasSid, info_route, sid_of
from ._params import desired_resolution as desired_resolution_param

if TYPE_CHECKING:
    from .._runtime import Runtime
    from .._transport import Response

_ZIP_MAGIC = b"PK\x03\x04"


async def _mask_zip(response: Response, runtime: Runtime) -> Any:
    """The mask zip as the job's body: the bytes answered (as the reference describes), or
    downloaded without the token from the URL answered (as the emulator does), unpacked and
    checked in a worker thread, base64 so the job token stays JSON. A body with neither is
    passed on and fails the parse."""
    if response.body.startswith(_ZIP_MAGIC):
        data, url = response.body, None
    else:
        body = response.json()
        try:
            (url,) = mask_urls(body)
        except (ValueError, AttributeError):
            return body
        data = await runtime.storage.read(url)
    return await anyio.to_thread.run_sync(mask_files_body, data, url)


_INFO = info_route("objects.info")
INFO = JobSpec(kind="objects.info", parse=parse_objects_info, finish=_INFO)
MASK_GENERATOR = JobSpec(kind="objects.mask_generator", parse=parse_masks, decode=_mask_zip)

REMOVE = JobSpec(kind="objects.remove", parse=parse_edit_result)


def _point(name: str, value: Any) -> list[int] | None:
    return check_list(name, value, lambda n, v: check_int(n, v, 0), length=2)


class Objects(Resource):
    """Objects in a registered visual: list them, get every mask, remove objects or areas."""

    def info(
        self,
        visual_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[ObjectsInfo]:
        """The objects of `visual_id` with their actions and oracle values; while the visual
        is still onboarding (205) the Job calls again until it answers."""
        context = {"visual_id": require_id("visual_id", visual_id)}
        return self._job(
            INFO,
            _INFO.call(context),
            context=context,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def mask_generator(
        self,
        visual_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Masks:
        """Every mask Bria can generate for `visual_id`, with the panoptic map.

        The zip is read in memory, off the event loop, with its names treated as data (never
        as paths) and its entries and unpacked size bounded; `await masks.save(dir)` writes
        the PNGs. The Job's token carries the masks (base64), so it can be large.
        """
        vid = require_id("visual_id", visual_id)
        call = call_of("objects.mask_generator", {"visual_id": vid})
        return await self._direct(
            MASK_GENERATOR,
            call,
            {"visual_id": vid},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def remove(
        self,
        visual_id: str,
        *,
        object_ids: Sequence[str] | None = None,
        mask_ids: Sequence[int] | None = None,
        mask_url: str | None = None,
        points: Sequence[Sequence[int]] | None = None,
        sid: str | HasSid | None = None,
        enhance: bool | None = None,
        desired_resolution: DesiredResolution | None = None,
        original_quality: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """Remove objects or areas from `visual_id`: name them by exactly one of `object_ids`
        (from ``objects.info``), `mask_ids` (from ``mask_generator``), `mask_url` (a mask you
        drew) or `points` ([x, y] pixels); the API refuses a mix. `sid` (a string or the
        previous result) edits an earlier result.
        """
        vid = require_id("visual_id", visual_id)
        given = {
            name: value
            for name, value in (
                ("object_ids", object_ids),
                ("mask_ids", mask_ids),
                ("mask_url", mask_url),
                ("points", points),
            )
            if value is not None
        }
        if len(given) != 1:
            raise ValidationError(
                "/".join(given) or "object_ids",
                tuple(given.values()) or None,
                "exactly one of object_ids, mask_ids, mask_url or points (never a mix)",
            )
        changes = _changes(object_ids, mask_ids, mask_url, points)
        body = {
            "changes": changes,
            **drop_none(
                sid=sid_of(sid),
                enhance=check_bool("enhance", enhance),
            ),
        }
        params = drop_none(
            desired_resolution=desired_resolution_param(desired_resolution),
            original_quality=check_bool("original_quality", original_quality),
        )
        call = call_of("objects.remove", {"visual_id": vid}, params=params or None, json=body)
        return await self._direct(
            REMOVE,
            call,
            {"visual_id": vid},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )


def _changes(
    object_ids: Sequence[str] | None,
    mask_ids: Sequence[int] | None,
    mask_url: str | None,
    points: Sequence[Sequence[int]] | None,
) -> list[dict[str, Any]]:
    """The request's array of changes, one item per object id, mask id or the mask URL;
    the points go together in one item."""
    if object_ids is not None:
        ids = check_list("object_ids", object_ids, require_text) or []
        return [{"id": object_id} for object_id in ids]
    if mask_ids is not None:
        masks = check_list("mask_ids", mask_ids, lambda n, v: check_int(n, v, 1)) or []
        return [{"mask_id": mask_id, "mask_source": "generated"} for mask_id in masks]
    if mask_url is not None:
        return [{"mask_url": require_url("mask_url", mask_url)}]
    return [{"positive_points": check_list("points", points, _point)}]
