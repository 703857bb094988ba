"""``bria.request(method, path)``: any API route, sent through the one request path.

The path says the API version (``/v1/...`` or ``/v2/...``) and is checked before anything
is sent: a relative path of plain segments under that version's base URL, never a URL, a
host, a query or a ``..`` that would lead the API token elsewhere. The call is then like a
route's own: the token, retries by the billing rules (a POST is billable), the rate limit of
its endpoint (named as the SDK's own methods name it: ``endpoint_of``), body caps, redirects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ._errors import ValidationError
from ._extras import check_json, check_query, with_call_extras
from ._request import Call, Deadline, TimeoutKind

if TYPE_CHECKING:
    from ._runtime import Runtime
    from ._settings import Timeouts

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_VERSIONS = {"/v1/": 1, "/v2/": 2}
#: One path segment: RFC 3986 path characters and percent escapes.
_SEGMENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+")
_MAX_PATH = 2048
_PATH_RULE = (
    "a path under /v1/ or /v2/ such as '/v2/image/generate': segments of letters, digits, "
    "-._~!$&'()*+,;=:@ and percent escapes, no empty, '.' or '..' segment, no URL, query "
    "(use params=) or fragment"
)


def check_path(path: object) -> tuple[int, str]:
    """The API version of `path` and the path under that version's base URL."""
    if not isinstance(path, str) or len(path) > _MAX_PATH:
        raise ValidationError("path", path, _PATH_RULE)
    version = _VERSIONS.get(path[:4])
    if version is None:
        raise ValidationError("path", path, _PATH_RULE)
    for segment in path[4:].split("/"):
        decoded = unquote(segment)
        if (
            not _SEGMENT.fullmatch(segment)
            or decoded in (".", "..")
            or not decoded.isprintable()
            or "/" in decoded
            or "\\" in decoded
        ):
            raise ValidationError("path", path, _PATH_RULE)
    return version, path[3:]


def check_method(method: object) -> str:
    """`method` in capitals, if it is one of METHODS."""
    upper = method.upper() if isinstance(method, str) else None
    if upper not in METHODS:
        raise ValidationError("method", method, "one of " + ", ".join(METHODS))
    return upper


async def request(
    runtime: Runtime,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    extra_headers: Mapping[str, str] | None = None,
    timeout: float | Timeouts | None = None,
) -> Any:
    """Send `method` `path` (checked first, as every argument is) and return the answer's
    JSON (None for an empty answer); the typed APIStatusError for an error status."""
    verb = check_method(method)
    version, under = check_path(path)
    if json is not None:
        if verb == "GET":
            raise ValidationError("json", json, "no body with GET (use params=)")
        check_json("json", json)
    query = None if params is None else check_query("params", params)
    options = with_call_extras(runtime.options, extra_headers=extra_headers, timeout=timeout)
    # a generation answered synchronously may take long: writes get the longest API timeout
    kind: TimeoutKind = "quick" if verb in ("GET", "DELETE") else "sync_generation"
    window = max(runtime.settings.polling.job_timeout, options.timeouts.sync_generation)
    call = Call(
        verb,
        under,
        query,
        json,
        kind=kind,
        billable=verb == "POST",
        version=version,
        options=options,
        deadline=Deadline.after(window),
    )
    response = await runtime.transport.send(call)
    return response.json()
