"""Fixtures for the emulator's contract tests: a running emulator, a client session and a
world of registered visuals, datasets and models to call the routes on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bria_async.testing import Emulator, EmulatorConfig, Latency
from tests.emulator.emulator_support import Api, make_dataset, make_model


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
