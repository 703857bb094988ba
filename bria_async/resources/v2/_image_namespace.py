"""``bria.v2.image``: generation and the instruction edit, here; the ``/image/edit/*``
routes come from `_pixel_edits` and `_scene_edits`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args

from ..._errors import ValidationError
from ..._extras import CallExtras
from ..._inputs import ImageInput
from ..._jobs import Job
from ..._settings import Timeouts
from ..._validation import check_choice, check_int, drop_none, require_id
from ...types.choices import V2AspectRatio, V2Resolution
from ...types.v2 import V2Result
from ._common import _image, _images, _structured, _text
from ._pixel_edits import _PixelEdits
from ._scene_edits import _SceneEdits
from ._specs import EDIT, GENERATE

ASPECT_RATIOS: tuple[str, ...] = get_args(V2AspectRatio)
RESOLUTIONS: tuple[str, ...] = get_args(V2Resolution)


class V2Image(_PixelEdits, _SceneEdits):
    """``bria.v2.image``: generation, the instruction edit, and every ``/image/edit/*``."""

    def generate(
        self,
        prompt: str | None = None,
        *,
        structured_prompt: str | Mapping[str, Any] | None = None,
        image_url: ImageInput | None = None,
        aspect_ratio: V2AspectRatio | None = None,
        resolution: V2Resolution | None = None,
        negative_prompt: str | None = None,
        num_results: int | None = None,
        seed: int | None = None,
        style_id: str | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """Generate from a `prompt`, recreate from a `structured_prompt` and its `seed` (or
        refine it with a `prompt`), or take inspiration from an image (`image_url`)."""
        structured = _structured("structured_prompt", structured_prompt)
        inspire = None if image_url is None else _image("image_url", image_url)
        if prompt is None and structured is None and inspire is None:
            raise ValidationError(
                "prompt", None, "a prompt, a structured_prompt (with seed) or an image_url"
            )
        if structured is not None and inspire is not None:
            raise ValidationError(
                "image_url", image_url, "no image_url with a structured_prompt (one or the other)"
            )
        if structured is not None and prompt is None and seed is None:
            raise ValidationError(
                "seed", None, "the seed of the structured_prompt, to recreate its image"
            )
        checked = check_choice("resolution", resolution, RESOLUTIONS)
        if checked == "4MP" and sync is True:
            raise ValidationError(
                "resolution", resolution, "'1MP' with sync=True ('4MP' needs sync=False)"
            )
        body = drop_none(
            prompt=_text("prompt", prompt),
            structured_prompt=structured,
            image_url=inspire,
            aspect_ratio=check_choice("aspect_ratio", aspect_ratio, ASPECT_RATIOS),
            resolution=checked,
            negative_prompt=_text("negative_prompt", negative_prompt),
            num_results=check_int("num_results", num_results, 1, 4),
            seed=check_int("seed", seed, 0),
            style_id=None if style_id is None else require_id("style_id", style_id),
        )
        return self._v2_job(
            GENERATE,
            body,
            sync=sync,
            webhook_url=webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def edit(
        self,
        images: Sequence[ImageInput],
        *,
        instruction: str | None = None,
        structured_instruction: str | Mapping[str, Any] | None = None,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """Edit 1 to 4 images by an `instruction` (or a `structured_instruction`). Always
        ``sync=false``: Bria's synchronous answer of this route ends in a gateway timeout."""
        structured = _structured("structured_instruction", structured_instruction)
        if (instruction is None) == (structured is None):
            raise ValidationError(
                "instruction",
                instruction,
                "an instruction or a structured_instruction (one of them)",
            )
        body = drop_none(
            images=_images("images", images),
            instruction=_text("instruction", instruction),
            structured_instruction=structured,
        )
        return self._v2_job(
            EDIT,
            body,
            sync=False,
            webhook_url=webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )
