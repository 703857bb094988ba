"""The FastAPI webhook route under a real uvicorn server, against senders that never sign:
refused before their body, within the read timeout, and their connections closed; a sender
that goes away mid-body is a debug line, never an ERROR traceback."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from bria_async.contrib.fastapi import bria_lifespan, bria_webhook_router
from tests.integration.fastapi_support import ServerThread

HANG = 10
NEARLY_A_MIB = 1024 * 1024 - 1024
SIGNATURE = "v1=" + "A" * 43 + "="  # base64 of 32 zero bytes: the right form, not Bria's


def head(port: int, length: int, timestamp: int) -> bytes:
    return (
        f"POST /hook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {length}\r\n"
        f"Bria-Webhook-Id: req-1\r\nBria-Webhook-Timestamp: {timestamp}\r\n"
        f"Bria-Webhook-Signature: {SIGNATURE}\r\n\r\n"
    ).encode()


@pytest.fixture
async def server() -> AsyncIterator[ServerThread]:
    app = FastAPI(lifespan=bria_lifespan(api_token="hook-token"))
    app.include_router(bria_webhook_router("/hook", read_timeout=0.3))
    async with ServerThread(app) as running:
        yield running


async def answer_then_close(server: ServerThread, sent: bytes) -> bytes:
    """Send `sent` and nothing more; everything the app answers until it closes."""
    port = int(server.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(sent)
        return await asyncio.wait_for(reader.read(), HANG)  # b"" at the end: closed
    finally:
        writer.close()
        await writer.wait_closed()


async def test_a_stale_sender_is_answered_400_and_closed_before_it_sends_its_body(
    server: ServerThread,
) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    answer = await answer_then_close(server, head(port, NEARLY_A_MIB, timestamp=1))
    assert answer.startswith(b"HTTP/1.1 400 ")


async def test_a_slow_loris_is_answered_408_and_closed_after_the_read_timeout(
    server: ServerThread,
) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    sent = head(port, 1000, timestamp=int(time.time())) + b" " * 10
    answer = await answer_then_close(server, sent)
    assert answer.startswith(b"HTTP/1.1 408 ")


class Seen(logging.Handler):
    """Every record of the loggers it is added to; `debug` is set by a bria_async debug line."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.debug = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if record.name == "bria_async" and record.levelno == logging.DEBUG:
            self.debug.set()


async def test_a_sender_going_away_mid_body_is_one_debug_line(server: ServerThread) -> None:
    seen = Seen()
    loggers = [logging.getLogger(name) for name in ("bria_async", "uvicorn.error")]
    level = loggers[0].level
    loggers[0].setLevel(logging.DEBUG)
    for logger in loggers:
        logger.addHandler(seen)
    try:
        port = int(server.url.rsplit(":", 1)[1])
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head(port, 1000, timestamp=int(time.time())) + b" " * 100)
        await writer.drain()
        writer.transport.abort()
        assert await asyncio.to_thread(seen.debug.wait, HANG)
    finally:
        for logger in loggers:
            logger.removeHandler(seen)
        loggers[0].setLevel(level)
    assert [record.levelno for record in seen.records] == [logging.DEBUG]
