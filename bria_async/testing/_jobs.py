"""v2 jobs: what `GET /v2/status/{request_id}` answers for each request, and the signed
webhook deliveries that tell a request's `webhook_url` its final status.

A job is IN_PROGRESS (or UNKNOWN, when asked for) until its ready time, then COMPLETED with
its result, or ERROR/FAILED with its error. Webhooks go to loopback URLs only, signed as V2.md
says, and are retried with doubling backoff on a non-2xx answer or a connection error.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import ipaddress
import json
import time
from typing import Any

import aiohttp
import attrs
import yarl

from ._config import EmulatorConfig

__all__ = [
    "ERROR_MARKER",
    "FAILED_MARKER",
    "UNKNOWN_MARKER",
    "Delivery",
    "Jobs",
    "V2Job",
    "is_loopback_url",
    "sign",
]

# A request whose body holds one of these strings (in any string field, e.g. the prompt or an
# image URL) ends in ERROR, ends in FAILED, or reports UNKNOWN while it runs.
ERROR_MARKER = "EMULATOR_ERROR"
FAILED_MARKER = "EMULATOR_FAILED"
UNKNOWN_MARKER = "EMULATOR_UNKNOWN"
_SIGNING_CONTEXT = b"bria-webhook-signing-v1"


def sign(api_token: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """The `Bria-Webhook-Signature` item for `body`: "v1=" and base64 of the HMAC-SHA256, keyed
    by HMAC-SHA256(api_token, "bria-webhook-signing-v1"), of "{id}.{timestamp}.{body}"."""
    key = hmac.new(api_token.encode(), _SIGNING_CONTEXT, hashlib.sha256).digest()
    message = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1=" + base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def is_loopback_url(url: str) -> bool:
    """Whether `url` is http(s) to localhost or a loopback address: the only webhook targets
    the emulator sends to."""
    try:
        parsed = yarl.URL(url)
    except (TypeError, ValueError):
        return False
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return False
    if parsed.host == "localhost":
        return True
    try:
        return ipaddress.ip_address(parsed.host).is_loopback
    except ValueError:
        return False


@attrs.define(eq=False)
class V2Job:
    """One v2 request: its outcome is fixed at submission and shown once `ready_mono` passes."""

    request_id: str
    route: str
    ready_mono: float
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    failed_status: str = "ERROR"
    unknown: bool = False
    webhook_url: str | None = None
    urls: list[str] = attrs.Factory(list)
    created: float = attrs.Factory(time.time)
    token: str = attrs.field(default="", repr=False)  # signs webhooks; never shown
    finished: asyncio.Event = attrs.field(factory=asyncio.Event, repr=False)

    def is_final(self) -> bool:
        """Whether the job has reached its outcome."""
        return self.finished.is_set() or time.monotonic() >= self.ready_mono

    def status(self) -> str:
        """IN_PROGRESS/UNKNOWN before the ready time; COMPLETED, ERROR or FAILED after."""
        if not self.is_final():
            return "UNKNOWN" if self.unknown else "IN_PROGRESS"
        return "COMPLETED" if self.error is None else self.failed_status

    def body(self) -> dict[str, Any]:
        """The status body: request_id and status, with result or error once final."""
        status = self.status()
        body: dict[str, Any] = {"request_id": self.request_id, "status": status}
        if status == "COMPLETED":
            body["result"] = self.result or {}
        elif status in ("ERROR", "FAILED"):
            body["error"] = self.error
        return body

    async def wait(self) -> None:
        """Return once the job is final."""
        remaining = self.ready_mono - time.monotonic()
        if remaining > 0 and not self.finished.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.finished.wait(), remaining)

    def finish_now(self) -> None:
        """Reach the outcome now."""
        self.ready_mono = min(self.ready_mono, time.monotonic())
        self.finished.set()

    def to_dict(self) -> dict[str, Any]:
        """The job as JSON-able data for `/_emulator/state` (without its token)."""
        return {
            "route": self.route,
            "created": self.created,
            "webhook_url": self.webhook_url,
            **self.body(),
        }


@attrs.define
class Delivery:
    """One webhook delivery: each attempt's time and HTTP status (or connection error)."""

    request_id: str
    url: str
    attempts: list[dict[str, Any]] = attrs.Factory(list)
    delivered: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The delivery as JSON-able data."""
        return attrs.asdict(self)


class Jobs:
    """Every v2 job by request id, the webhook deliveries, and the tasks that send them."""

    def __init__(self) -> None:
        self.jobs: dict[str, V2Job] = {}
        self.deliveries: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def add(self, job: V2Job, config: EmulatorConfig) -> None:
        """Remember `job`, and send its webhook once it is final if it asked for one."""
        self.jobs[job.request_id] = job
        if job.webhook_url is not None:
            task = asyncio.get_running_loop().create_task(self._deliver(job, config))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, job: V2Job, config: EmulatorConfig) -> None:
        await job.wait()
        url = job.webhook_url or ""  # add() only schedules jobs that have one
        body = json.dumps(job.body()).encode()
        delivery = Delivery(job.request_id, url)
        self.deliveries.append(delivery)
        if self._session is None:
            self._session = aiohttp.ClientSession()
        delay = config.webhook_backoff
        first = str(int(time.time() + config.webhook_clock_offset))
        for attempt in range(max(1, config.webhook_attempts)):
            if attempt:
                await asyncio.sleep(delay)
                delay *= 2
            timestamp = first
            if attempt and not config.webhook_retries_keep_timestamp:
                timestamp = str(int(time.time() + config.webhook_clock_offset))
            signature = sign(job.token, job.request_id, timestamp, body)
            headers = {
                "Content-Type": "application/json",
                "Bria-Webhook-Id": job.request_id,
                "Bria-Webhook-Timestamp": timestamp,
                "Bria-Webhook-Signature": ",".join((*config.webhook_extra_signatures, signature)),
            }
            # Recorded once it has an outcome, so the state never shows an attempt in flight.
            record: dict[str, Any] = {"time": time.time(), "status": None, "error": None}
            try:
                async with self._session.post(
                    url,
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=config.webhook_timeout),
                ) as response:
                    record["status"] = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                record["error"] = type(error).__name__
                delivery.attempts.append(record)
                continue
            delivery.attempts.append(record)
            if 200 <= response.status < 300:
                delivery.delivered = True
                return

    async def close(self) -> None:
        """Cancel pending deliveries and close the webhook session."""
        tasks, self._tasks = set(self._tasks), set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def to_dict(self) -> dict[str, Any]:
        """Jobs and deliveries as JSON-able data."""
        return {
            "jobs": {request_id: job.to_dict() for request_id, job in self.jobs.items()},
            "deliveries": [delivery.to_dict() for delivery in self.deliveries],
        }
