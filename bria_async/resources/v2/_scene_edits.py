"""The ``/v2/image/edit/*`` methods of ``bria.v2.image`` that change what the image shows:
its objects and text by instruction, a blended overlay, its season, style, light and
colours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from ..._extras import CallExtras
from ..._inputs import ImageInput
from ..._jobs import Job
from ..._settings import Timeouts
from ..._validation import drop_none, require_choice, require_text
from ...types.choices import LightDirection, LightType, Season, V2Color, V2Style
from ...types.v2 import V2Result
from ._common import _image, _text, _V2Resource

SEASONS: tuple[str, ...] = get_args(Season)
STYLES: tuple[str, ...] = get_args(V2Style)
LIGHT_TYPES: tuple[str, ...] = get_args(LightType)
LIGHT_DIRECTIONS: tuple[str, ...] = get_args(LightDirection)
COLORS: tuple[str, ...] = get_args(V2Color)


class _SceneEdits(_V2Resource):
    """The edits of ``bria.v2.image`` that change what the image shows: objects and text by
    instruction, an overlay blended in, season, style, light, sketch, restoration, colour."""

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
