"""``bria.product``: the e-commerce suite (cutout, packshot, lifestyle and consistent shots,
keyword extraction).

Every route takes its image as ``image_url`` or a base64 ``file`` in JSON: pass a URL, a
path, bytes or a binary file. A string that is no http(s) URL is refused at once; files are
read off the event loop and checked (jpeg, png or webp, at most 12 MB) when the Job is sent,
so a bad file raises ValidationError from ``await job`` before anything reaches the API.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar, get_args

from .._completion import Placeholders
from .._errors import ValidationError
from .._extras import CallExtras
from .._inputs import PRODUCT_TYPES, ImageInput, check, json_fields, load
from .._jobs import Job
from .._request import Call
from .._settings import Timeouts
from .._specs import JobSpec
from .._validation import (
    check_bool,
    check_choice,
    check_int,
    check_list,
    drop_none,
    refuse,
    require_bool,
    require_list,
    require_text,
)
from ..types.choices import Placement, PlacementType
from ..types.images import (
    EditResult,
    ImageResult,
    parse_edit_result,
    parse_image_result,
    placeholder_urls,
)
from ..types.product import ProductKeywords, parse_keywords
from ._base import Resource, call_of
from ._product_images import IMAGE as _IMAGE
from ._product_images import REFERENCE as _REFERENCE
from ._product_images import image_call as _image_call
from ._product_images import with_images as _with_images

PLACEMENT_TYPES: tuple[str, ...] = get_args(PlacementType)
PLACEMENTS: tuple[str, ...] = get_args(Placement)
#: placement_type=automatic answers this many shots per requested result.
R = TypeVar("R")
AUTOMATIC_SHOTS = 10
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")

CUTOUT = JobSpec(kind="product.cutout", parse=parse_edit_result)
PACKSHOT = JobSpec(kind="product.packshot", parse=parse_edit_result)
LIFESTYLE_BY_TEXT = JobSpec(
    kind="product.lifestyle_shot_by_text",
    parse=parse_image_result,
    finish=Placeholders(placeholder_urls),
)

LIFESTYLE_BY_IMAGE = JobSpec(
    kind="product.lifestyle_shot_by_image",
    parse=parse_image_result,
    finish=Placeholders(placeholder_urls),
)

CONSISTENT_SHOTS = JobSpec(
    kind="product.consistent_shots",
    parse=parse_image_result,
    finish=Placeholders(placeholder_urls),
)

KEYWORDS = JobSpec(kind="product.contextual_keyword_extraction", parse=parse_keywords)


class Product(Resource):
    """E-commerce product shots. Results expire on Bria's side after about an hour: save
    them (``await result.save(dir)``) to keep them."""

    async def cutout(
        self,
        image: ImageInput,
        *,
        sku: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """A clean cutout of the product in `image` (URL, path, bytes or binary file)."""
        return await self._post(
            CUTOUT,
            _sku(sku),
            {_IMAGE: image},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def packshot(
        self,
        image: ImageInput,
        *,
        sku: str | None = None,
        background_color: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """A 2000x2000 professional packshot of the product in `image` (or of its cutout) on
        `background_color` (hex like ``"#FFFFFF"``, the default, or ``"transparent"``)."""
        if (
            background_color is not None
            and background_color != "transparent"
            and not (isinstance(background_color, str) and _HEX_COLOUR.fullmatch(background_color))
        ):
            raise ValidationError(
                "background_color",
                background_color,
                "a hex colour like '#FFFFFF', or 'transparent'",
            )
        body = {**_sku(sku), **drop_none(background_color=background_color)}
        return await self._post(
            PACKSHOT,
            body,
            {_IMAGE: image},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def lifestyle_shot_by_text(
        self,
        image: ImageInput,
        scene_description: str,
        *,
        sku: str | None = None,
        sync: bool = False,
        fast: bool | None = None,
        optimize_description: bool | None = None,
        num_results: int | None = None,
        exclude_elements: str | None = None,
        placement_type: PlacementType | None = None,
        shot_size: Sequence[int] | None = None,
        manual_placement_selection: Sequence[Placement] | None = None,
        padding_values: Sequence[int] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[ImageResult]:
        """The product of `image` placed in the scene `scene_description` (English).

        `placement_type` "automatic" makes 10 shots per result, "manual_placement" one per
        `manual_placement_selection` entry, "manual_padding" uses `padding_values` [top,
        bottom, left, right]; `shot_size` [width, height] applies to the first two.
        ``sync=True`` is allowed only for a single shot (never with "automatic").
        """
        body = {
            **_sku(sku),
            "scene_description": require_text("scene_description", scene_description),
            **drop_none(
                fast=check_bool("fast", fast),
                optimize_description=check_bool("optimize_description", optimize_description),
                exclude_elements=None
                if exclude_elements is None
                else require_text("exclude_elements", exclude_elements),
            ),
            **_placement(
                sync,
                num_results,
                placement_type,
                shot_size,
                manual_placement_selection,
                padding_values,
            ),
        }
        return self._lifestyle(
            LIFESTYLE_BY_TEXT,
            body,
            sync,
            {_IMAGE: image},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def lifestyle_shot_by_image(
        self,
        image: ImageInput,
        reference_image: ImageInput,
        *,
        sku: str | None = None,
        sync: bool = False,
        num_results: int | None = None,
        placement_type: PlacementType | None = None,
        shot_size: Sequence[int] | None = None,
        manual_placement_selection: Sequence[Placement] | None = None,
        padding_values: Sequence[int] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[ImageResult]:
        """Coming soon in the API (the reference marks it so): the product of `image` in a
        scene inspired by `reference_image`. Placement options as in
        `lifestyle_shot_by_text`; with "automatic" or "manual_placement" num_results is 1.
        """
        if placement_type in ("automatic", "manual_placement") and num_results not in (None, 1):
            raise ValidationError(
                "num_results", num_results, f"1 with placement_type={placement_type!r}"
            )
        body = {
            **_sku(sku),
            **_placement(
                sync,
                num_results,
                placement_type,
                shot_size,
                manual_placement_selection,
                padding_values,
            ),
        }
        return self._lifestyle(
            LIFESTYLE_BY_IMAGE,
            body,
            sync,
            {_IMAGE: image, _REFERENCE: reference_image},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def consistent_shots(
        self,
        images: Sequence[ImageInput],
        *,
        scene_description: str | None = None,
        reference_image: ImageInput | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[ImageResult]:
        """Coming soon in the API (the reference gives no parameters yet): consistent shots
        of a group of products in one scene, described by text or by a reference image
        (exactly one). Images go as ``image_urls`` or base64 ``files``, all of one kind."""
        items = require_list("images", images, lambda _, v: v)
        if len({isinstance(v, str) for v in items}) > 1:
            raise ValidationError("images", images, "all URLs or all files, not a mix")
        for i, item in enumerate(items):
            check(item, parameter=f"images[{i}]")
        if (scene_description is None) == (reference_image is None):
            raise ValidationError(
                "scene_description",
                scene_description,
                "exactly one of scene_description or reference_image",
            )
        body = drop_none(
            scene_description=None
            if scene_description is None
            else require_text("scene_description", scene_description)
        )
        with_reference = _with_images(
            {} if reference_image is None else {_REFERENCE: reference_image}
        )

        async def prepare(call: Call) -> Call:
            fields = [
                json_fields(await load(v, parameter=f"images[{i}]", allowed_types=PRODUCT_TYPES))
                for i, v in enumerate(items)
            ]
            key = "image_url" if "image_url" in fields[0] else "file"
            group = {"image_urls" if key == "image_url" else "files": [f[key] for f in fields]}
            return await with_reference(call._replace(json={**call.json, **group}))

        call = call_of("product.consistent_shots", json=body, prepare=prepare)
        return self._job(
            CONSISTENT_SHOTS,
            call,
            context={"sync": False},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def contextual_keyword_extraction(
        self,
        image: ImageInput,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> ProductKeywords:
        """Coming soon in the API (the reference gives no parameters yet): keywords that
        describe the main product of `image`, for search and SEO."""
        return await self._post(
            KEYWORDS,
            {},
            {_IMAGE: image},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def _post(
        self,
        spec: JobSpec[R],
        body: dict[str, Any],
        images: Mapping[tuple[str, str, str], ImageInput],
        *,
        extras: CallExtras,
    ) -> Awaitable[R]:
        return self._direct(spec, _image_call(spec.kind, body, images), extras=extras)

    def _lifestyle(
        self,
        spec: JobSpec[ImageResult],
        body: dict[str, Any],
        sync: bool,
        images: Mapping[tuple[str, str, str], ImageInput],
        *,
        extras: CallExtras,
    ) -> Job[ImageResult]:
        call = _image_call(spec.kind, body, images, kind="sync_generation" if sync else "quick")
        return self._job(spec, call, context={"sync": sync}, extras=extras)


def _sku(sku: str | None) -> dict[str, str]:
    return {} if sku is None else {"sku": require_text("sku", sku)}


def _placement(
    sync: bool,
    num_results: int | None,
    placement_type: str | None,
    shot_size: Sequence[int] | None,
    selection: Sequence[str] | None,
    padding_values: Sequence[int] | None,
) -> dict[str, Any]:
    """The placement fields of a lifestyle shot, checked together: options of another
    placement type are refused, and sync=True only for a single shot."""
    require_bool("sync", sync)
    check_int("num_results", num_results, 1)
    check_choice("placement_type", placement_type, PLACEMENT_TYPES)
    if placement_type not in ("automatic", "manual_placement"):
        refuse(
            "shot_size",
            shot_size,
            "None unless placement_type is 'automatic' or 'manual_placement'",
        )
    if placement_type != "manual_placement":
        refuse(
            "manual_placement_selection",
            selection,
            "None unless placement_type is 'manual_placement'",
        )
    if placement_type != "manual_padding":
        refuse("padding_values", padding_values, "None unless placement_type is 'manual_padding'")
    shot_size = check_list("shot_size", shot_size, lambda n, v: check_int(n, v, 1), length=2)
    selection = check_list(
        "manual_placement_selection", selection, lambda n, v: check_choice(n, v, PLACEMENTS)
    )
    padding_values = check_list(
        "padding_values", padding_values, lambda n, v: check_int(n, v, 0), length=4
    )
    per_result = (
        AUTOMATIC_SHOTS
        if placement_type == "automatic"
        else len(selection or ["upper_left"])
        if placement_type == "manual_placement"
        else 1
    )
    if sync and placement_type == "automatic":
        raise ValidationError("sync", sync, "False when placement_type is 'automatic'")
    if sync and (num_results or 1) * per_result > 1:
        raise ValidationError("sync", sync, "False when more than one shot is generated")
    return {
        "sync": sync,
        **drop_none(
            num_results=num_results,
            placement_type=placement_type,
            shot_size=shot_size,
            manual_placement_selection=selection,
            padding_values=padding_values,
        ),
    }
