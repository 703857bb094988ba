"""Signed job tokens: what ``Job.to_dict()`` hands out and ``bria.jobs.resume()`` takes back.

A token is plain JSON plus an HMAC-SHA256 signature over its canonical encoding (sorted keys,
no spaces, ASCII, no NaN). The key is derived from the API token, so a token resumes only with
the same Bria account, unless the client was given its own `job_token_key`. A token is
checked in full (signature first, then every field's type) before anything is sent: it says
which route and which placeholder URLs, never which method or path to call.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._errors import ConfigurationError, InvalidJobTokenError
from ._json import dumps

TOKEN_VERSION = 2
VERSION_FIELD = "bria_async_job"
SIGNATURE_FIELD = "signature"
_KEY_INFO = b"bria_async job token key, version 2"
_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
_FIELDS = frozenset(
    {
        VERSION_FIELD,
        SIGNATURE_FIELD,
        "id",
        "kind",
        "submitted_at",
        "http_status",
        "response",
        "context",
        "state",
    }
)
_MIN_KEY_BYTES = 16


def derive_key(secret: str | bytes) -> bytes:
    """The signing key for tokens, derived from the API token (or the app's own key)."""
    raw = secret.encode("utf-8", "surrogatepass") if isinstance(secret, str) else bytes(secret)
    return hmac.new(raw, _KEY_INFO, hashlib.sha256).digest()


def check_key(key: object) -> str | bytes:
    """`key` if it is a str or bytes long enough to sign tokens with (16 bytes at least)."""
    if not isinstance(key, (str, bytes)):
        raise TypeError(f"job_token_key must be str or bytes, not {type(key).__name__}")
    size = len(key.encode("utf-8", "surrogatepass")) if isinstance(key, str) else len(key)
    if size < _MIN_KEY_BYTES:
        raise ConfigurationError(f"job_token_key must hold at least {_MIN_KEY_BYTES} bytes")
    return key


def _canonical(payload: Mapping[str, Any]) -> bytes:
    return dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


def _digest(key: bytes, payload: Mapping[str, Any]) -> str:
    return hmac.new(key, _canonical(payload), hashlib.sha256).hexdigest()


@attrs.frozen(kw_only=True)
class TokenData:
    """A token's fields, signature checked and each of the right type."""

    id: str
    kind: str
    submitted_at: float
    http_status: int
    response: Any
    context: Mapping[str, Any]
    state: Mapping[str, Any]


def sign(data: TokenData, key: bytes) -> dict[str, Any]:
    """The JSON-able token for `data`, with its signature."""
    payload: dict[str, Any] = {
        VERSION_FIELD: TOKEN_VERSION,
        "id": data.id,
        "kind": data.kind,
        "submitted_at": data.submitted_at,
        "http_status": data.http_status,
        "response": data.response,
        "context": dict(data.context),
        "state": dict(data.state),
    }
    payload[SIGNATURE_FIELD] = _digest(key, payload)
    return payload


def verify(token: object, key: Callable[[], bytes]) -> TokenData:
    """The fields of `token` once its version, signature and field types are checked.

    Raises InvalidJobTokenError for anything else, whatever it is, before any request.
    """
    if not isinstance(token, Mapping):
        raise InvalidJobTokenError(
            f"a job token is a mapping from Job.to_dict(), not {type(token).__name__}"
        )
    version = token.get(VERSION_FIELD)
    if version != TOKEN_VERSION or isinstance(version, bool):
        raise InvalidJobTokenError(
            f"not a bria_async job token of version {TOKEN_VERSION} (from Job.to_dict())"
        )
    signature = token.get(SIGNATURE_FIELD)
    if not isinstance(signature, str):
        raise InvalidJobTokenError("the job token is not signed")
    if set(token) != _FIELDS:
        raise InvalidJobTokenError("the job token's fields are not those of Job.to_dict()")
    payload = {k: v for k, v in token.items() if k != SIGNATURE_FIELD}
    try:
        expected = _digest(key(), payload)
    except (TypeError, ValueError) as exc:  # not JSON, NaN, non-string keys, too deep
        raise InvalidJobTokenError(f"the job token is not plain JSON: {exc}") from None
    if not hmac.compare_digest(expected, signature):
        raise InvalidJobTokenError(
            "the job token's signature does not match: it was altered, or made with another "
            "API token or job_token_key"
        )
    return _typed(payload)


def _typed(payload: Mapping[str, Any]) -> TokenData:
    job_id, kind, submitted_at = payload["id"], payload["kind"], payload["submitted_at"]
    http_status, context, state = payload["http_status"], payload["context"], payload["state"]
    if not isinstance(job_id, str) or not _ID.fullmatch(job_id):
        raise InvalidJobTokenError("the job token's id is not a job id")
    if not isinstance(kind, str):
        raise InvalidJobTokenError("the job token's kind is not a string")
    if (
        not isinstance(submitted_at, (int, float))
        or isinstance(submitted_at, bool)
        or not math.isfinite(submitted_at)
        or submitted_at < 0
    ):
        raise InvalidJobTokenError("the job token's submitted_at is not a time")
    if (
        not isinstance(http_status, int)
        or isinstance(http_status, bool)
        or not 200 <= http_status < 300
    ):
        raise InvalidJobTokenError("the job token's http_status is not a success status")
    for name, value in (("context", context), ("state", state)):
        if not isinstance(value, Mapping):
            raise InvalidJobTokenError(f"the job token's {name} is not a mapping")
    return TokenData(
        id=job_id,
        kind=kind,
        submitted_at=float(submitted_at),
        http_status=http_status,
        response=payload["response"],
        context=context,
        state=state,
    )
