"""Bria v2 webhooks: check that a delivery is Bria's, then read it.

A v2 request sent with ``webhook_url=`` is POSTed there once final; its body is the status
body. Verify it before trusting it, then hand it to the client that follows the Job::

    verify_signature(body, request.headers, api_token=token)   # WebhookVerificationError
    bria.jobs.deliver(parse_event(body))                       # the Job completes at once

The signature (V2.md): key = HMAC-SHA256(api_token, b"bria-webhook-signing-v1"); each
``v1=<base64>`` item of ``Bria-Webhook-Signature`` is HMAC-SHA256(key, "{id}.{timestamp}.
{body}"); one valid item is enough. Timestamps older (or newer) than `tolerance` seconds are
refused, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping

from ._errors import WebhookVerificationError
from .types.v2 import StatusEvent, parse_status

__all__ = [
    "ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "StatusEvent",
    "parse_event",
    "verify_signature",
]

ID_HEADER = "Bria-Webhook-Id"
TIMESTAMP_HEADER = "Bria-Webhook-Timestamp"
SIGNATURE_HEADER = "Bria-Webhook-Signature"
_SIGNING_CONTEXT = b"bria-webhook-signing-v1"
#: A delivery's headers and body are small; anything far larger is not Bria's.
_MAX_SIGNATURE_ITEMS = 16


def _header(headers: Mapping[str, str], name: str) -> str:
    """The header `name`, looked up case-insensitively (plain dicts included)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    if value is None or not value.strip():
        raise WebhookVerificationError(f"the webhook has no {name} header")
    return value.strip()


def verify_signature(
    body: bytes,
    headers: Mapping[str, str],
    *,
    api_token: str,
    tolerance: float | None = 300,
    now: float | None = None,
) -> None:
    """Raise WebhookVerificationError unless `body` with `headers` was signed by Bria with
    `api_token`, within `tolerance` seconds of `now` (None: any time). Compares in constant
    time; the token never appears in the error."""
    if not isinstance(body, (bytes, bytearray)):
        raise TypeError("body must be the raw request body, as bytes")
    webhook_id = _header(headers, ID_HEADER)
    timestamp = _header(headers, TIMESTAMP_HEADER)
    signatures = _header(headers, SIGNATURE_HEADER)
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError(
            f"the {TIMESTAMP_HEADER} header is not Unix seconds"
        ) from None
    if tolerance is not None:
        current = time.time() if now is None else now
        if abs(current - sent_at) > tolerance:
            raise WebhookVerificationError(
                f"the webhook's timestamp is {current - sent_at:.0f}s away from now (more "
                f"than the tolerance of {tolerance:g}s): stale or replayed"
            )
    key = hmac.new(api_token.encode(), _SIGNING_CONTEXT, hashlib.sha256).digest()
    signed = f"{webhook_id}.{timestamp}.".encode() + bytes(body)
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    items = [item.strip() for item in signatures.split(",")][:_MAX_SIGNATURE_ITEMS]
    valid = False
    for item in items:
        version, _, value = item.partition("=")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        valid |= hmac.compare_digest(given, expected)  # no early exit: every item compared
    if not valid:
        raise WebhookVerificationError("the webhook's signature does not match")


def parse_event(body: bytes | str) -> StatusEvent:
    """The StatusEvent a (verified) webhook body carries; WebhookVerificationError if it is
    not a status body."""
    try:
        return parse_status(json.loads(body))
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookVerificationError(f"the webhook's body is not a v2 status ({exc})") from None
