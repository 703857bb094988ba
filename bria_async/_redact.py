"""URLs for messages without their passwords: what a journal, Redis or base URL holds is
shown as typed (so its owner sees a typo) except the password, even in a malformed URL."""

from __future__ import annotations

import re

#: A scheme and the slashes after it, as typed ("rediss:/" as much as "rediss://").
_HEAD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:/*")
#: A password in a query or a libpq keyword list: ?password=..., &sslpassword=..., password=...
_PASSWORD_PARAMETER = re.compile(r"((?:^|[?&;\s])(?:ssl)?password\s*=\s*)[^&;#\s]*", re.I)
HIDDEN = "***"


def redact_url(url: str) -> str:
    """`url` with the password of its user info (``scheme://user:***@host``) and any
    ``password=`` parameter replaced by ``***``.

    The user info ends at the last "@" (a password may hold an unencoded "@" or "/"): in an
    odd URL this hides more than the password, never less.
    """
    head = _HEAD.match(url)
    # without a slash, "name:" may be a user's name as much as a scheme
    start = head.end() if head is not None and head.group().endswith("/") else 0
    at = url.rfind("@", start)
    colon = url.find(":", start, at)
    if at != -1 and colon != -1:
        url = f"{url[: colon + 1]}{HIDDEN}{url[at:]}"
    return _PASSWORD_PARAMETER.sub(rf"\g<1>{HIDDEN}", url)
