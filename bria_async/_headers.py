"""What API requests carry besides their own fields (the SDK's User-Agent, a caller's default
headers), and the checks of a caller's own aiohttp session.

Default headers go to API requests only: placeholder and result URLs live on storage hosts,
which are not the API's and get none of them (as they never get the API token).
"""

from __future__ import annotations

import platform
import re
from collections.abc import Mapping
from typing import Any

import aiohttp

from ._errors import ValidationError, short_repr
from ._validation import is_header_value

#: An HTTP header name: RFC 9110's token characters.
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: Headers a default cannot set, lowercased, and why.
_RESERVED = {
    "api_token": "the API token is api_token= (or BRIA_API_TOKEN), which no header overrides",
    "content-type": "each request sets its body's own Content-Type",
    "content-length": "each request sets its body's own Content-Length",
    "transfer-encoding": "each request sets its body's own Transfer-Encoding",
    "host": "the Host is the base URL's",
}


class _NotShown:
    """Stands for a header value in a message: values may be secrets (a gateway's key)."""

    def __init__(self, value: object) -> None:
        self._text = f"<a {type(value).__name__}, not shown>"

    def __repr__(self) -> str:
        return self._text


def user_agent() -> str:
    """``bria-async/<version> (python <x.y>; aiohttp <x.y>)``: what API requests say they are."""
    from . import __version__  # the package is whole by the time a client is made

    python = ".".join(platform.python_version_tuple()[:2])
    aiohttp_version = ".".join(aiohttp.__version__.split(".")[:2])
    return f"bria-async/{__version__} (python {python}; aiohttp {aiohttp_version})"


def check_default_headers(headers: object, parameter: str = "default_headers") -> dict[str, str]:
    """`default_headers` (or the `parameter` named so, e.g. ``extra_headers``) as a dict,
    once each name and value can be sent as is and no name is one the SDK sets itself;
    ValidationError naming the header otherwise."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise ValidationError(parameter, headers, "a mapping of header names to strings")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValidationError(
                parameter, name, "header names of letters, digits and !#$%&'*+-.^_`|~"
            )
        why = _RESERVED.get(name.lower())
        if why is not None:
            raise ValidationError(parameter, name, f"no {name} header: {why}")
        if not isinstance(value, str) or not is_header_value(value):
            raise ValidationError(
                f"{parameter}[{short_repr(name)}]",
                _NotShown(value),
                "a string of printable ASCII characters (no line breaks)",
            )
        checked[name] = value
    return checked


def check_session(session: Any) -> aiohttp.ClientSession | None:
    """A caller's session, if it is an open aiohttp.ClientSession; ValidationError if not."""
    if session is None:
        return None
    if not isinstance(session, aiohttp.ClientSession):
        raise ValidationError("session", session, "an aiohttp.ClientSession, or None")
    if session.closed:
        raise ValidationError("session", session, "an open aiohttp.ClientSession")
    return session
