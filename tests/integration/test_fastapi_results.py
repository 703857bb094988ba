"""A FastAPI handler returns a bria_async result as it is, under a real uvicorn server: by
its return annotation or by `response_model`, answered as the result's `to_dict()`.

No ``from __future__ import annotations``: FastAPI reads the handlers' annotations."""

import aiohttp
import pytest
from fastapi import FastAPI

from bria_async import EditResult, ImageResult, Settings, V2Result
from bria_async.contrib.fastapi import AsyncBriaDep, bria_lifespan
from bria_async.testing import Emulator
from tests.integration.fastapi_support import ServerThread

app = FastAPI(lifespan=bria_lifespan(settings=Settings.for_testing()))


@app.get("/fox")
async def fox(bria: AsyncBriaDep) -> ImageResult:
    return await bria.images.generate("a red fox", num_results=2)


@app.get("/v2/fox", response_model=V2Result)
async def v2_fox(bria: AsyncBriaDep) -> object:
    return await bria.v2.image.generate("a red fox", seed=7)


@app.get("/cutouts")
async def cutouts(bria: AsyncBriaDep) -> list[EditResult]:
    image = "https://images.example.com/shoe.jpg"
    return await bria.gather([bria.product.cutout(image), bria.product.cutout(image)])


async def test_handlers_return_results_as_they_are(
    bria_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIA_API_TOKEN", bria_emulator.api_token)
    monkeypatch.setenv("BRIA_BASE_URL", bria_emulator.base_url)
    bria_emulator.config.max_image_side = 64  # PNG rendering is not what this tests
    async with ServerThread(app) as server, aiohttp.ClientSession(server.url) as http:
        answers = {}
        for path in ("/fox", "/v2/fox", "/cutouts", "/openapi.json"):
            async with http.get(path) as response:
                assert response.status == 200, await response.text()
                answers[path] = await response.json()
    fox = answers["/fox"]
    assert len(fox["images"]) == 2
    assert all(image["url"].startswith("http://127.0.0.1:") for image in fox["images"])
    assert all(isinstance(image["seed"], int) for image in fox["images"])
    assert fox["created_at"].endswith("+00:00")  # an ISO 8601 string
    assert "storage" not in fox
    assert "_storage" not in fox["images"][0]
    v2 = answers["/v2/fox"]
    assert v2["seed"] == 7
    assert v2["image_url"].startswith("http://127.0.0.1:")
    assert [cutout["image"]["url"] for cutout in answers["/cutouts"]]
    schema = answers["/openapi.json"]["paths"]["/fox"]["get"]["responses"]["200"]
    assert schema["content"]["application/json"]["schema"]["type"] == "object"
