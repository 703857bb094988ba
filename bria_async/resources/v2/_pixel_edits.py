"""The ``/v2/image/edit/*`` methods of ``bria.v2.image`` that work on the image's pixels:
its background, what a mask covers, its size and its quality."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, get_args

from ..._errors import ValidationError
from ..._extras import CallExtras
from ..._inputs import ImageInput
from ..._jobs import Job
from ..._settings import Timeouts
from ..._validation import (
    check_bool,
    check_choice,
    check_int,
    drop_none,
    require_int,
    require_list,
    require_text,
)
from ...types.choices import V2MaskType
from ...types.v2 import V2Result
from ._common import _image, _text, _V2Resource

MASK_TYPES: tuple[str, ...] = get_args(V2MaskType)
_RATIO = re.compile(r"[1-9][0-9]{0,3}:[1-9][0-9]{0,3}")


class _PixelEdits(_V2Resource):
    """The edits of ``bria.v2.image`` that change the image's pixels: background, erasing,
    filling, expanding, enhancing, upscaling, cropping."""

    def remove_background(
        self,
        image: ImageInput,
        *,
        guided: bool = False,
        mask: ImageInput | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The image's foreground on a transparent background (a PNG with alpha);
        `guided=True` uses the ``/guided`` variant, which may take a `mask` of what to keep."""
        if not isinstance(guided, bool):
            raise ValidationError("guided", guided, "True or False")
        if mask is not None and not guided:
            raise ValidationError("mask", mask, "None, or a mask with guided=True")
        body = {"image": _image("image", image)}
        if mask is not None:
            body["mask"] = _image("mask", mask, is_mask=True)
        route = "remove_background/guided" if guided else "remove_background"
        return self._edit(
            route,
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def replace_background(
        self,
        image: ImageInput,
        prompt: str,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """A new background described by `prompt`."""
        body = {"image": _image("image", image), "prompt": require_text("prompt", prompt)}
        return self._edit(
            "replace_background",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def blur_background(
        self,
        image: ImageInput,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The background blurred."""
        return self._edit(
            "blur_background",
            {"image": _image("image", image)},
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def erase(
        self,
        image: ImageInput,
        mask: ImageInput,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """What `mask` covers erased."""
        body = {"image": _image("image", image), "mask": _image("mask", mask, is_mask=True)}
        return self._edit(
            "erase",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def erase_foreground(
        self,
        image: ImageInput,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The foreground erased, the background filled in."""
        return self._edit(
            "erase_foreground",
            {"image": _image("image", image)},
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def gen_fill(
        self,
        image: ImageInput,
        mask: ImageInput,
        prompt: str,
        *,
        mask_type: V2MaskType | None = None,
        negative_prompt: str | None = None,
        num_results: int | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """What `prompt` describes, generated where `mask` covers."""
        body = {
            "image": _image("image", image),
            "mask": _image("mask", mask, is_mask=True),
            "prompt": require_text("prompt", prompt),
            **drop_none(
                mask_type=check_choice("mask_type", mask_type, MASK_TYPES),
                negative_prompt=_text("negative_prompt", negative_prompt),
                num_results=check_int("num_results", num_results, 1, 4),
            ),
        }
        return self._edit(
            "gen_fill",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def expand(
        self,
        image: ImageInput,
        *,
        aspect_ratio: str | None = None,
        canvas_size: Sequence[int] | None = None,
        prompt: str | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The image extended to `aspect_ratio` ("W:H") or to `canvas_size` ([width,
        height]), one of them."""
        if (aspect_ratio is None) == (canvas_size is None):
            raise ValidationError(
                "aspect_ratio", aspect_ratio, "an aspect_ratio or a canvas_size (one of them)"
            )
        if aspect_ratio is not None and not (
            isinstance(aspect_ratio, str) and _RATIO.fullmatch(aspect_ratio)
        ):
            raise ValidationError("aspect_ratio", aspect_ratio, "a ratio such as '16:9'")
        size = (
            None
            if canvas_size is None
            else require_list(
                "canvas_size",
                canvas_size,
                lambda n, v: require_int(n, v, 1, 25_000),
                min_length=2,
                max_length=2,
            )
        )
        body = {
            "image": _image("image", image),
            **drop_none(
                aspect_ratio=aspect_ratio, canvas_size=size, prompt=_text("prompt", prompt)
            ),
        }
        return self._edit(
            "expand",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def enhance(
        self,
        image: ImageInput,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The image enhanced (detail, sharpness)."""
        return self._edit(
            "enhance",
            {"image": _image("image", image)},
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def increase_resolution(
        self,
        image: ImageInput,
        *,
        desired_increase: int | None = None,
        preserve_alpha: bool | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The image upscaled `desired_increase` times (2 to 4; Bria's default 2)."""
        body = {
            "image": _image("image", image),
            **drop_none(
                desired_increase=check_int("desired_increase", desired_increase, 2, 4),
                preserve_alpha=check_bool("preserve_alpha", preserve_alpha),
            ),
        }
        return self._edit(
            "increase_resolution",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def crop_foreground(
        self,
        image: ImageInput,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The image cropped to its foreground."""
        return self._edit(
            "crop_foreground",
            {"image": _image("image", image)},
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )
