"""Signed webhook deliveries: the body equals the final status body, the signature verifies with
this test's own HMAC code (pinned to a vector computed with openssl), non-2xx answers and
connection errors are retried, and only loopback URLs are delivered to."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from bria_async.testing import Emulator, EmulatorConfig, Latency
from bria_async.testing import _jobs as emulator_jobs
from tests.emulator.emulator_support import V2Api

IMG = "https://example.com/photo.png"


def expected_signature(token: str, webhook_id: str, timestamp: str, raw_body: str) -> str:
    """V2.md's signature, written here independently of the emulator."""
    key = hmac.new(token.encode("utf-8"), b"bria-webhook-signing-v1", hashlib.sha256).digest()
    message = f"{webhook_id}.{timestamp}.{raw_body}".encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def signature_is_valid(token: str, headers: dict[str, str], raw: bytes) -> bool:
    want = expected_signature(
        token, headers["Bria-Webhook-Id"], headers["Bria-Webhook-Timestamp"], raw.decode()
    )
    items = [item.strip() for item in headers["Bria-Webhook-Signature"].split(",")]
    return any(item.startswith("v1=") and hmac.compare_digest(item[3:], want) for item in items)


def test_the_tests_signature_code_matches_an_openssl_vector() -> None:
    # printf 'bria-webhook-signing-v1' | openssl dgst -sha256 -hmac emulator-token -binary
    # gives the key; HMAC-SHA256 of the message under it, base64-encoded:
    body = '{"request_id": "req-123", "status": "COMPLETED"}'
    assert (
        expected_signature("emulator-token", "req-123", "1700000000", body)
        == "sHRYT+foyzS/ObSHRpMh66C35PYLWW4SThsXC6Z/J/s="
    )


class Receiver:
    """A local webhook endpoint answering the statuses it is told, then 200."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        status = self.answers.pop(0) if self.answers else 200
        if 200 <= status < 300:
            self.arrived.set()
        return web.Response(status=status)

    async def wait(self) -> None:
        await asyncio.wait_for(self.arrived.wait(), 5)


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(
        placeholder_latency=Latency.fixed(60), max_image_side=128, webhook_backoff=0.01, seed=7
    )


@pytest.fixture
def v2(emulator: Emulator, session: aiohttp.ClientSession) -> V2Api:
    return V2Api(emulator, session)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def _delivery(emulator: Emulator, request_id: str) -> dict[str, Any]:
    for _ in range(250):
        for delivery in emulator.state.v2.deliveries:
            if delivery.request_id == request_id and (
                delivery.delivered or len(delivery.attempts) >= emulator.config.webhook_attempts
            ):
                return delivery.to_dict()
        await asyncio.sleep(0.02)
    raise AssertionError("no delivery recorded")


async def test_a_completed_job_is_delivered_signed_to_its_webhook(
    v2: V2Api, emulator: Emulator, receiver: Receiver
) -> None:
    request_id = await v2.submit(
        "/image/generate", {"prompt": "a fox", "webhook_url": receiver.url}
    )
    await asyncio.sleep(0.05)
    assert receiver.received == []  # nothing before the job is final
    emulator.finish_job(request_id)
    await receiver.wait()
    ((headers, raw),) = receiver.received
    assert headers["Bria-Webhook-Id"] == request_id
    assert abs(int(headers["Bria-Webhook-Timestamp"]) - time.time()) < 60
    assert signature_is_valid(emulator.api_token, headers, raw)
    assert not signature_is_valid(emulator.api_token, headers, raw.replace(b"fox", b"cat"))
    assert not signature_is_valid("another-token", headers, raw)
    assert json.loads(raw) == await v2.status(request_id)
    assert json.loads(raw)["status"] == "COMPLETED"
    delivery = await _delivery(emulator, request_id)
    assert delivery["delivered"] is True
    assert [attempt["status"] for attempt in delivery["attempts"]] == [200]


async def test_a_failed_job_delivers_its_error(
    v2: V2Api, emulator: Emulator, receiver: Receiver
) -> None:
    body = {"image": IMG, "season": "winter", "webhook_url": receiver.url, "x": "EMULATOR_ERROR"}
    request_id = await v2.submit("/image/edit/reseason", body)
    emulator.finish_job(request_id)
    await receiver.wait()
    ((headers, raw),) = receiver.received
    assert signature_is_valid(emulator.api_token, headers, raw)
    event = json.loads(raw)
    assert event["status"] == "ERROR"
    assert set(event["error"]) == {"code", "message", "details"}


async def test_a_500_from_the_receiver_is_retried(
    v2: V2Api, emulator: Emulator, receiver: Receiver
) -> None:
    receiver.answers = [500, 503]
    request_id = await v2.submit("/image/edit/enhance", {"image": IMG, "webhook_url": receiver.url})
    emulator.finish_job(request_id)
    await receiver.wait()
    assert len(receiver.received) == 3
    bodies = {raw for _, raw in receiver.received}
    assert len(bodies) == 1  # the same body every time, each attempt signed afresh
    for headers, raw in receiver.received:
        assert signature_is_valid(emulator.api_token, headers, raw)
    delivery = await _delivery(emulator, request_id)
    assert [attempt["status"] for attempt in delivery["attempts"]] == [500, 503, 200]
    assert delivery["delivered"] is True


async def test_delivery_gives_up_after_the_configured_attempts(
    v2: V2Api, emulator: Emulator, receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    emulator.config.webhook_attempts = 3
    receiver.answers = [500] * 10
    request_id = await v2.submit("/image/edit/enhance", {"image": IMG, "webhook_url": receiver.url})
    emulator.finish_job(request_id)
    delivery = await _delivery(emulator, request_id)
    assert [attempt["status"] for attempt in delivery["attempts"]] == [500, 500, 500]
    assert delivery["delivered"] is False
    admin = emulator.v2_base_url.removesuffix("/v2") + "/_emulator/state"
    async with session.get(admin) as response:
        shown = (await response.json())["v2"]["deliveries"]
    assert shown == [delivery]


async def test_connection_errors_are_retried_and_recorded(v2: V2Api, emulator: Emulator) -> None:
    emulator.config.webhook_attempts = 2
    closed = "http://127.0.0.1:9/hook"  # the discard port: nothing listens on loopback
    request_id = await v2.submit("/image/edit/enhance", {"image": IMG, "webhook_url": closed})
    emulator.finish_job(request_id)
    delivery = await _delivery(emulator, request_id)
    assert len(delivery["attempts"]) == 2
    assert all(attempt["status"] is None and attempt["error"] for attempt in delivery["attempts"])


async def test_a_webhook_is_signed_with_the_requests_token_under_any_token(
    v2: V2Api, emulator: Emulator, receiver: Receiver
) -> None:
    emulator.config.any_token = True
    body = {"image": IMG, "webhook_url": receiver.url}
    request_id = await v2.submit("/image/edit/restore", body, token="org-token-2")
    emulator.finish_job(request_id)
    await receiver.wait()
    ((headers, raw),) = receiver.received
    assert signature_is_valid("org-token-2", headers, raw)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/hook",
        "http://10.0.0.1/hook",
        "http://127.0.0.1.example.com/hook",
        "ftp://127.0.0.1/hook",
    ],
)
async def test_a_non_loopback_webhook_url_is_refused(
    v2: V2Api, emulator: Emulator, url: str
) -> None:
    body = {"image": IMG, "webhook_url": url}
    status, answer, _ = await v2.call("POST", "/image/edit/enhance", json=body)
    assert status == 400
    assert "webhook_url" in answer["error"]["message"]
    assert emulator.state.v2.jobs == {}


async def test_loopback_spellings_are_accepted(v2: V2Api) -> None:
    for url in ("http://localhost:9/h", "http://[::1]:9/h", "https://127.0.0.2/h"):
        assert await v2.submit("/image/edit/enhance", {"image": IMG, "webhook_url": url})


async def test_extra_signature_items_and_a_shifted_clock_can_be_asked_for(
    v2: V2Api, emulator: Emulator, receiver: Receiver
) -> None:
    emulator.config.webhook_extra_signatures = ("v1=b2xkLWtleQ==",)
    emulator.config.webhook_clock_offset = -600
    request_id = await v2.submit("/image/edit/enhance", {"image": IMG, "webhook_url": receiver.url})
    emulator.finish_job(request_id)
    await receiver.wait()
    ((headers, raw),) = receiver.received
    items = headers["Bria-Webhook-Signature"].split(",")
    assert items[0] == "v1=b2xkLWtleQ=="
    assert len(items) == 2
    assert signature_is_valid(emulator.api_token, headers, raw)  # any one valid item is enough
    assert 590 < time.time() - int(headers["Bria-Webhook-Timestamp"]) < 660


@pytest.mark.parametrize(("keep", "distinct"), [(False, 3), (True, 1)])
async def test_retries_are_signed_afresh_or_keep_the_first_timestamp(
    v2: V2Api,
    emulator: Emulator,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    keep: bool,
    distinct: int,
) -> None:
    clock = itertools.count(1_700_000_000, 100)  # each reading of the clock 100 s later
    fake = SimpleNamespace(time=lambda: next(clock), monotonic=time.monotonic)
    monkeypatch.setattr(emulator_jobs, "time", fake)
    emulator.config.webhook_retries_keep_timestamp = keep
    receiver.answers = [500, 503]
    request_id = await v2.submit("/image/edit/enhance", {"image": IMG, "webhook_url": receiver.url})
    emulator.finish_job(request_id)
    await receiver.wait()
    assert len(receiver.received) == 3
    stamps = {headers["Bria-Webhook-Timestamp"] for headers, _ in receiver.received}
    assert len(stamps) == distinct
    for headers, raw in receiver.received:
        assert signature_is_valid(emulator.api_token, headers, raw)
