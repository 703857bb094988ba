"""``bria.v2.product``: products placed into a scene."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..._errors import ValidationError
from ..._extras import CallExtras
from ..._inputs import ImageInput
from ..._jobs import Job
from ..._settings import Timeouts
from ..._validation import check_int, drop_none, require_int, require_list
from ...types.v2 import V2Result
from ._common import _image, _V2Resource
from ._specs import INTEGRATE


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
