"""``bria.visuals``: register images to Bria, read what Bria sees in them, and edit them.

Every edit answers a result with a `sid`; pass it (or the result itself) as ``sid=`` to the
next edit of the same visual to chain them: register -> remove background -> crop -> upscale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, Literal, get_args

from .._errors import ValidationError
from .._extras import CallExtras
from .._jobs import Job
from .._settings import Timeouts
from .._specs import JobSpec
from .._transport import Response
from .._validation import (
    check_bool,
    check_choice,
    check_int,
    check_list,
    drop_none,
    require_id,
    require_text,
    require_url,
)
from ..types.choices import BackgroundType
from ..types.images import EditResult, ImageResult, parse_edit_result
from ..types.visuals import (
    Caption,
    RegisteredVisual,
    VisualInfo,
    parse_campaign,
    parse_caption,
    parse_info,
    parse_register,
)
from ._base import Resource, call_of
from ._params import HEX_COLOUR, HasSid, colour, info_route, sid_of, size

MAX_CANVAS_AREA = 5000 * 5000
MIN_ORIGINAL_SHARE = 0.15
DEFAULT_CANVAS = (1000, 1000)
BACKGROUND_TYPES: tuple[str, ...] = get_args(BackgroundType)


async def _with_status(response: Response, runtime: Any) -> Any:
    """Keep whether /register answered 208 (already registered) next to its body."""
    return {"status": response.status, "body": response.json()}


REGISTER = JobSpec(kind="visuals.register", parse=parse_register, decode=_with_status)
REMOVE_IMAGE = JobSpec(kind="visuals.remove_image", parse=lambda body, ctx: None)
_INFO = info_route("visuals.info")
INFO = JobSpec(kind="visuals.info", parse=parse_info, finish=_INFO)
CAPTION = JobSpec(kind="visuals.caption", parse=parse_caption)
EDIT = JobSpec(kind="visuals.edit", parse=parse_edit_result)
CAMPAIGN = JobSpec(kind="visuals.campaign_generator", parse=parse_campaign)


class Visuals(Resource):
    """Registered visuals: onboarding, info, caption, and the edits that chain by `sid`."""

    async def register(
        self,
        image_url: str | None = None,
        *,
        org_image_key: str | None = None,
        is_private: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> RegisteredVisual:
        """Register the image at `image_url` (public) or known by your `org_image_key`; the
        result's `visual_id` is the key for every other visual route. Registering the same
        image again returns the same id (``already_registered`` is then True)."""
        if image_url is None and org_image_key is None:
            raise ValidationError("image_url", None, "an image_url or an org_image_key")
        private = check_bool("is_private", is_private)
        body = drop_none(
            image_url=None if image_url is None else require_url("image_url", image_url),
            org_image_key=None
            if org_image_key is None
            else require_text("org_image_key", org_image_key),
            # the reference types is_private as a string ("true"/"false")
            is_private=None if private is None else str(private).lower(),
        )
        return await self._direct(
            REGISTER,
            call_of("visuals.register", json=body),
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def remove_image(
        self,
        visual_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> None:
        """Remove the visual from your organisation's gallery (Bria keeps the image)."""
        vid = require_id("visual_id", visual_id)
        call = call_of("visuals.remove_image", {"visual_id": vid})
        return await self._direct(
            REMOVE_IMAGE,
            call,
            {"visual_id": vid},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def info(
        self,
        visual_id: str,
        *,
        lean: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[VisualInfo]:
        """What Bria sees in the visual (``lean=True``: description and size only); while
        the visual is still onboarding (205) the Job calls again until it answers."""
        context = {
            "visual_id": require_id("visual_id", visual_id),
            "lean": check_bool("lean", lean),
        }
        return self._job(
            INFO,
            _INFO.call(context),
            context=context,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def caption(
        self,
        visual_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Caption:
        """A caption that describes the visual."""
        vid = require_id("visual_id", visual_id)
        call = call_of("visuals.caption", {"visual_id": vid})
        return await self._direct(
            CAPTION,
            call,
            {"visual_id": vid},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def crop(
        self,
        visual_id: str,
        *,
        sid: str | HasSid | None = None,
        padding: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """Crop tightly around what remains of a visual without background (use it after
        ``background.remove_by_visual``), with `padding` pixels on every side."""
        body = drop_none(padding=check_int("padding", padding, 0))
        return await self._edit(
            visual_id,
            "crop",
            sid,
            json=body,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def image_to_psd(
        self,
        visual_id: str,
        *,
        sid: str | HasSid | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """A layered PSD of the visual (background, foreground, one layer per object); the
        result's `url` is the PSD file (``await result.save(dir)`` keeps it)."""
        return await self._edit(
            visual_id,
            "image_to_psd",
            sid,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def increase_resolution(
        self,
        visual_id: str,
        *,
        sid: str | HasSid | None = None,
        desired_increase: Literal[2, 4] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """Upscale the visual (or the edit `sid`) 2 or 4 times, up to 8192x8192 pixels."""
        params = drop_none(
            desired_increase=check_choice("desired_increase", desired_increase, (2, 4))
        )
        return await self._edit(
            visual_id,
            "increase_resolution",
            sid,
            params=params,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def image_expansion(
        self,
        visual_id: str,
        *,
        canvas_size: Sequence[int] | None = None,
        original_image_size: Sequence[int] | None = None,
        original_image_location: Sequence[int] | None = None,
        prompt: str | None = None,
        negative_prompt: str | None = None,
        seed: int | None = None,
        sid: str | HasSid | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """Expand the visual onto a `canvas_size` [w, h] canvas (area at most 5000x5000,
        default 1000x1000), the original scaled to `original_image_size` (over 15% of the
        canvas) with its upper-left corner at `original_image_location`."""
        canvas = size("canvas_size", canvas_size)
        width, height = canvas or DEFAULT_CANVAS
        if width * height > MAX_CANVAS_AREA:
            raise ValidationError(
                "canvas_size",
                canvas_size,
                "[width, height] with an area of at most 5000x5000 pixels",
            )
        original = size("original_image_size", original_image_size)
        if original is not None and original[0] * original[1] <= (
            MIN_ORIGINAL_SHARE * width * height
        ):
            raise ValidationError(
                "original_image_size",
                original_image_size,
                f"[width, height] over 15% of the {width}x{height} canvas",
            )
        body = drop_none(
            canvas_size=canvas,
            original_image_size=original,
            original_image_location=check_list(
                "original_image_location", original_image_location, check_int, length=2
            ),
            prompt=None if prompt is None else require_text("prompt", prompt),
            negative_prompt=None
            if negative_prompt is None
            else require_text("negative_prompt", negative_prompt),
            seed=check_int("seed", seed, 0),
            sid=sid_of(sid),
        )
        return await self._edit(
            visual_id,
            "image_expansion",
            None,
            json=body,
            kind="sync_generation",
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def campaign_generator(
        self,
        visual_id: str,
        *,
        template_id: str | None = None,
        layout_ids: Sequence[str] | None = None,
        sid: str | HasSid | None = None,
        preset_id: str | None = None,
        logo: str | None = None,
        cta: str | None = None,
        header1_text: str | None = None,
        header1_font: str | None = None,
        header1_size: int | None = None,
        header1_color: str | Sequence[int] | None = None,
        header2_text: str | None = None,
        header2_font: str | None = None,
        header2_size: int | None = None,
        header2_color: str | Sequence[int] | None = None,
        seed: int | None = None,
        background_type: BackgroundType | None = None,
        bg_prompt: str | None = None,
        bg_seed: int | None = None,
        bg_color: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> ImageResult:
        """Ads for several placements from the visual, laid out by `template_id` or
        `layout_ids` (one is required); each ad is an image whose ``extra`` holds its
        ``layout_id``, ``width`` and ``height``. Fonts, logo and CTA are URLs."""
        if template_id is None and layout_ids is None:
            raise ValidationError("template_id", None, "a template_id or layout_ids")
        check_choice("background_type", background_type, BACKGROUND_TYPES)
        if background_type == "generated" and bg_prompt is None:
            raise ValidationError("bg_prompt", None, 'a prompt when background_type="generated"')
        if background_type == "solid" and bg_color is None:
            raise ValidationError("bg_color", None, 'a hex colour when background_type="solid"')
        if bg_color is not None and not (
            isinstance(bg_color, str) and HEX_COLOUR.fullmatch(bg_color)
        ):
            raise ValidationError("bg_color", bg_color, 'a hex colour like "#FFFFFF"')
        text = {
            name: require_text(name, value)
            for name, value in (
                ("template_id", template_id),
                ("preset_id", preset_id),
                ("header1_text", header1_text),
                ("header2_text", header2_text),
                ("bg_prompt", bg_prompt),
            )
            if value is not None
        }
        urls = {
            name: require_url(name, value)
            for name, value in (
                ("logo", logo),
                ("cta", cta),
                ("header1_font", header1_font),
                ("header2_font", header2_font),
            )
            if value is not None
        }
        body = {
            **text,
            **urls,
            **drop_none(
                layout_ids=check_list("layout_ids", layout_ids, require_text),
                sid=sid_of(sid),
                header1_size=check_int("header1_size", header1_size, 1),
                header1_color=colour("header1_color", header1_color),
                header2_size=check_int("header2_size", header2_size, 1),
                header2_color=colour("header2_color", header2_color),
                seed=check_int("seed", seed, 0),
                background_type=background_type,
                bg_seed=check_int("bg_seed", bg_seed, 0),
                bg_color=bg_color,
            ),
        }
        vid = require_id("visual_id", visual_id)
        call = call_of(
            "visuals.campaign_generator", {"visual_id": vid}, json=body, kind="sync_generation"
        )
        return await self._direct(
            CAMPAIGN,
            call,
            {"visual_id": vid},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def _edit(
        self,
        visual_id: str,
        route: str,
        sid: str | HasSid | None,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        kind: Literal["quick", "sync_generation"] = "quick",
        extras: CallExtras,
    ) -> Awaitable[EditResult]:
        """POST /{visual_id}/{route}?sid=...: an edit whose answer is a result_url and sid."""
        vid = require_id("visual_id", visual_id)
        query = {**drop_none(sid=sid_of(sid)), **(params or {})}
        call = call_of(
            f"visuals.{route}", {"visual_id": vid}, params=query or None, json=json, kind=kind
        )
        return self._direct(EDIT, call, {"visual_id": vid, "route": route}, extras)
