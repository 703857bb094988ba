"""Helpers shared by the emulator's contract tests: plain aiohttp calls and test images."""

from __future__ import annotations

import asyncio
import base64
import io
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
from PIL import Image

from bria_async.testing import Emulator


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
    ) -> tuple[int, Any, CIMultiDictProxy[str]]:
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


class V2Api:
    """Plain aiohttp calls to one emulator's /v2 routes, token included unless told otherwise."""

    def __init__(self, emulator: Emulator, session: aiohttp.ClientSession) -> None:
        self.emulator = emulator
        self.session = session

    async def call(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> tuple[int, Any, CIMultiDictProxy[str]]:
        """`path` is under the v2 base URL, or a whole URL; `token=""` sends none."""
        token = self.emulator.api_token if token is None else token
        headers = {"api_token": token} if token else {}
        url = path if path.startswith("http") else self.emulator.v2_base_url + path
        async with self.session.request(method, url, headers=headers, **kwargs) as response:
            body = await response.json() if response.content_type == "application/json" else None
            return response.status, body, response.headers

    async def submit(self, path: str, body: dict[str, Any], **kwargs: Any) -> str:
        """POST `body`, expect 202 with a status URL on this emulator; the request id."""
        status, answer, _ = await self.call("POST", path, json=body, **kwargs)
        assert status == 202, answer
        assert set(answer) == {"request_id", "status_url"}
        assert answer["status_url"] == f"{self.emulator.v2_base_url}/status/{answer['request_id']}"
        return str(answer["request_id"])

    async def status(self, request_id: str) -> dict[str, Any]:
        status, body, _ = await self.call("GET", f"/status/{request_id}")
        assert status == 200, body
        assert body["request_id"] == request_id
        return dict(body)

    async def final(self, request_id: str) -> dict[str, Any]:
        """Poll the status route until the job is final (at most about 5 s)."""
        for _ in range(250):
            body = await self.status(request_id)
            if body["status"] not in ("IN_PROGRESS", "UNKNOWN"):
                return body
            await asyncio.sleep(0.02)
        raise AssertionError(f"job {request_id} never finished")
