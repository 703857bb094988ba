"""Results of the visual routes: a registered visual, its info, its caption, and campaigns.

Edits of a visual (crop, increase resolution, expansion, PSD) return
:class:`~bria_async.types.images.EditResult`, whose `sid` chains the next edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._converter import structure
from ._serializable import Serializable
from .images import ImageResult, parse_image_result
from .objects import SceneObject

if TYPE_CHECKING:
    from ._download import ResultContext


@attrs.frozen(kw_only=True)
class RegisteredVisual(Serializable):
    """A visual registered to Bria: keep `visual_id` for every later route.
    `already_registered` is True when Bria knew the image (it answered 208, same id)."""

    visual_id: str
    already_registered: bool = False
    extra: dict[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        return self.visual_id


@attrs.frozen(kw_only=True)
class VisualInfo(Serializable):
    """What Bria sees in a visual: a description, its size and (unless ``lean=True``) the
    scene's elements with the actions each supports and their oracle values."""

    visual_id: str
    description: str | None = None
    org_width: int | None = None
    org_height: int | None = None
    scene: tuple[SceneObject, ...] = ()
    extra: dict[str, Any] = attrs.field(factory=dict)

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) of the original image, when the server said."""
        if self.org_width is None or self.org_height is None:
            return None
        return self.org_width, self.org_height


@attrs.frozen(kw_only=True)
class Caption(Serializable):
    """A caption that describes a visual; ``str(caption)`` is its text."""

    visual_id: str
    caption: str
    extra: dict[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        return self.caption


def parse_register(body: Any, ctx: ResultContext) -> RegisteredVisual:
    """A RegisteredVisual from ``{"status": 200|208, "body": {"visual_id": ...}}``."""
    answer = dict(body["body"])
    visual_id = answer.pop("visual_id")
    if not isinstance(visual_id, str) or not visual_id:
        raise ValueError("register did not answer a visual_id")
    return RegisteredVisual(
        visual_id=visual_id, already_registered=body["status"] == 208, extra=answer
    )


def parse_info(body: Any, ctx: ResultContext) -> VisualInfo:
    """A VisualInfo from the info answer (the visual id comes from the request)."""
    return structure({**body, "visual_id": ctx.context["visual_id"]}, VisualInfo)


def parse_caption(body: Any, ctx: ResultContext) -> Caption:
    """A Caption from ``{"caption": text}`` or ``{"results": [{"caption": text}, ...]}``."""
    extra = dict(body)
    text = extra.pop("caption", None)
    if text is None:
        (first, *_) = extra.pop("results")
        text = first["caption"] if isinstance(first, Mapping) else first
    if not isinstance(text, str):
        raise TypeError("caption is not a string")
    return Caption(visual_id=str(ctx.context["visual_id"]), caption=text, extra=extra)


def parse_campaign(body: Any, ctx: ResultContext) -> ImageResult:
    """An ImageResult from ``{"ads": [{"url", "layout_id", "width", "height"}, ...]}``; each
    ad's fields besides its URL are in ``image.extra``."""
    rest = {k: v for k, v in body.items() if k != "ads"}
    return parse_image_result({**rest, "result": body["ads"]}, ctx)
