"""RedisRateLimiter against a real Redis server: one budget shared by processes, and the
in-process fallback when Redis goes away mid-run.

Needs Redis on 127.0.0.1:6379 (the project's machines run one), and `redis-server` to start
a server of the test's own that it can kill. Locally without them these tests skip; under
CI (CI=true) they fail.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bria_async import (
    BriaClient,
    Hooks,
    RateLimits,
    RedisRateLimiter,
    RequestEvent,
    Settings,
    ValidationError,
)
from bria_async.testing import Emulator, RateLimit
from bria_async.testing._plugin import fast_config
from tests.integration.fake_redis import fake_redis
from tests.integration.service_support import free_port, missing_service, redis_answers

ROOT = Path(__file__).resolve().parents[2]
HOST, PORT = "127.0.0.1", 6379
GEN = "POST /text-to-image/base/{model_version}"
#: The emulator allows 10 requests a second per endpoint, 10 at once (room for late ones on a
#: busy machine); the clients are told the same rate. Unshared, 4 would send 40 a second.
LIMIT = RateLimit(10, 1.0, burst=10)
PLAN = RateLimits(per_minute=600)

WORKER = """
import asyncio, json, sys
from bria_async import BriaClient, RateLimits, RedisRateLimiter, Settings

async def main(base_url, token, prefix, jobs):
    limiter = RedisRateLimiter(prefix=prefix)
    settings = Settings(rate_limits=RateLimits(per_minute=600))
    options = {"settings": settings, "rate_limiter": limiter}
    async with BriaClient(token, base_url=base_url, **options) as bria:
        jobs = [bria.images.generate(f"a fox, take {i}", num_results=1) for i in range(jobs)]
        results = await asyncio.gather(*(job.submit() for job in jobs), return_exceptions=True)
        failed = [repr(r) for r in results if isinstance(r, BaseException)]
        print(json.dumps({"submitted": len(results) - len(failed), "failed": failed}))

asyncio.run(main(*sys.argv[1:4], int(sys.argv[4])))
"""


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own, removed afterwards from the machine's Redis."""
    problem = redis_answers(HOST, PORT)
    if problem is not None:
        missing_service(f"Redis on {HOST}:{PORT}", problem)
    prefix = f"bria_async:test:{uuid.uuid4().hex}:"
    yield prefix
    import redis

    with redis.Redis(host=HOST, port=PORT) as client:
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[Emulator]:
    config = fast_config()
    config.rate_limit = LIMIT
    async with Emulator(config) as emu:
        yield emu


@pytest_asyncio.fixture
async def own_redis() -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """A redis-server of this test's own on a free port (never the machine's), and its URL."""
    server = shutil.which("redis-server")
    if server is None:
        missing_service("redis-server (the program)", "not found on PATH")
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        server,
        "--port",
        str(port),
        "--bind",
        HOST,
        "--save",
        "",
        "--appendonly",
        "no",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if redis_answers(HOST, port, timeout=0.1) is None:
                break
            await asyncio.sleep(0.05)
        yield process, f"redis://{HOST}:{port}/0"
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_acquire_reserves_slots_on_redis_and_pauses_are_shared(prefix: str) -> None:
    first = RedisRateLimiter(prefix=prefix)
    second = RedisRateLimiter(prefix=prefix)  # another process would see the same
    try:
        waits = [await first.acquire("acct:e", 0.5, 1, None) for _ in range(3)]
        assert waits[0] == 0.0
        assert [round(w * 2) / 2 for w in waits[1:]] == [0.5, 1.0]
        assert 1.4 < await second.acquire("acct:e", 0.5, 1, None) <= 1.5
        assert await second.acquire("acct:e", 0.5, 1, 1.0) > 1.5  # past max_wait: refused
        assert 1.4 < await first.acquire("acct:e", 0.5, 1, None) <= 2.0  # ...so still free
        await second.pause("acct:other", 30.0)
        assert 29 < await first.acquire("acct:other", 0.0, 1, None) <= 30
        assert first.using_redis
    finally:
        await first.aclose()
        await second.aclose()


async def test_four_processes_share_one_budget(emulator: Emulator, prefix: str) -> None:
    jobs = 6
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = (emulator.base_url, emulator.api_token, prefix, str(jobs))
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WORKER, *args, env=env, stdout=subprocess.PIPE
        )
        for _ in range(4)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in workers)), 60)
    assert all(w.returncode == 0 for w in workers)
    reports = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
    assert reports == [{"submitted": jobs, "failed": []}] * 4, reports
    counters = emulator.counters
    assert counters.submissions["/text-to-image/base/{model_version}"] == 4 * jobs  # once each
    assert counters.rate_limited[GEN] <= 2, counters.per_minute  # unshared: dozens


async def test_when_redis_dies_mid_run_requests_go_on_in_process(
    emulator: Emulator,
    own_redis: tuple[asyncio.subprocess.Process, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    process, url = own_redis
    limiter = RedisRateLimiter(url, prefix="bria_async:test:", retry_interval=60)
    # 2 submissions at a time: slots are reserved as the jobs go, not all at the start
    settings = Settings(rate_limits=PLAN, max_submissions=2)
    caplog.set_level(logging.WARNING, logger="bria_async")
    sent: list[RequestEvent] = []
    five_sent = asyncio.Event()

    def on_request(event: RequestEvent) -> None:
        sent.append(event)
        if len(sent) == 5:
            five_sent.set()

    async with BriaClient(
        emulator.api_token,
        base_url=emulator.base_url,
        settings=settings,
        rate_limiter=limiter,
        hooks=Hooks(on_request=on_request),
    ) as bria:
        jobs = [bria.images.generate(f"a fox, take {i}", num_results=1) for i in range(15)]
        sending = asyncio.gather(*(job.submit() for job in jobs))
        await asyncio.wait_for(five_sent.wait(), 30)
        assert limiter.using_redis
        process.kill()  # mid-run: 5 sent through Redis, 10 still to go
        await process.wait()
        await asyncio.wait_for(sending, 30)
        assert not limiter.using_redis
    assert emulator.counters.submissions["/text-to-image/base/{model_version}"] == 15
    warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
    assert len(warnings) == 1
    assert url in warnings[0].getMessage()  # which Redis (this one has no password)


@pytest.mark.parametrize(
    ("answer", "redis"),
    [
        (b"$3\r\nnan\r\n", True),  # would switch the limit off
        (b"$6\r\n-1e308\r\n", True),  # the same
        (b"$3\r\ninf\r\n", True),  # would time every request out
        (b"$7\r\ngarbage\r\n", True),
        (b"*0\r\n", True),  # an empty array
        (b":5\r\n", True),  # a number where the script answers a string
        (b"", False),  # a peer that is not Redis: +OK to everything
    ],
)
async def test_an_unexpected_answer_is_treated_like_an_unreachable_redis(
    answer: bytes, redis: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bria_async")
    async with fake_redis(answer, redis=redis) as url:
        limiter = RedisRateLimiter(url, retry_interval=60)
        try:
            waits = [await limiter.acquire("acct:e", 1.0, 1, None) for _ in range(3)]
            await limiter.pause("acct:e", 0.5)
            assert not limiter.using_redis
        finally:
            await limiter.aclose()
    # the in-process fallback keeps the limit: one slot a second
    assert [round(w) for w in waits] == [0, 1, 2]
    warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]


async def test_the_password_of_the_url_is_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bria_async")
    port = free_port()
    url = f"rediss://admin:Hunter2Pass@{HOST}:{port}/0?password=Hunter2Pass"
    limiter = RedisRateLimiter(url)
    assert await limiter.acquire("acct:e", 0.0, 1, None) == 0.0  # nothing listens: fallback
    assert not limiter.using_redis
    shown = f"rediss://admin:***@{HOST}:{port}/0?password=***"
    assert repr(limiter) == f"RedisRateLimiter({shown!r}, prefix='bria_async:rate:')"
    (warning,) = [r.getMessage() for r in caplog.records]
    assert shown in warning
    assert "Hunter2Pass" not in warning
    with pytest.raises(ValidationError) as refused:
        RedisRateLimiter("rediss:/:Hunter2Pass@127.0.0.1:1/0")
    assert "Hunter2Pass" not in str(refused.value)
    assert "rediss:/:***@127.0.0.1:1/0" in str(refused.value)
