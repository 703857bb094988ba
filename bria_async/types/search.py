"""Pages of search results (search by text, search by image)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from .._converter import structure
from ._serializable import Serializable

if TYPE_CHECKING:
    from ._download import ResultContext


@attrs.frozen(kw_only=True)
class SearchResult(Serializable):
    """One image that matched: its visual id, URL and match score (unknown fields in `extra`)."""

    visual_id: str | None = None
    url: str | None = None
    score: float | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class SearchPage(Serializable):
    """One page of results, best match first; iterate it for its results."""

    page: int
    num_results_per_page: int
    results: tuple[SearchResult, ...]
    extra: dict[str, Any] = attrs.field(factory=dict)

    def __iter__(self) -> Iterator[SearchResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


def parse_search_page(body: Any, ctx: ResultContext) -> SearchPage:
    """A SearchPage from ``{"results": [...]}``; page numbers come from the request."""
    items = body["results"]
    if not isinstance(items, list):
        raise TypeError("results is not a list")
    return SearchPage(
        page=int(ctx.context["page"]),
        num_results_per_page=int(ctx.context["num_results_per_page"]),
        results=tuple(structure(item, SearchResult) for item in items),
        extra={k: v for k, v in body.items() if k != "results"},
    )
