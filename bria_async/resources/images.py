"""``bria.images``: text to image with the base, fast, HD and tailored models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

from .._completion import Placeholders
from .._errors import ValidationError
from .._extras import CallExtras
from .._inputs import JPEG_PNG, RGB_MODES, ImageInput, LoadedImage
from .._jobs import Job
from .._request import Call
from .._settings import Timeouts
from .._specs import JobSpec
from .._validation import (
    check_bool,
    check_choice,
    check_int,
    check_number,
    drop_none,
    refuse,
    require_bool,
    require_choice,
    require_id,
    require_text,
)
from ..types.choices import AspectRatio, GenerationModel, Medium
from ..types.images import (
    EditResult,
    ImageResult,
    parse_edit_result,
    parse_image_result,
    placeholder_urls,
)
from ._base import Resource, call_of
from ._params import upload

ASPECT_RATIOS: tuple[str, ...] = get_args(AspectRatio)
MEDIUMS: tuple[str, ...] = get_args(Medium)
#: The model versions each route serves now; base also answers retired ones with 209.
MODEL_VERSIONS: dict[str, tuple[str, ...]] = {
    "base": ("2.3", "2.2", "2.0"),
    "fast": ("2.3",),
    "hd": ("2.2",),
}
_STEPS = {"base": (20, 50), "fast": (4, 10), "hd": (20, 50), "tailored": (4, 20)}
MAX_UPSCALED_AREA = 8192 * 8192
MIN_UPSCALE_SIDE = 216
UPSCALE = JobSpec(kind="images.upscale", parse=parse_edit_result)

GENERATE = JobSpec(
    kind="images.generate", parse=parse_image_result, finish=Placeholders(placeholder_urls)
)


class Images(Resource):
    """Text-to-image generation; every method returns a Job of an ImageResult."""

    def generate(
        self,
        prompt: str,
        *,
        model: GenerationModel = "base",
        model_version: str | None = None,
        num_results: int | None = None,
        aspect_ratio: AspectRatio | None = None,
        sync: bool = False,
        seed: int | None = None,
        negative_prompt: str | None = None,
        steps_num: int | None = None,
        text_guidance_scale: float | None = None,
        medium: Medium | None = None,
        prompt_enhancement: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[ImageResult]:
        """Generate up to 4 images from `prompt` with Bria's base (2.3), fast (2.3) or HD (2.2)
        model; unset options take the API's defaults. ``sync=False`` (the default) answers at
        once with placeholder URLs that the client polls; the Job resolves when all are ready.
        """
        versions = MODEL_VERSIONS[require_choice("model", model, tuple(MODEL_VERSIONS))]
        version = require_choice(
            "model_version", versions[0] if model_version is None else model_version, versions
        )
        if require_bool("sync", sync) and model == "hd" and num_results not in (None, 1):
            raise ValidationError(
                "num_results", num_results, "1 with sync=True on the HD model (or sync=False)"
            )
        if model == "fast":
            refuse("negative_prompt", negative_prompt, "None: the fast model does not take it")
            refuse(
                "text_guidance_scale", text_guidance_scale, "None: the fast model does not take it"
            )
        check_number("text_guidance_scale", text_guidance_scale, 1, 10)
        body = self._common(prompt, model, num_results, aspect_ratio, sync, seed, steps_num)
        body.update(
            drop_none(
                negative_prompt=negative_prompt,
                text_guidance_scale=text_guidance_scale,
                medium=check_choice("medium", medium, MEDIUMS),
                prompt_enhancement=check_bool("prompt_enhancement", prompt_enhancement),
            )
        )
        if model == "hd" and sync and num_results is None:
            body["num_results"] = 1
        if negative_prompt is not None:
            require_text("negative_prompt", negative_prompt)
        call = call_of(f"images.generate.{model}", {"model_version": version}, json=body)
        return self._generate(
            call,
            sync,
            model,
            version,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def generate_tailored(
        self,
        model_id: str | int,
        prompt: str,
        *,
        num_results: int | None = None,
        aspect_ratio: AspectRatio | None = None,
        sync: bool = False,
        seed: int | None = None,
        steps_num: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[ImageResult]:
        """Generate images with a tailored model you trained (see ``bria.models``)."""
        path_id = require_id("model_id", model_id)
        body = self._common(prompt, "tailored", num_results, aspect_ratio, sync, seed, steps_num)
        call = call_of("images.generate_tailored", {"model_id": path_id}, json=body)
        return self._generate(
            call,
            sync,
            "tailored",
            path_id,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def upscale(
        self,
        image: ImageInput,
        *,
        desired_increase: Literal[2, 4] = 2,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """Increase the resolution of any image 2 or 4 times, without registering it: a
        public URL (sent as ``image_url``) or a JPEG/PNG file of at most 12 MB (uploaded as
        ``file``). A file is read and checked as the Job is sent: at least 216 px a side and
        a result of at most 8192x8192 pixels."""
        factor = require_choice("desired_increase", desired_increase, (2, 4))
        call = call_of(
            "images.upscale",
            params={"desired_increase": factor},
            prepare=upload(
                image,
                encoding="form",
                allowed_types=JPEG_PNG,
                allowed_modes=RGB_MODES,
                check_loaded=lambda loaded: _check_upscale(loaded, factor),
            ),
        )
        return await self._direct(
            UPSCALE, call, extras=CallExtras(extra_headers, extra_query, extra_body, timeout)
        )

    @staticmethod
    def _common(
        prompt: str,
        model: str,
        num_results: int | None,
        aspect_ratio: str | None,
        sync: bool,
        seed: int | None,
        steps_num: int | None,
    ) -> dict[str, Any]:
        lo, hi = _STEPS[model]
        return {
            "prompt": require_text("prompt", prompt),
            "sync": require_bool("sync", sync),
            **drop_none(
                num_results=check_int("num_results", num_results, 1, 4),
                aspect_ratio=check_choice("aspect_ratio", aspect_ratio, ASPECT_RATIOS),
                seed=check_int("seed", seed, 0),
                steps_num=check_int("steps_num", steps_num, lo, hi),
            ),
        }

    def _generate(
        self, call: Call, sync: bool, model: str, version: str, *, extras: CallExtras
    ) -> Job[ImageResult]:
        if sync:
            call = call._replace(kind="sync_generation")
        return self._job(
            GENERATE,
            call,
            context={"sync": sync, "model": model, "model_version": version},
            extras=extras,
        )


def _check_upscale(image: LoadedImage, factor: int) -> None:
    """Refuse a file whose header size is under 216 px a side or would pass 8192x8192."""
    if image.size is None:
        return
    width, height = image.size
    if min(width, height) < MIN_UPSCALE_SIDE:
        raise ValidationError(
            "image",
            f"{width}x{height} pixels",
            f"an image of at least {MIN_UPSCALE_SIDE} px on each side",
        )
    if width * factor * height * factor > MAX_UPSCALED_AREA:
        raise ValidationError(
            "desired_increase",
            factor,
            f"a factor that keeps {width}x{height} within 8192x8192 pixels (area)",
        )
