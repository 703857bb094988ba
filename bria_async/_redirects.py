"""Redirects of API calls: followed only within the API's origin, as the API token goes to
no other host; a 303 (or a 301/302 of a POST) becomes a GET without a body."""

from __future__ import annotations

import aiohttp
from yarl import URL

from ._errors import APIRedirectError

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


def origin_of(url: URL) -> tuple[str, str | None, int | None]:
    return url.scheme, url.host, url.port


def redirect_target(
    method: str,
    url: str,
    resp: aiohttp.ClientResponse,
    location: str,
    origin: tuple[str, str | None, int | None],
) -> URL:
    """Where a redirect of the API points, if it stays within the API's origin."""
    try:
        target = resp.url.join(URL(location))
    except ValueError:
        target = None
    if target is None or origin_of(target) != origin:
        raise APIRedirectError(
            "not followed: it leaves the API's origin, and the API token goes nowhere else",
            method=method,
            url=url,
            status=resp.status,
            location=location,
        )
    return target
