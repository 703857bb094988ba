"""Bria v2 webhooks: check that a delivery is Bria's, then read it.

A v2 request sent with ``webhook_url=`` is POSTed there once final; its body is the status
body. Check its headers before reading the body, verify it before trusting it, then hand it
to the client that follows the Job::

    check_headers(request.headers)                             # before reading the body
    verify_signature(body, request.headers, api_token=token)   # WebhookVerificationError
    bria.jobs.deliver(parse_event(body))                       # the Job completes at once

The signature (V2.md): key = HMAC-SHA256(api_token, b"bria-webhook-signing-v1"); each
``v1=<base64>`` item of ``Bria-Webhook-Signature`` is HMAC-SHA256(key, "{id}.{timestamp}.
{body}"); one valid item is enough. Several ``Bria-Webhook-Signature`` headers count as one
comma-separated list (as HTTP has it), of 16 items at most. Timestamps older (or newer)
than `tolerance` seconds are refused, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Mapping

import attrs

from ._errors import WebhookVerificationError, short_repr
from ._json import loads
from .types.v2 import StatusEvent, parse_status

__all__ = [
    "ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "SignedHeaders",
    "StatusEvent",
    "check_headers",
    "parse_event",
    "verify_signature",
]

ID_HEADER = "Bria-Webhook-Id"
TIMESTAMP_HEADER = "Bria-Webhook-Timestamp"
SIGNATURE_HEADER = "Bria-Webhook-Signature"
_SIGNING_CONTEXT = b"bria-webhook-signing-v1"
#: Signature items checked at most, over every signature header: a rotated key adds one or
#: two; far more is not Bria's, and each costs a comparison.
MAX_SIGNATURE_ITEMS = 16
#: Unix seconds as ASCII digits; 12 reach the year 33658, far from any float's overflow.
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")
_DIGEST_BYTES = hashlib.sha256().digest_size


@attrs.frozen
class SignedHeaders:
    """A delivery's signing headers, of the right form: its id, its timestamp as sent, and
    the digests of its well-formed ``v1`` signature items (one at least)."""

    webhook_id: str
    timestamp: str
    signatures: tuple[bytes, ...]


def _values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every value of the header `name`, case-insensitively: Starlette's and aiohttp's
    headers list a repeated header once per value, plain dicts once per spelling."""
    lowered = name.lower()
    return [value for key, value in headers.items() if key.lower() == lowered]


def _single(headers: Mapping[str, str], name: str) -> str:
    values = [value.strip() for value in _values(headers, name)]
    if not values or not values[0]:
        raise WebhookVerificationError(f"the webhook has no {name} header")
    if len(values) > 1:
        raise WebhookVerificationError(f"the webhook has {len(values)} {name} headers; one")
    return values[0]


def _signatures(headers: Mapping[str, str]) -> tuple[bytes, ...]:
    values = _values(headers, SIGNATURE_HEADER)
    count = sum(value.count(",") + 1 for value in values)
    if count > MAX_SIGNATURE_ITEMS:
        raise WebhookVerificationError(
            f"the webhook has {count} {SIGNATURE_HEADER} items; at most {MAX_SIGNATURE_ITEMS}"
        )
    digests = []
    for value in values:
        for item in value.split(","):
            version, _, encoded = item.strip().partition("=")
            if version != "v1":
                continue  # another scheme: not ours to check
            try:
                digest = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                continue
            if len(digest) == _DIGEST_BYTES:
                digests.append(digest)
    if not digests:
        raise WebhookVerificationError(
            f"the webhook has no {SIGNATURE_HEADER} item of the form v1=<base64 of 32 bytes>"
        )
    return tuple(digests)


def check_headers(
    headers: Mapping[str, str], *, tolerance: float | None = 300, now: float | None = None
) -> SignedHeaders:
    """The signing headers of a delivery, checked before its body is read: present, one id
    and one timestamp, the timestamp Unix seconds within `tolerance` of `now` (None: any
    time), a well-formed ``v1`` signature item. Raises WebhookVerificationError otherwise,
    so a web app can answer 400 to unsigned senders without reading their bodies.

    `tolerance` trades replay protection against late retries: Bria retries a delivery up
    to 5 times over about 45 minutes and does not say whether a retry carries a fresh
    timestamp. With the default 300 s, a late retry that keeps its first timestamp is
    refused; its Job is then settled by polling once its `webhook_grace` has passed, never
    twice. A larger tolerance accepts such retries but lets a captured delivery be replayed
    for longer (a replay only repeats a final status, which settles nothing new).
    """
    webhook_id = _single(headers, ID_HEADER)
    timestamp = _single(headers, TIMESTAMP_HEADER)
    if not _UNIX_SECONDS.fullmatch(timestamp):
        raise WebhookVerificationError(
            f"{TIMESTAMP_HEADER}={short_repr(timestamp)} is not allowed: expected Unix "
            "seconds (1 to 12 digits)"
        )
    if tolerance is not None:
        current = time.time() if now is None else now
        if abs(current - int(timestamp)) > tolerance:
            raise WebhookVerificationError(
                f"the webhook's timestamp is {current - int(timestamp):.0f}s away from now "
                f"(more than the tolerance of {tolerance:g}s): stale or replayed"
            )
    return SignedHeaders(webhook_id, timestamp, _signatures(headers))


def verify_signature(
    body: bytes | bytearray,
    headers: Mapping[str, str],
    *,
    api_token: str,
    tolerance: float | None = 300,
    now: float | None = None,
) -> None:
    """Raise WebhookVerificationError unless `body` with `headers` was signed by Bria with
    `api_token`, within `tolerance` seconds of `now` (None: any time; see `check_headers`
    for what the tolerance trades). Compares in constant time; the token never appears in
    the error."""
    if not isinstance(body, (bytes, bytearray)):
        raise TypeError("body must be the raw request body, as bytes")
    signed = check_headers(headers, tolerance=tolerance, now=now)
    key = hmac.new(api_token.encode(), _SIGNING_CONTEXT, hashlib.sha256).digest()
    mac = hmac.new(key, f"{signed.webhook_id}.{signed.timestamp}.".encode(), hashlib.sha256)
    mac.update(body)  # no copy of the body
    expected = mac.digest()
    valid = False
    for given in signed.signatures:
        valid |= hmac.compare_digest(given, expected)  # no early exit: every item compared
    if not valid:
        raise WebhookVerificationError("the webhook's signature does not match")


def parse_event(body: bytes | bytearray | str) -> StatusEvent:
    """The StatusEvent a (verified) webhook body carries; WebhookVerificationError if it is
    not a status body (nested too deep to decode included)."""
    try:
        return parse_status(loads(body))
    except (KeyError, TypeError, ValueError) as exc:  # too deep to decode is a ValueError
        raise WebhookVerificationError(f"the webhook's body is not a v2 status ({exc})") from None
