"""``bria.search``: search by text and by image, page after page as an async iterator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, get_args

from .._errors import ValidationError
from .._extras import NO_EXTRAS, CallExtras, sent_with
from .._settings import Timeouts
from .._specs import JobSpec
from .._validation import (
    check_choice,
    drop_none,
    require_id,
    require_int,
    require_text,
    require_url,
)
from ..types.choices import Atmosphere, Camera, Medium, SearchStyle
from ..types.search import SearchPage, SearchResult, parse_search_page
from ._base import Resource, call_of

#: Bria answers at most this many results for one query.
MAX_RESULTS = 800
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 50
STYLES: tuple[str, ...] = get_args(SearchStyle)
ATMOSPHERES: tuple[str, ...] = get_args(Atmosphere)
CAMERAS: tuple[str, ...] = get_args(Camera)
MEDIUMS: tuple[str, ...] = get_args(Medium)

PAGE = JobSpec(kind="search.page", parse=parse_search_page)


class SearchPages:
    """The pages of one search: ``async for page in pages`` (stops after the last page, or
    once 800 results were covered), ``pages.results()`` for the results one by one, and
    ``await pages.page(n)`` for a single page.

    Each page is a direct call, like every other read: the same retries, deadline, hooks
    and typed parse. A page's call is made inside ``__anext__`` and awaited at once, so
    between pages the iterator holds nothing: breaking out early leaves no unsent call, no
    task and no open connection, and there is nothing to close (`aclose()` only stops
    further pages).
    """

    def __init__(
        self,
        resource: Resource,
        route: str,
        params: Mapping[str, Any],
        *,
        num_results_per_page: int,
        first_page: int,
        extras: CallExtras = NO_EXTRAS,
    ) -> None:
        self._resource = resource
        self._extras = extras
        self._route = route
        self._params = dict(params)
        self.num_results_per_page = num_results_per_page
        self._next = first_page
        self._finished = False

    async def page(self, number: int) -> SearchPage:
        """Page `number` (from 1) of this search."""
        require_int("page", number, 1, self.last_page)
        size = {"page": number, "num_results_per_page": self.num_results_per_page}
        call = call_of(self._route, params={**self._params, **size})
        return await self._resource._direct(PAGE, call, size, self._extras)

    @property
    def last_page(self) -> int:
        """The last page that can hold results: 800 results per query."""
        return -(-MAX_RESULTS // self.num_results_per_page)

    def __aiter__(self) -> SearchPages:
        return self

    async def __anext__(self) -> SearchPage:
        if self._finished or self._next > self.last_page:
            raise StopAsyncIteration
        page = await self.page(self._next)
        self._next += 1
        if len(page) < self.num_results_per_page:
            self._finished = True
        if not page.results:
            raise StopAsyncIteration
        return page

    async def aclose(self) -> None:
        """Stop: no more pages are requested."""
        self._finished = True

    def results(self) -> AsyncIterator[SearchResult]:
        """Every result of the remaining pages, best match first."""
        return _Results(self)


class _Results:
    """The results of a search's pages, one by one; like the pages, it holds nothing open
    between items, so breaking out early needs no clean-up."""

    def __init__(self, pages: SearchPages) -> None:
        self._pages = pages
        self._current: Iterator[SearchResult] = iter(())

    def __aiter__(self) -> _Results:
        return self

    async def __anext__(self) -> SearchResult:
        while (result := next(self._current, None)) is None:
            self._current = iter(await self._pages.__anext__())
        return result


class Search(Resource):
    """Bria's generative search over your gallery (ask support@bria.ai to enable it)."""

    def text(
        self,
        query: str,
        *,
        gallery_id: str | int,
        num_results_per_page: int = DEFAULT_PER_PAGE,
        page: int = 1,
        style: SearchStyle | None = None,
        atmosphere: Atmosphere | None = None,
        camera: Camera | None = None,
        medium: Medium | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> SearchPages:
        """Images of gallery `gallery_id` that match `query`, best first,
        `num_results_per_page` (at most 500) per page starting at `page`;
        ``async for page in bria.search.text(...)``."""
        params = {
            "query": require_text("query", query),
            **drop_none(
                style=check_choice("style", style, STYLES),
                atmosphere=check_choice("atmosphere", atmosphere, ATMOSPHERES),
                camera=check_choice("camera", camera, CAMERAS),
                medium=check_choice("medium", medium, MEDIUMS),
            ),
        }
        return self._pages(
            "search.text",
            params,
            gallery_id,
            num_results_per_page,
            page,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def similar(
        self,
        *,
        vhash: str | None = None,
        url: str | None = None,
        gallery_id: str | int,
        num_results_per_page: int = DEFAULT_PER_PAGE,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> SearchPages:
        """Images of gallery `gallery_id` similar to a registered visual (`vhash`, its visual
        id) or to the image at `url` (jpg or png, up to 12 MB): give exactly one."""
        if (vhash is None) == (url is None):
            raise ValidationError("vhash", vhash, "exactly one of vhash or url")
        params = drop_none(
            vhash=None if vhash is None else require_id("vhash", vhash),
            url=None if url is None else require_url("url", url),
        )
        return self._pages(
            "search.similar",
            params,
            gallery_id,
            num_results_per_page,
            page,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def _pages(
        self,
        route: str,
        params: dict[str, Any],
        gallery_id: str | int,
        num_results_per_page: int,
        page: int,
        extras: CallExtras,
    ) -> SearchPages:
        params["gallery_id"] = require_id("gallery_id", gallery_id)
        require_int("num_results_per_page", num_results_per_page, 1, MAX_PER_PAGE)
        sent_with(self._client._runtime, call_of(route, params=params), extras)  # checked now
        pages = SearchPages(
            self,
            route,
            params,
            num_results_per_page=num_results_per_page,
            first_page=page,
            extras=extras,
        )
        require_int("page", page, 1, pages.last_page)
        return pages
