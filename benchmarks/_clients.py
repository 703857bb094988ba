"""The clients every scenario compares: bria_async and hand-written aiohttp / requests code.

The baselines are written the way a user would without the SDK: POST the generation with
``sync=false``, then GET each placeholder URL on a fixed interval until it answers 200.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import requests

from bria_async import BriaClient, PollSettings, Settings

from ._emulator import TOKEN

PATH = "/text-to-image/base/2.3"
HEADERS = {"api_token": TOKEN}


def body(i: int, images: int, *, sync: bool = False) -> dict[str, Any]:
    """The generation request of job `i`."""
    return {"prompt": f"a lighthouse at dusk, take {i}", "num_results": images, "sync": sync}


def sdk(base_url: str, polling: dict[str, Any] | None = None) -> BriaClient:
    """The SDK pointed at the emulator: its production defaults, or these PollSettings."""
    settings = Settings(polling=PollSettings(**polling)) if polling else None
    return BriaClient(api_token=TOKEN, base_url=base_url, settings=settings)


def generate(bria: BriaClient, i: int, images: int) -> Any:
    """Job `i` through the SDK, the same request as `body(i, images)`."""
    return bria.images.generate(f"a lighthouse at dusk, take {i}", num_results=images)


async def aiohttp_submit(
    session: aiohttp.ClientSession, base_url: str, i: int, images: int
) -> list[str]:
    """POST job `i`; its placeholder URLs."""
    async with session.post(base_url + PATH, json=body(i, images), headers=HEADERS) as resp:
        resp.raise_for_status()
        data = await resp.json()
    return [item["urls"][0] for item in data["result"]]


async def aiohttp_wait(session: aiohttp.ClientSession, url: str, interval: float) -> float:
    """GET `url` every `interval` seconds until it answers 200; when it did (time.time())."""
    while True:
        await asyncio.sleep(interval)
        async with session.get(url) as resp:
            await resp.read()
            if resp.status == 200:
                return time.time()


def requests_job(base_url: str, i: int, images: int, interval: float) -> dict[str, Any]:
    """One job the way the reference's examples call the API: requests, no session."""
    response = requests.request("POST", base_url + PATH, headers=HEADERS, json=body(i, images))
    response.raise_for_status()
    submitted = time.time()
    urls = [item["urls"][0] for item in response.json()["result"]]
    for url in urls:
        while True:
            time.sleep(interval)
            if requests.get(url).status_code == 200:
                break
    return {"urls": urls, "submitted": submitted, "finished": time.time()}
