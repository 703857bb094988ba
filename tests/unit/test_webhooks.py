"""Webhook signatures, checked against vectors computed here by hand (hmac, not the code under
test), and the FastAPI route that verifies and delivers them."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from multidict import CIMultiDict
from starlette.datastructures import Headers

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
        ("timestamp of 401 digits", {"headers": {"Bria-Webhook-Timestamp": "9" * 401}}),
        ("timestamp of 4,001 digits", {"headers": {"Bria-Webhook-Timestamp": "9" * 4001}}),
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


def test_a_body_nested_too_deep_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(ba.WebhookVerificationError, match="nested too deep"):
        webhooks.parse_event(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda pairs: Headers(raw=[(k.encode(), v.encode()) for k, v in pairs]), id="starlette"
        ),
        pytest.param(CIMultiDict, id="multidict"),
    ],
)
def test_a_valid_signature_in_a_second_signature_header_verifies(make: Any) -> None:
    good = "v1=" + reference_signature(TOKEN, RID, str(NOW), BODY)
    wrong = "v1=" + reference_signature("another-token", RID, str(NOW), BODY)
    pairs = [*headers(wrong).items(), ("Bria-Webhook-Signature", good)]
    webhooks.verify_signature(BODY, make(pairs), api_token=TOKEN, now=NOW)
    no_good = [*headers(wrong).items(), ("Bria-Webhook-Signature", wrong)]
    with pytest.raises(ba.WebhookVerificationError, match="does not match"):
        webhooks.verify_signature(BODY, make(no_good), api_token=TOKEN, now=NOW)


def test_signature_items_are_checked_up_to_a_bound_and_ids_and_timestamps_once() -> None:
    good = "v1=" + reference_signature(TOKEN, RID, str(NOW), BODY)
    filler = "v1=" + base64.b64encode(bytes(32)).decode()
    sixteen = headers(",".join([filler] * 15 + [good]))
    webhooks.verify_signature(BODY, sixteen, api_token=TOKEN, now=NOW)
    seventeen = headers(",".join([filler] * 16 + [good]))
    with pytest.raises(ba.WebhookVerificationError, match="17 Bria-Webhook-Signature items"):
        webhooks.check_headers(seventeen, now=NOW)
    twice = CIMultiDict([*headers(good).items(), ("Bria-Webhook-Timestamp", str(NOW + 1))])
    with pytest.raises(ba.WebhookVerificationError, match="2 Bria-Webhook-Timestamp headers"):
        webhooks.check_headers(twice, now=NOW)


class AsgiSender:
    """One POST to an ASGI app, its body handed out part by part as the app asks for it:
    after the last part the sender stalls, goes away, or (with `ends`) ends the body once
    `go_on` is set. Records how many body reads the app made and what it answered."""

    def __init__(self, sent: dict[str, str], parts: list[bytes], after: str = "stall") -> None:
        self.headers = [(k.lower().encode(), v.encode()) for k, v in sent.items()]
        self.parts, self.after = list(parts), after
        self.reads = 0
        self.go_on = asyncio.Event()
        self.waiting = asyncio.Event()  # the app read every part and waits for the end
        self.answered = asyncio.Event()
        self.status: int | None = None
        self.answer_headers: dict[bytes, bytes] = {}

    async def receive(self) -> dict[str, Any]:
        self.reads += 1
        if self.parts:
            return {"type": "http.request", "body": self.parts.pop(0), "more_body": True}
        if self.after == "disconnect":
            return {"type": "http.disconnect"}
        if self.after == "ends":
            self.waiting.set()
            await self.go_on.wait()
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the stall: never answered
        raise AssertionError("unreachable")

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.answer_headers = dict(message.get("headers", []))
            self.answered.set()

    async def post(self, app: FastAPI) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/hook",
            "raw_path": b"/hook",
            "query_string": b"",
            "root_path": "",
            "headers": self.headers,
            "client": ("127.0.0.1", 1),
            "server": ("app", 80),
        }
        with anyio.fail_after(5):  # a route that waits for the stalled body fails here
            await app(scope, self.receive, self.send)
        assert self.status is not None
        return self.status


def fresh_headers() -> dict[str, str]:
    """Headers of the right form and time, with a signature that does not match."""
    return headers("v1=" + base64.b64encode(bytes(32)).decode(), timestamp=int(time.time()))


@contextlib.asynccontextmanager
async def hook_app(**limits: Any) -> AsyncIterator[FastAPI]:
    app = FastAPI()
    app.include_router(bria_webhook_router("/hook", **limits))
    async with open_bria(app, api_token=TOKEN, base_url=BASE_URL):
        yield app


@pytest.mark.parametrize(
    "change",
    [
        {"Bria-Webhook-Id": ""},
        {"Bria-Webhook-Timestamp": "1"},
        {"Bria-Webhook-Timestamp": "9" * 401},
        {"Bria-Webhook-Timestamp": "9" * 4001},
        {"Bria-Webhook-Signature": ""},
        {"Bria-Webhook-Signature": "v2=" + base64.b64encode(bytes(32)).decode()},
        {"Bria-Webhook-Signature": "v1=***"},
        {"Bria-Webhook-Signature": "v1=bm9wZQ=="},  # base64, but not of 32 bytes
    ],
)
async def test_the_route_answers_400_to_bad_headers_before_reading_the_body(
    change: dict[str, str],
) -> None:
    sender = AsgiSender({**fresh_headers(), **change}, [b" " * 1000])
    async with hook_app() as app:
        assert await sender.post(app) == 400
    assert sender.reads == 0
    assert sender.answer_headers[b"connection"] == b"close"


async def test_a_stalled_body_is_answered_408_within_the_read_timeout() -> None:
    sender = AsgiSender(fresh_headers(), [b" " * 1000])
    async with hook_app(read_timeout=0.2) as app:
        assert await sender.post(app) == 408
    assert sender.reads == 2
    assert sender.answer_headers[b"connection"] == b"close"


async def test_bodies_beyond_max_concurrent_reads_wait_for_a_turn() -> None:
    holding = [AsgiSender(fresh_headers(), [b" " * 1000], after="ends") for _ in range(2)]
    queued = AsgiSender(fresh_headers(), [b" " * 1000], after="ends")
    queued.go_on.set()
    async with hook_app(max_concurrent_reads=2) as app, anyio.create_task_group() as tasks:
        for sender in holding:
            tasks.start_soon(sender.post, app)
        for sender in holding:
            await sender.waiting.wait()
        tasks.start_soon(queued.post, app)
        await asyncio.sleep(0.2)
        assert queued.reads == 0  # no turn while two bodies are being read
        holding[0].go_on.set()
        await queued.answered.wait()
        assert (holding[0].status, queued.status, queued.reads) == (400, 400, 2)
        holding[1].go_on.set()
    assert holding[1].status == 400


async def test_a_sender_going_away_mid_body_is_a_debug_line_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender = AsgiSender(fresh_headers(), [b" " * 1000], after="disconnect")
    caplog.set_level(logging.DEBUG)
    async with hook_app() as app:
        await sender.post(app)
    assert [r.levelno for r in caplog.records if r.name.startswith("bria_async")] == [logging.DEBUG]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_body_declared_over_max_bytes_is_refused_unread() -> None:
    sent = {**fresh_headers(), "Content-Length": str(2048)}
    sender = AsgiSender(sent, [b" " * 1000])
    async with hook_app(max_bytes=1024) as app:
        assert await sender.post(app) == 413
    assert sender.reads == 0


async def test_a_signed_body_nested_too_deep_is_a_400(mock_api: MockAPI) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    now = int(time.time())
    signed = headers("v1=" + reference_signature(TOKEN, RID, str(now), deep), timestamp=now)
    async with hook_app() as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            assert (await http.post("/hook", content=deep, headers=signed)).status_code == 400


async def test_a_valid_signature_in_a_second_header_is_accepted_by_the_route(
    mock_api: MockAPI,
) -> None:
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
        good = "v1=" + reference_signature(TOKEN, RID, str(now), BODY)
        sent = [*fresh_headers().items(), ("Bria-Webhook-Signature", good)]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            assert (await http.post("/hook", content=BODY, headers=sent)).status_code == 204
        assert (await job).image_url == "https://storage.test/r.png"


@pytest.mark.parametrize(
    ("name", "value"),
    [("read_timeout", 0), ("read_timeout", None), ("max_concurrent_reads", 0), ("max_bytes", 1.5)],
)
def test_the_routes_limits_are_checked(name: str, value: Any) -> None:
    with pytest.raises(ba.ValidationError, match=name):
        bria_webhook_router("/hook", **{name: value})
