"""``bria.v2``: the v2 routes (generation, edits, product integration, structured
instructions) and one status read. Every route answers 202 with a status URL that the client
follows (`StatusURL`), or, with ``sync=True``, 200 with the result; `webhook_url` asks Bria to
POST the final status there too (see `bria_async.webhooks`).

Images go as V2.md says, in fields such as ``image``: a public URL as is, a file (path,
bytes, binary file) as base64, read off the event loop as the Job is sent.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, get_args

import attrs

from .._completion import StatusURL, check_placeholder_url
from .._errors import (
    APIResponseValidationError,
    NotFoundError,
    RequestExpiredError,
    ValidationError,
)
from .._extras import CallExtras, sent_with
from .._inputs import IMAGE_TYPES, RGB_MODES, ImageInput, check, load
from .._jobs import Job
from .._json import dumps, loads
from .._request import Call, TimeoutKind
from .._routes import ROUTES
from .._settings import Timeouts
from .._specs import JobSpec
from .._tokens import TokenData
from .._validation import (
    check_bool,
    check_choice,
    check_int,
    drop_none,
    require_bool,
    require_choice,
    require_id,
    require_int,
    require_list,
    require_text,
)
from ..types.choices import (
    LightDirection,
    LightType,
    Season,
    V2AspectRatio,
    V2Color,
    V2MaskType,
    V2Resolution,
    V2Style,
)
from ..types.v2 import StatusEvent, V2Result, parse_status, parse_v2_result
from ._base import Resource, call_of

ASPECT_RATIOS: tuple[str, ...] = get_args(V2AspectRatio)
RESOLUTIONS: tuple[str, ...] = get_args(V2Resolution)
MASK_TYPES: tuple[str, ...] = get_args(V2MaskType)
SEASONS: tuple[str, ...] = get_args(Season)
STYLES: tuple[str, ...] = get_args(V2Style)
LIGHT_TYPES: tuple[str, ...] = get_args(LightType)
LIGHT_DIRECTIONS: tuple[str, ...] = get_args(LightDirection)
COLORS: tuple[str, ...] = get_args(V2Color)
_RATIO = re.compile(r"[1-9][0-9]{0,3}:[1-9][0-9]{0,3}")
_STATUS_PLAN = StatusURL()


def _spec(kind: str) -> JobSpec[V2Result]:
    return JobSpec(kind=f"v2.{kind}", parse=parse_v2_result, finish=_STATUS_PLAN)


GENERATE = _spec("image.generate")
EDIT = _spec("image.edit")
STRUCTURED_INSTRUCTION = _spec("structured_instruction")
#: ``bria.v2.job(request_id)``: the Job of any v2 request, known by its id alone.
FOLLOW = _spec("job")
INTEGRATE = _spec("product.integrate")
#: The ``/v2/image/edit/<route>`` routes of the route table (each reached by a method of
#: ``bria.v2.image``), by route.
EDIT_SPECS = {
    route.name.removeprefix("v2.image."): _spec(route.name.removeprefix("v2."))
    for route in ROUTES
    if route.name.startswith("v2.image.") and route.path.startswith("/image/edit/")
}


@attrs.frozen
class _Image:
    """An image input in a v2 body, read and encoded as the Job is sent."""

    value: ImageInput
    parameter: str
    is_mask: bool = False


def _image(parameter: str, value: Any, *, is_mask: bool = False) -> _Image:
    check(value, parameter=parameter)
    return _Image(value, parameter, is_mask)


def _images(parameter: str, value: Any) -> list[_Image]:
    return require_list(parameter, value, lambda name, item: _image(name, item), max_length=4)


async def _encoded(node: Any) -> tuple[Any, bool]:
    """`node` with every _Image replaced by its URL or base64; True if a file was read."""
    if isinstance(node, _Image):
        loaded = await load(
            node.value,
            parameter=node.parameter,
            allowed_types=IMAGE_TYPES,
            allowed_modes=None if node.is_mask else RGB_MODES,
        )
        if loaded.url is not None:
            return loaded.url, False
        return base64.b64encode(loaded.data or b"").decode("ascii"), True
    if isinstance(node, dict):
        pairs = [(k, await _encoded(v)) for k, v in node.items()]
        return {k: v for k, (v, _) in pairs}, any(f for _, (_, f) in pairs)
    if isinstance(node, list):
        items = [await _encoded(v) for v in node]
        return [v for v, _ in items], any(f for _, f in items)
    return node, False


async def _prepare(call: Call) -> Call:
    body, read_files = await _encoded(call.json)
    kind = "upload" if read_files and call.kind == "quick" else call.kind
    return call._replace(json=body, kind=kind, prepare=None)


def _structured(name: str, value: Any) -> str | None:
    """None, or a JSON object given as a mapping or as its JSON text: the text to send."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        try:
            return dumps(value)
        except (TypeError, ValueError):
            raise ValidationError(
                name, value, "a JSON object (a mapping or its JSON text)"
            ) from None
    if isinstance(value, str):
        try:
            parsed = loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return value
    raise ValidationError(name, value, "a JSON object (a mapping or its JSON text)")


def _text(name: str, value: Any) -> str | None:
    return None if value is None else require_text(name, value)


class _V2Resource(Resource):
    """What the v2 namespaces share: the common fields and the Job of a v2 route."""

    def _v2_job(
        self,
        spec: JobSpec[V2Result],
        body: dict[str, Any],
        *,
        sync: bool,
        webhook_url: str | None,
        extras: CallExtras,
    ) -> Job[V2Result]:
        sync = require_bool("sync", sync)
        hook = None
        if webhook_url is not None:
            try:
                hook = check_placeholder_url(
                    webhook_url, allow_insecure_http=self._client._runtime.allow_insecure_http
                )
            except ValueError as exc:
                raise ValidationError("webhook_url", webhook_url, f"an https URL ({exc})") from None
        full = {**body, "sync": sync, **drop_none(webhook_url=hook)}
        kind: TimeoutKind = "sync_generation" if sync else "quick"
        # its route is named as its Job's kind
        call = call_of(spec.kind, json=full, kind=kind, prepare=_prepare)
        return self._job(
            spec, call, context={"sync": sync, "webhook": hook is not None}, extras=extras
        )

    def _edit(
        self,
        route: str,
        body: dict[str, Any],
        sync: bool,
        webhook_url: str | None,
        *,
        extras: CallExtras,
    ) -> Job[V2Result]:
        return self._v2_job(
            EDIT_SPECS[route], body, sync=sync, webhook_url=webhook_url, extras=extras
        )


class V2Image(_V2Resource):
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

    def add_object_by_text(
        self,
        image: ImageInput,
        instruction: str,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """An object added as `instruction` says."""
        body = {
            "image": _image("image", image),
            "instruction": require_text("instruction", instruction),
        }
        return self._edit(
            "add_object_by_text",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def replace_object_by_text(
        self,
        image: ImageInput,
        instruction: str,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """An object replaced as `instruction` says."""
        body = {
            "image": _image("image", image),
            "instruction": require_text("instruction", instruction),
        }
        return self._edit(
            "replace_object_by_text",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def erase_by_text(
        self,
        image: ImageInput,
        object_name: str,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The object named `object_name` erased."""
        body = {
            "image": _image("image", image),
            "object_name": require_text("object_name", object_name),
        }
        return self._edit(
            "erase_by_text",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def rewrite_text(
        self,
        image: ImageInput,
        new_text: str,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The text already in the image changed to `new_text`."""
        body = {"image": _image("image", image), "new_text": require_text("new_text", new_text)}
        return self._edit(
            "rewrite_text",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def blend(
        self,
        image: ImageInput,
        overlay: ImageInput,
        instruction: str,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """`overlay` blended into the image as `instruction` says."""
        body = {
            "image": _image("image", image),
            "overlay": _image("overlay", overlay),
            "instruction": require_text("instruction", instruction),
        }
        return self._edit(
            "blend",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def reseason(
        self,
        image: ImageInput,
        season: Season,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The scene moved to another `season` (spring, summer, autumn, winter)."""
        body = {
            "image": _image("image", image),
            "season": require_choice("season", season, SEASONS),
        }
        return self._edit(
            "reseason",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def restyle(
        self,
        image: ImageInput,
        style: V2Style,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The image redrawn in one of STYLES."""
        body = {"image": _image("image", image), "style": require_choice("style", style, STYLES)}
        return self._edit(
            "restyle",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def relight(
        self,
        image: ImageInput,
        light_type: LightType,
        light_direction: LightDirection,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The scene relit: one of LIGHT_TYPES from one of LIGHT_DIRECTIONS."""
        body = {
            "image": _image("image", image),
            "light_type": require_choice("light_type", light_type, LIGHT_TYPES),
            "light_direction": require_choice("light_direction", light_direction, LIGHT_DIRECTIONS),
        }
        return self._edit(
            "relight",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def sketch_to_colored_image(
        self,
        image: ImageInput,
        *,
        prompt: str | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """A sketch turned into a coloured image, guided by an optional `prompt`."""
        body = {"image": _image("image", image), **drop_none(prompt=_text("prompt", prompt))}
        return self._edit(
            "sketch_to_colored_image",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def restore(
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
        """An old or damaged photo restored."""
        return self._edit(
            "restore",
            {"image": _image("image", image)},
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def colorize(
        self,
        image: ImageInput,
        color: V2Color,
        *,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The image coloured in one of COLORS."""
        body = {"image": _image("image", image), "color": require_choice("color", color, COLORS)}
        return self._edit(
            "colorize",
            body,
            sync,
            webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )


def _coordinates(name: str, value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping) or set(value) != {"x", "y", "width", "height"}:
        raise ValidationError(name, value, "a mapping of x, y, width and height")
    return {
        "x": require_int(f"{name}.x", value["x"], 0),
        "y": require_int(f"{name}.y", value["y"], 0),
        "width": require_int(f"{name}.width", value["width"], 1),
        "height": require_int(f"{name}.height", value["height"], 1),
    }


def _product(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping) or set(value) != {"image", "coordinates"}:
        raise ValidationError(name, value, "a mapping of image and coordinates")
    return {
        "image": _image(f"{name}.image", value["image"]),
        "coordinates": _coordinates(f"{name}.coordinates", value["coordinates"]),
    }


class V2Product(_V2Resource):
    """``bria.v2.product``."""

    def integrate(
        self,
        scene: ImageInput,
        products: Sequence[Mapping[str, Any]],
        *,
        seed: int | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """Place `products` (each ``{"image": ..., "coordinates": {x, y, width, height}}``)
        into `scene`."""
        body = {
            "scene": _image("scene", scene),
            "products": require_list("products", products, _product),
            **drop_none(seed=check_int("seed", seed, 0)),
        }
        return self._v2_job(
            INTEGRATE,
            body,
            sync=sync,
            webhook_url=webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )


class V2(_V2Resource):
    """``bria.v2``: the v2 API. ``bria.v2.image``, ``bria.v2.product``, structured
    instructions, and one read of a request's status."""

    @cached_property
    def image(self) -> V2Image:
        return V2Image(self._client)

    @cached_property
    def product(self) -> V2Product:
        return V2Product(self._client)

    def structured_instruction(
        self,
        images: Sequence[ImageInput],
        instruction: str,
        *,
        mask: ImageInput | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The structured instruction (JSON, in the result's ``extra``) that `instruction`
        becomes for 1 to 4 `images`, optionally limited to `mask`."""
        body = {
            "images": _images("images", images),
            "instruction": require_text("instruction", instruction),
            **drop_none(mask=None if mask is None else _image("mask", mask, is_mask=True)),
        }
        return self._v2_job(
            STRUCTURED_INSTRUCTION,
            body,
            sync=sync,
            webhook_url=webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def job(
        self,
        request_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """Follow the v2 request `request_id` (any request of this account: one a route
        method sent, one ``bria.request(...)`` answered 202 for, one another process sent)
        from its id alone, as a submitted route's job is followed: its status is read on
        the shared poller until final (or settled by ``bria.jobs.deliver``), and nothing is
        sent again: returns a Job of a V2Result, which names the result's `image_url`, seed
        and prompts when there and keeps every other field of it (``video_url``, a list of
        URLs, ...) in `extra`. The id is checked first; RequestExpiredError if Bria does not
        know it. It sends no request of its own: `extra_headers` and `timeout` hold for its
        status reads, and an `extra_query` or `extra_body` (with no request to go into) is
        refused."""
        rid = require_id("request_id", request_id)
        for name, extra in (("extra_query", extra_query), ("extra_body", extra_body)):
            if extra is not None:
                raise ValidationError(name, extra, "None: v2.job sends no request of its own")
        runtime, _ = sent_with(
            self._client._runtime, Call("GET", ""), CallExtras(extra_headers, None, None, timeout)
        )
        sent = {"request_id": rid}
        data = TokenData(
            id="",
            kind=FOLLOW.kind,
            submitted_at=time.time(),
            http_status=202,
            response=sent,
            context={},
            state=sent,
        )
        return Job._sent_before(runtime, FOLLOW, data)

    async def status(
        self,
        request_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> StatusEvent:
        """One read of ``GET /v2/status/{request_id}``; RequestExpiredError if Bria does not
        know the id (never sent, or expired)."""
        rid = require_id("request_id", request_id)
        extras = CallExtras(extra_headers, extra_query, extra_body, timeout)
        runtime, call = sent_with(
            self._client._runtime, call_of("v2.status", {"request_id": rid}), extras
        )
        try:
            call = call.sent_with(runtime.options, None)
            response = await runtime.transport.send(call)
        except NotFoundError as exc:
            raise RequestExpiredError.of(exc, rid) from None
        try:
            return parse_status(response.json(), storage=runtime.storage)
        except (KeyError, TypeError, ValueError) as exc:
            raise APIResponseValidationError(
                f"unexpected v2 status ({exc})",
                status=response.status,
                url=response.url,
                excerpt=response.body[:200].decode("utf-8", "replace"),
            ) from None
