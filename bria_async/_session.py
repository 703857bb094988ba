"""The aiohttp session a client makes for itself: pooled connections, no cookies, proxies
from the environment when one is set, and request bodies encoded as ``json.dumps`` does."""

from __future__ import annotations

import json as jsonlib
import json.encoder as jsonenc
from typing import Any
from urllib.request import getproxies

import aiohttp

from ._settings import Settings

#: What `_dumps` hands the C encoder: json.dumps' own defaults (its TypeError for a value
#: that is not JSON, ASCII escapes, separators), with a fresh circular reference check.
_make_encoder = jsonenc.c_make_encoder  # type: ignore[attr-defined]  # (typeshed lacks it)
_DEFAULT = jsonlib.JSONEncoder().default
_ESCAPE = jsonenc.encode_basestring_ascii


def open_session(settings: Settings) -> aiohttp.ClientSession:
    """A new session in the running loop, its connection pool sized by `settings`.

    It takes proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) when one is
    set: aiohttp's `trust_env`, which looks them up (and ~/.netrc) on each request, so it is
    left off when no proxy variable is set."""
    connector = aiohttp.TCPConnector(
        limit=settings.max_connections,
        ttl_dns_cache=settings.dns_cache_ttl,
        keepalive_timeout=settings.keepalive_timeout,
    )
    return aiohttp.ClientSession(
        connector=connector,
        raise_for_status=False,
        auto_decompress=True,
        json_serialize=_dumps,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=_proxies_in_env(),
    )


def _dumps(value: Any) -> str:
    """JSON text of a request body, as json.dumps writes it, made by the C encoder json.dumps
    ends in without its three Python layers (one body per request)."""
    if _make_encoder is None:  # an interpreter without the C accelerator
        return jsonlib.dumps(value)
    encode = _make_encoder({}, _DEFAULT, _ESCAPE, None, ": ", ", ", False, False, True)
    return "".join(encode(value, 0))


def _proxies_in_env() -> bool:
    """Whether the environment names an HTTP(S) proxy (``getproxies``, as aiohttp reads it)."""
    return not {"http", "https"}.isdisjoint(getproxies())
