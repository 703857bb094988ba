"""Rate limits against the emulator enforcing Bria's: a client told its plan spends it without
429s, v2 status calls included, and clients (or FastAPI apps) share a LocalRateLimiter."""

from __future__ import annotations

import asyncio
import contextlib

import attrs
import httpx
from fastapi import FastAPI

from bria_async import BriaClient, LocalRateLimiter, RateLimits, RetrySettings, Settings
from bria_async.contrib.fastapi import AsyncBriaDep, bria_lifespan
from bria_async.testing import Emulator, Latency, RateLimit

STATUS = "GET /v2/status/{request_id}"
GEN = "POST /text-to-image/base/{model_version}"


def _settings(limits: RateLimits | None) -> Settings:
    return attrs.evolve(Settings.for_testing(), rate_limits=limits)


async def test_status_calls_keep_to_the_plan(bria_emulator: Emulator) -> None:
    bria_emulator.config.rate_limit = RateLimit(10, 1.0, burst=10)
    bria_emulator.config.placeholder_latency = Latency.fixed(0.6)
    async with BriaClient(
        bria_emulator.api_token,
        base_url=bria_emulator.base_url,
        settings=_settings(RateLimits(per_minute=600)),  # polls every 0.02 s without it
    ) as bria:
        results = await asyncio.gather(*(bria.v2.image.generate(f"fox {i}") for i in range(3)))
    assert all(r.image_url for r in results)
    counters = bria_emulator.counters
    assert counters.rate_limited == {}
    assert sum(counters.per_minute[STATUS].values()) >= 3


async def test_clients_sharing_a_limiter_share_the_budget(bria_emulator: Emulator) -> None:
    bria_emulator.config.rate_limit = RateLimit(10, 1.0, burst=3)
    limiter = LocalRateLimiter()
    clients = [
        BriaClient(
            bria_emulator.api_token,
            base_url=bria_emulator.base_url,
            settings=_settings(RateLimits(per_minute=600)),
            rate_limiter=limiter,
        )
        for _ in range(2)
    ]
    async with clients[0] as first, clients[1] as second:
        jobs = [bria.images.generate("a fox") for bria in (first, second) for _ in range(5)]
        await asyncio.gather(*(job.submit() for job in jobs))
    assert bria_emulator.counters.rate_limited == {}


async def test_without_a_limiter_the_emulator_answers_429(bria_emulator: Emulator) -> None:
    bria_emulator.config.rate_limit = RateLimit(10, 1.0, burst=3)
    settings = attrs.evolve(_settings(None), retries=RetrySettings(max_attempts=1))
    async with BriaClient(
        bria_emulator.api_token, base_url=bria_emulator.base_url, settings=settings
    ) as bria:
        jobs = [bria.images.generate("a fox") for _ in range(6)]
        await asyncio.gather(*(job.submit() for job in jobs), return_exceptions=True)
    assert bria_emulator.counters.rate_limited[GEN] == 3


async def test_fastapi_apps_take_a_shared_limiter(bria_emulator: Emulator) -> None:
    bria_emulator.config.rate_limit = RateLimit(10, 1.0, burst=3)
    limiter = LocalRateLimiter()  # RedisRateLimiter(url) for replicas in other processes

    def replica() -> FastAPI:
        app = FastAPI(
            lifespan=bria_lifespan(
                api_token=bria_emulator.api_token,
                base_url=bria_emulator.base_url,
                settings=_settings(RateLimits(per_minute=600)),
                rate_limiter=limiter,
            )
        )

        @app.post("/jobs")
        async def submit(bria: AsyncBriaDep) -> str:
            return (await bria.images.generate("a fox").submit()).id

        return app

    apps = [replica(), replica()]
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url="http://app")
            clients.append(await stack.enter_async_context(client))
        answers = await asyncio.gather(*(c.post("/jobs") for c in clients for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 8
    assert bria_emulator.counters.rate_limited == {}
