"""Fixtures for the emulator's contract tests: a running emulator, a client session and a
world of registered visuals, datasets and models to call the routes on."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from PIL import Image

from bria_async.testing import Emulator, EmulatorConfig, Latency


def png_bytes(size: tuple[int, int] = (300, 300), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, format="PNG")
    return out.getvalue()


def png_base64(size: tuple[int, int] = (300, 300)) -> str:
    return base64.b64encode(png_bytes(size)).decode()


class Api:
    """Plain aiohttp calls to one emulator, token included unless told otherwise."""

    def __init__(self, emulator: Emulator, session: aiohttp.ClientSession) -> None:
        self.emulator = emulator
        self.session = session

    async def call(
        self, method: str, path: str, *, token: bool = True, **kwargs: Any
    ) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
        headers = {"api_token": self.emulator.api_token} if token else {}
        async with self.session.request(
            method, self.emulator.base_url + path, headers=headers, **kwargs
        ) as response:
            raw = await response.read()
            body: Any = None
            if raw and response.content_type == "application/json":
                body = await response.json()
            return response.status, body, response.headers

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        got, body, _ = await self.call(method, path, **kwargs)
        assert got == status, (method, path, got, body)
        return body


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(
        placeholder_latency=Latency.fixed(0.05),
        onboarding_seconds=0.0,
        training_seconds=0.0,
        min_dataset_images=2,
        seed=7,
    )


@pytest_asyncio.fixture
async def emulator(config: EmulatorConfig) -> AsyncIterator[Emulator]:
    async with Emulator(config) as emu:
        yield emu


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def api(emulator: Emulator, session: aiohttp.ClientSession) -> Api:
    return Api(emulator, session)


async def make_dataset(api: Api, images: int, *, complete: bool) -> int:
    dataset = await api.ok(
        "POST",
        "/tailored-gen/datasets",
        201,
        json={"use_case": "illustrative_style", "style_description": "flat", "name": "d"},
    )
    for index in range(images):
        await api.ok(
            "POST",
            f"/tailored-gen/datasets/{dataset['id']}/images",
            201,
            data={"image_url": f"https://example.com/{index}.png"},
        )
    if complete:
        await api.ok("PUT", f"/tailored-gen/datasets/{dataset['id']}", json={"status": "COMPLETED"})
    return int(dataset["id"])


async def make_model(api: Api, dataset_id: int) -> int:
    body = {"name": "m", "description": "d", "dataset_id": dataset_id}
    return int((await api.ok("POST", "/tailored-gen/models", 201, json=body))["id"])


@pytest_asyncio.fixture
async def world(api: Api, emulator: Emulator) -> dict[str, Any]:
    """Ids to fill route templates: a visual, datasets, an image and models in every state."""
    vid = (await api.ok("POST", "/register", json={"image_url": "https://example.com/v.png"}))[
        "visual_id"
    ]
    person = (await api.ok("GET", f"/{vid}/person/info"))[0]["id"]
    ds = await make_dataset(api, 1, complete=False)
    img = (await api.ok("GET", f"/tailored-gen/datasets/{ds}/images"))[0]["id"]
    done = await make_dataset(api, 2, complete=True)
    model = await make_model(api, done)
    trained = await make_model(api, done)
    emulator.config.training_seconds = 0.0
    await api.ok("POST", f"/tailored-gen/models/{trained}/start_training")
    training = await make_model(api, done)
    emulator.config.training_seconds = 60.0
    await api.ok("POST", f"/tailored-gen/models/{training}/start_training")
    return {
        "vid": vid,
        "person": person,
        "ds": ds,
        "img": img,
        "done": done,
        "model": model,
        "trained": trained,
        "training": training,
    }
