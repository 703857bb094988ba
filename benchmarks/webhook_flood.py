"""`python -m benchmarks.webhook_flood [--sdk PATH]`: unsigned senders against the FastAPI
webhook route (issue 22, items 6 and 7), the app's RSS beside its idle RSS of the same run.

The app (`bria_webhook_router` under uvicorn, the SDK imported from `--sdk`, this checkout by
default) runs in its own process on 127.0.0.1; so that an older checkout can be measured
beside this one, nothing here imports bria_async. Four attacks, one after the other, each
over after `--hold` seconds at most:

- stale: `--connections` senders with ``Bria-Webhook-Timestamp: 1`` each send all but one byte
  of a body just under the 1 MiB cap, then stall;
- fresh: the same with a current timestamp and a well-formed (wrong) signature;
- slow: `--slow` senders with fresh headers trickle one byte a second: how long they stay open;
- aborts: `--slow` senders close mid-body: the tracebacks the app logs for them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BODY_BYTES = 1024 * 1024 - 1024  # just under the route's 1 MiB cap
CHUNK = 64 * 1024
APP = """
import sys
import uvicorn
from fastapi import FastAPI
from bria_async.contrib.fastapi import bria_lifespan, bria_webhook_router

app = FastAPI(lifespan=bria_lifespan(api_token="flood-token"))
app.include_router(bria_webhook_router("/hook"))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _head(port: int, length: int, timestamp: str) -> bytes:
    return (
        f"POST /hook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nBria-Webhook-Id: req-1\r\n"
        f"Bria-Webhook-Timestamp: {timestamp}\r\n"
        f"Bria-Webhook-Signature: v1=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"
    ).encode()


async def _closed(reader: asyncio.StreamReader) -> None:
    """Return once the app has closed the connection (it may answer first)."""
    try:
        while await reader.read(4096):
            pass
    except OSError:
        pass


class Sender:
    """One connection to the app: headers, then a body at some pace, until the app closes
    it or the attack is over; `open_for` is how long the app kept it."""

    def __init__(self, port: int, timestamp: str) -> None:
        self.port, self.timestamp = port, timestamp
        self.open_for = float("nan")

    async def run(self, pace: str, until: float) -> None:
        started = time.monotonic()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return
        closed = asyncio.ensure_future(_closed(reader))
        try:
            await asyncio.wait_for(self._send(writer, pace, closed), until - time.monotonic())
            await asyncio.wait_for(asyncio.shield(closed), until - time.monotonic())
            self.open_for = time.monotonic() - started
        except (asyncio.TimeoutError, OSError):
            pass
        finally:
            closed.cancel()
            writer.transport.abort()

    async def _send(
        self, writer: asyncio.StreamWriter, pace: str, closed: asyncio.Future[None]
    ) -> None:
        writer.write(_head(self.port, BODY_BYTES if pace != "slow" else 1000, self.timestamp))
        if pace == "slow":
            while not closed.done():
                writer.write(b" ")
                await writer.drain()
                await asyncio.wait([closed], timeout=1)
            return
        block = b" " * CHUNK
        left = BODY_BYTES - 1 if pace == "stall" else BODY_BYTES // 2
        while left > 0 and not closed.done():
            writer.write(block[:left])
            left -= CHUNK
            await writer.drain()
        if pace == "abort":
            writer.transport.abort()


async def _attack(
    pid: int, port: int, count: int, pace: str, fresh: bool, hold: float
) -> dict[str, float]:
    stamp = str(int(time.time())) if fresh else "1"
    senders = [Sender(port, stamp) for _ in range(count)]
    until = time.monotonic() + hold
    tasks = [asyncio.ensure_future(s.run(pace, until)) for s in senders]
    peak = _rss_mb(pid)
    while not all(t.done() for t in tasks):
        await asyncio.wait(tasks, timeout=0.25)
        peak = max(peak, _rss_mb(pid))
    kept = [s.open_for for s in senders if s.open_for == s.open_for]
    return {
        "peak_mb": peak,
        "closed_by_app": len(kept),
        "median_open_s": statistics.median(kept) if kept else float("nan"),
        "max_open_s": max(kept, default=float("nan")),
    }


#: Each attack: its name, the senders' pace and whether their timestamp is current.
ATTACKS = [
    ("stale", "stall", False),
    ("fresh", "stall", True),
    ("slow", "slow", True),
    ("aborts", "abort", True),
]


async def _attacks(pid: int, port: int, args: argparse.Namespace) -> None:
    for name, pace, fresh in ATTACKS:
        count = args.connections if pace == "stall" else args.slow
        idle = _rss_mb(pid)
        got = await _attack(pid, port, count, pace, fresh, args.hold)
        print(
            f"{name:7} {count} senders: RSS {idle:.0f} -> peak {got['peak_mb']:.0f} MB; "
            f"{got['closed_by_app']:.0f} closed by the app within {args.hold:g} s "
            f"(median {got['median_open_s']:.1f} s, max {got['max_open_s']:.1f} s)"
        )
        await asyncio.sleep(1)


def _wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the app never listened on 127.0.0.1:{port}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webhook_flood", description=__doc__)
    parser.add_argument("--sdk", type=Path, default=HERE.parent, help="checkout to import")
    parser.add_argument("--connections", type=int, default=400, help="flood senders (400)")
    parser.add_argument("--slow", type=int, default=300, help="slow and aborting senders (300)")
    parser.add_argument("--hold", type=float, default=30.0, help="seconds per attack (30)")
    args = parser.parse_args()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(args.sdk)}
    with tempfile.TemporaryFile("w+") as log:
        app = subprocess.Popen(  # noqa: S603 - this interpreter, this script's own app
            [sys.executable, "-c", APP, str(port)], env=env, stderr=log
        )
        try:
            _wait_listening(port)
            time.sleep(1)
            print(f"SDK at {args.sdk}; app idle RSS {_rss_mb(app.pid):.0f} MB")
            asyncio.run(_attacks(app.pid, port, args))
        finally:
            app.terminate()
            app.wait(10)
        log.seek(0)
        text = log.read()
    print(f"app log: {text.count('Traceback')} tracebacks, {len(text.splitlines())} lines")


if __name__ == "__main__":
    main()
