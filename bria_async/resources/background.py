"""``bria.background``: remove, blur or generate the background of an image, either of any
image (isolated routes: a URL, path, bytes or file) or of a registered visual (by id)."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

from .._completion import Placeholders
from .._errors import ValidationError
from .._extras import CallExtras
from .._inputs import JPEG_PNG, PRODUCT_TYPES, RGB_MODES, ImageInput
from .._jobs import Job
from .._settings import Timeouts
from .._specs import JobSpec
from .._validation import (
    check_bool,
    check_int,
    drop_none,
    require_bool,
    require_id,
    require_text,
)
from ..types.background import parse_background_info
from ..types.choices import DesiredResolution
from ..types.images import (
    EditResult,
    ImageResult,
    parse_edit_result,
    parse_image_result,
    placeholder_urls,
)
from ..types.objects import SceneObject
from ._base import Resource, call_of
from ._params import HasSid, info_route, sid_of, upload
from ._params import desired_resolution as check_resolution

_INFO = info_route("background.info")
INFO = JobSpec(kind="background.info", parse=parse_background_info, finish=_INFO)
EDIT = JobSpec(kind="background.edit", parse=parse_edit_result)
REPLACE = JobSpec(
    kind="background.replace", parse=parse_image_result, finish=Placeholders(placeholder_urls)
)


def _generation(
    bg_prompt: str,
    sync: bool,
    fast: bool | None,
    refine_prompt: bool | None,
    num_results: int | None,
    negative_prompt: str | None,
    seed: int | None,
) -> dict[str, Any]:
    """The JSON fields both background generation routes share."""
    if require_bool("sync", sync) and num_results not in (None, 1):
        raise ValidationError("num_results", num_results, "1 with sync=True (or sync=False)")
    return {
        "bg_prompt": require_text("bg_prompt", bg_prompt),
        "sync": sync,
        **drop_none(
            fast=check_bool("fast", fast),
            refine_prompt=check_bool("refine_prompt", refine_prompt),
            num_results=check_int("num_results", num_results, 1),
            negative_prompt=None
            if negative_prompt is None
            else require_text("negative_prompt", negative_prompt),
            seed=check_int("seed", seed, 0),
        ),
    }


class Background(Resource):
    """Background info, removal, blur and generation."""

    def info(
        self,
        visual_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[SceneObject]:
        """The visual's background element: its actions and their oracle values; while the
        visual is still onboarding (205) the Job calls again until it answers."""
        context = {"visual_id": require_id("visual_id", visual_id)}
        return self._job(
            INFO,
            _INFO.call(context),
            context=context,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def remove(
        self,
        image: ImageInput,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """Remove the background of any image, without registering it: a public URL (sent as
        ``image_url``) or a JPEG/PNG file of at most 12 MB (uploaded as ``file``), checked
        as it is sent, before the upload."""
        call = call_of(
            "background.remove",
            prepare=upload(image, encoding="form", allowed_types=JPEG_PNG, allowed_modes=RGB_MODES),
        )
        return await self._direct(
            EDIT, call, extras=CallExtras(extra_headers, extra_query, extra_body, timeout)
        )

    async def remove_by_visual(
        self,
        visual_id: str,
        *,
        sid: str | HasSid | None = None,
        desired_resolution: DesiredResolution | None = None,
        original_quality: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """Remove the background of a registered visual (or of its edit `sid`)."""
        params = drop_none(
            desired_resolution=check_resolution(desired_resolution),
            original_quality=check_bool("original_quality", original_quality),
        )
        return await self._edit(
            visual_id,
            "background.remove_by_visual",
            sid,
            params,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def blur(
        self,
        visual_id: str,
        *,
        scale: int | None = None,
        sid: str | HasSid | None = None,
        desired_resolution: DesiredResolution | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """Blur the background of a registered visual; `scale` 1 (least) to 5 (most, the
        API's default)."""
        params = drop_none(
            scale=check_int("scale", scale, 1, 5),
            desired_resolution=check_resolution(desired_resolution),
        )
        return await self._edit(
            visual_id,
            "background.blur",
            sid,
            params,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def replace(
        self,
        image: ImageInput,
        bg_prompt: str,
        *,
        sync: bool = False,
        fast: bool | None = None,
        refine_prompt: bool | None = None,
        num_results: int | None = None,
        negative_prompt: str | None = None,
        seed: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[ImageResult]:
        """Generate new backgrounds described by `bg_prompt` for any image: a public URL or a
        JPEG/PNG/WEBP file of at most 12 MB (sent base64). ``sync=False`` (the default)
        answers with placeholder URLs that the client polls."""
        body = _generation(bg_prompt, sync, fast, refine_prompt, num_results, negative_prompt, seed)
        call = call_of(
            "background.replace",
            json=body,
            kind="sync_generation" if sync else "quick",
            prepare=upload(image, encoding="json", allowed_types=PRODUCT_TYPES),
        )
        return self._job(
            REPLACE,
            call,
            context={"sync": sync},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def replace_bg(
        self,
        visual_id: str,
        bg_prompt: str,
        *,
        sync: bool = False,
        fast: bool | None = None,
        sid: str | HasSid | None = None,
        desired_resolution: DesiredResolution | None = None,
        refine_prompt: bool | None = None,
        num_results: int | None = None,
        negative_prompt: str | None = None,
        seed: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[ImageResult]:
        """Generate new backgrounds for a registered visual (or its edit `sid`); each image
        carries its own `sid`. ``sync=False`` (the default) polls placeholder URLs.
        ``sync=True`` makes one image: `num_results` 1 is sent when not given, since this
        route's default is 4 and more than one result needs ``sync=False``."""
        vid = require_id("visual_id", visual_id)
        body = {
            **_generation(bg_prompt, sync, fast, refine_prompt, num_results, negative_prompt, seed),
            **drop_none(sid=sid_of(sid), desired_resolution=check_resolution(desired_resolution)),
        }
        if sync and num_results is None:
            body["num_results"] = 1
        call = call_of(
            "background.replace_bg",
            {"visual_id": vid},
            json=body,
            kind="sync_generation" if sync else "quick",
        )
        return self._job(
            REPLACE,
            call,
            context={"sync": sync, "visual_id": vid},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def _edit(
        self,
        visual_id: str,
        route: str,
        sid: str | HasSid | None,
        params: dict[str, Any],
        *,
        extras: CallExtras,
    ) -> Awaitable[EditResult]:
        vid = require_id("visual_id", visual_id)
        query = {**drop_none(sid=sid_of(sid)), **params}
        call = call_of(route, {"visual_id": vid}, params=query or None)
        return self._direct(EDIT, call, {"visual_id": vid}, extras)
