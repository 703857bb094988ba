"""Results of the background routes: the background element of a visual.

Removal and blur return :class:`~bria_async.types.images.EditResult`; generated backgrounds
return :class:`~bria_async.types.images.ImageResult` (each image with its `sid`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._converter import structure
from .objects import SceneObject

if TYPE_CHECKING:
    from ._download import ResultContext


def parse_background_info(body: Any, ctx: ResultContext) -> SceneObject:
    """The background element: its actions (remove, blur, replace) and oracle values."""
    return structure(body, SceneObject)
