"""Webhook signatures, checked against vectors computed here by hand (hmac, not the code under
test), and the FastAPI route that verifies and delivers them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import bria_async as ba
from bria_async import PollSettings, Settings, webhooks
from bria_async.contrib.fastapi import bria_webhook_router, open_bria
from tests.conftest import BASE_URL, TOKEN, MockAPI

RID = "req-42"
BODY = json.dumps(
    {
        "request_id": RID,
        "status": "COMPLETED",
        "result": {"image_url": "https://storage.test/r.png", "seed": 1},
    }
).encode()
NOW = 1_700_000_000


def reference_signature(token: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """V2.md's recipe, written out independently of bria_async.webhooks."""
    key = hmac.new(token.encode("utf-8"), b"bria-webhook-signing-v1", hashlib.sha256).digest()
    message = f"{webhook_id}.{timestamp}.{body.decode('utf-8')}".encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def headers(signature: str, *, timestamp: int = NOW, webhook_id: str = RID) -> dict[str, str]:
    return {
        "Bria-Webhook-Id": webhook_id,
        "Bria-Webhook-Timestamp": str(timestamp),
        "Bria-Webhook-Signature": signature,
    }


def test_a_fixed_vector_verifies() -> None:
    # Computed once by hand with the recipe above for token "whsec-test", id "abc",
    # timestamp 1700000000 and body b"{}".
    expected = reference_signature("whsec-test", "abc", "1700000000", b"{}")
    assert len(base64.b64decode(expected)) == 32
    webhooks.verify_signature(
        b"{}", headers(f"v1={expected}", webhook_id="abc"), api_token="whsec-test", now=NOW
    )


def test_a_signed_delivery_verifies_among_several_items_any_header_case() -> None:
    good = reference_signature(TOKEN, RID, str(NOW), BODY)
    lower = {k.lower(): v for k, v in headers(f"v1=bm9wZQ==, v0=xyz, v1={good}").items()}
    webhooks.verify_signature(BODY, lower, api_token=TOKEN, now=NOW + 10)


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("tampered body", {"body": BODY.replace(b"r.png", b"x.png")}),
        ("another token", {"token": "another-token"}),
        ("another id", {"headers": {"Bria-Webhook-Id": "req-43"}}),
        ("stale", {"now": NOW + 301}),
        ("from the future", {"now": NOW - 301}),
        ("no signature", {"headers": {"Bria-Webhook-Signature": ""}}),
        ("not base64", {"headers": {"Bria-Webhook-Signature": "v1=***"}}),
        (
            "another version",
            {
                "headers": {
                    "Bria-Webhook-Signature": "v2="
                    + reference_signature(TOKEN, RID, str(NOW), BODY)
                }
            },
        ),
        ("timestamp not a number", {"headers": {"Bria-Webhook-Timestamp": "soon"}}),
    ],
)
def test_unsigned_tampered_or_stale_deliveries_are_refused(case: str, change: Any) -> None:
    sent = headers("v1=" + reference_signature(TOKEN, RID, str(NOW), BODY))
    sent.update(change.get("headers", {}))
    with pytest.raises(ba.WebhookVerificationError) as info:
        webhooks.verify_signature(
            change.get("body", BODY),
            sent,
            api_token=change.get("token", TOKEN),
            now=change.get("now", NOW),
        )
    assert TOKEN not in str(info.value)


def test_a_missing_header_is_named_and_tolerance_none_accepts_any_time() -> None:
    sent = headers("v1=" + reference_signature(TOKEN, RID, str(NOW), BODY))
    del sent["Bria-Webhook-Timestamp"]
    with pytest.raises(ba.WebhookVerificationError, match="Bria-Webhook-Timestamp"):
        webhooks.verify_signature(BODY, sent, api_token=TOKEN, now=NOW)
    webhooks.verify_signature(
        BODY,
        headers("v1=" + reference_signature(TOKEN, RID, str(NOW), BODY)),
        api_token=TOKEN,
        tolerance=None,
        now=NOW + 10**6,
    )


def test_parse_event_types_the_status_and_refuses_what_is_not_one() -> None:
    event = webhooks.parse_event(BODY)
    assert (event.request_id, event.status) == (RID, ba.V2Status.COMPLETED)
    assert event.result is not None
    assert event.result.seed == 1
    with pytest.raises(ba.WebhookVerificationError):
        webhooks.parse_event(b'{"status": "COMPLETED"}')


async def test_the_fastapi_route_verifies_delivers_and_answers_fast(mock_api: MockAPI) -> None:
    app = FastAPI()
    app.include_router(bria_webhook_router("/hook"))
    v2 = BASE_URL.removesuffix("/v1") + "/v2"
    mock_api.post(
        f"{v2}/image/generate", status=202, payload={"request_id": RID, "status_url": "x"}
    )
    settings = Settings(polling=PollSettings(webhook_grace=60.0))
    async with open_bria(app, api_token=TOKEN, base_url=BASE_URL, settings=settings) as bria:
        job = await bria.v2.image.generate("a fox", webhook_url="https://me.test/hook").submit()
        now = int(time.time())
        signed = headers("v1=" + reference_signature(TOKEN, RID, str(now), BODY), timestamp=now)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            refused = await http.post("/hook", content=BODY + b" ", headers=signed)
            assert refused.status_code == 400
            assert not job.done()
            accepted = await http.post("/hook", content=BODY, headers=signed)
            assert accepted.status_code == 204
        assert job.done()
        assert (await job).image_url == "https://storage.test/r.png"


async def test_jobs_receive_checks_with_the_clients_token_then_settles_the_job(
    mock_api: MockAPI,
) -> None:
    v2 = BASE_URL.removesuffix("/v1") + "/v2"
    mock_api.post(
        f"{v2}/image/generate", status=202, payload={"request_id": RID, "status_url": "x"}
    )
    settings = Settings(polling=PollSettings(webhook_grace=60.0))
    async with ba.BriaClient(TOKEN, base_url=BASE_URL, settings=settings) as bria:
        job = await bria.v2.image.generate("a fox", webhook_url="https://me.test/hook").submit()
        now = int(time.time())
        forged = headers(
            "v1=" + reference_signature("another-token", RID, str(now), BODY), timestamp=now
        )
        with pytest.raises(ba.WebhookVerificationError):
            bria.jobs.receive(BODY, forged)
        assert not job.done()
        signed = headers("v1=" + reference_signature(TOKEN, RID, str(now), BODY), timestamp=now)
        assert bria.jobs.receive(BODY, signed) is True
        assert (await job).image_url == "https://storage.test/r.png"
