"""Types of the e-commerce routes: extracted keywords (placement choices are in `choices`).
Cutouts and packshots are :class:`~bria_async.types.images.EditResult`, lifestyle and
consistent shots :class:`~bria_async.types.images.ImageResult`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from ._serializable import Serializable

if TYPE_CHECKING:
    from ._download import ResultContext


@attrs.frozen(kw_only=True)
class ProductKeywords(Serializable):
    """Keywords that describe the product in an image; iterate it for the keywords."""

    keywords: tuple[str, ...]
    job_id: str
    created_at: dt.datetime
    extra: dict[str, Any] = attrs.field(factory=dict)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keywords)


def parse_keywords(body: Any, ctx: ResultContext) -> ProductKeywords:
    """ProductKeywords from ``{"keywords": [str, ...]}``."""
    words = body["keywords"]
    if not isinstance(words, list):
        raise TypeError("keywords is not a list")
    return ProductKeywords(
        keywords=tuple(str(word) for word in words),
        job_id=ctx.job_id,
        created_at=ctx.submitted_at,
        extra={k: v for k, v in body.items() if k != "keywords"},
    )
