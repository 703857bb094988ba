"""The API's base URLs as configured (checked, and one per API version), and the token kept
out of every repr."""

from __future__ import annotations

from urllib.parse import urlsplit

from ._errors import ConfigurationError
from ._redact import redact_url


class Secret:
    """A string that never shows itself in a repr, str or f-string."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    return host in {"localhost", "::1"} or host.startswith("127.")


def check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    """The base URL without a trailing slash; plain http only to loopback unless allowed."""
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {redact_url(base_url)!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not allow_insecure_http:
        raise ConfigurationError(
            f"base_url {redact_url(base_url)!r} is plain http to a host that is not loopback: "
            "the API token would travel unencrypted. Use https, or pass allow_insecure_http=True."
        )
    return base_url.rstrip("/")


def versioned_base_urls(base_url: str) -> tuple[str, str]:
    """The v1 and v2 base URLs of one checked base URL: a trailing ``/v1`` (or ``/v2``) is
    swapped for the other; a base URL without a version gets ``/v1`` and ``/v2`` appended.
    So one ``BRIA_BASE_URL`` (and one emulator) serves both API versions."""
    head, _, last = base_url.rpartition("/")
    if last in ("v1", "v2") and urlsplit(head).hostname:
        return f"{head}/v1", f"{head}/v2"
    return f"{base_url}/v1", f"{base_url}/v2"
