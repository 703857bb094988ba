"""examples/fastapi_app.py under a real uvicorn server, against the emulator."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bria_async.testing import Emulator, Latency
from tests.integration.fastapi_support import ServerThread

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fastapi_app.py"


def _load_app() -> Any:
    spec = importlib.util.spec_from_file_location("fastapi_app_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the handlers' types through it
    spec.loader.exec_module(module)
    return module.app


def _open_sessions() -> list[aiohttp.ClientSession]:
    return [o for o in gc.get_objects() if isinstance(o, aiohttp.ClientSession) and not o.closed]


async def test_example_app_answers_200_concurrent_requests_on_one_session(
    bria_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIA_API_TOKEN", bria_emulator.api_token)
    monkeypatch.setenv("BRIA_BASE_URL", bria_emulator.base_url)
    bria_emulator.config.placeholder_latency = Latency.fixed(0.3)
    bria_emulator.config.max_image_side = 64  # PNG rendering is not what this measures
    before = len(_open_sessions())
    server = ServerThread(_load_app())
    connector = aiohttp.TCPConnector(limit=200)
    async with server, aiohttp.ClientSession(server.url, connector=connector) as http:

        async def post(path: str, body: dict[str, Any]) -> tuple[str, int, Any, float]:
            started = time.monotonic()
            async with http.post(path, json=body) as response:
                answer = await response.json()
            return path, response.status, answer, time.monotonic() - started

        started = time.monotonic()
        body = {"prompt": "a red fox in fresh snow", "num_results": 2}
        responses = await asyncio.gather(
            *(post("/images" if i % 2 else "/jobs", body) for i in range(200))
        )
        first_wave = time.monotonic() - started
        assert len(_open_sessions()) == before + 2  # the app's one session, and ours
        assert sorted(status for _, status, _, _ in responses) == [200] * 100 + [202] * 100
        waited = [answer for path, _, answer, _ in responses if path == "/images"]
        submitted = [answer for path, _, answer, _ in responses if path == "/jobs"]
        assert all(len(answer["images"]) == 2 for answer in waited)
        assert all(len(answer["urls"]) == 2 for answer in submitted)

        started = time.monotonic()
        statuses = await asyncio.gather(
            *(post("/jobs/status?wait=10", {"token": answer["token"]}) for answer in submitted)
        )
        second_wave = time.monotonic() - started
    for answer, (_, code, status, _) in zip(submitted, statuses, strict=True):
        assert code == 200
        assert status["status"] == "done"
        assert [image["url"] for image in status["images"]] == answer["urls"]
    assert server.leftover_tasks == []  # nothing left running at shutdown
    assert len(_open_sessions()) == before  # and the app's session is closed
    assert sum(bria_emulator.counters.submissions.values()) == 200  # resuming never resubmits
    times = sorted(elapsed for *_, elapsed in responses)
    print(
        f"\n200 requests in {first_wave:.2f} s (each {times[0]:.2f}-{times[-1]:.2f} s); "
        f"100 status requests in {second_wave:.2f} s"
    )


async def test_a_pending_job_reports_its_pending_urls(
    bria_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIA_API_TOKEN", bria_emulator.api_token)
    monkeypatch.setenv("BRIA_BASE_URL", bria_emulator.base_url)
    bria_emulator.config.placeholder_latency = Latency.fixed(30)
    async with ServerThread(_load_app()) as server, aiohttp.ClientSession(server.url) as http:
        async with http.post("/jobs", json={"prompt": "a slow lighthouse"}) as response:
            job = await response.json()
        async with http.post("/jobs/status", json={"token": job["token"]}) as response:
            status = await response.json()
    assert status == {"status": "pending", "pending_urls": job["urls"]}


async def test_a_forged_or_altered_token_is_a_400_and_reaches_nothing(
    bria_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIA_API_TOKEN", bria_emulator.api_token)
    monkeypatch.setenv("BRIA_BASE_URL", bria_emulator.base_url)
    async with ServerThread(_load_app()) as server, aiohttp.ClientSession(server.url) as http:
        async with http.post("/jobs", json={"prompt": "a lighthouse"}) as response:
            job = await response.json()
        seen = len(bria_emulator.counters.requests)
        altered = {**job["token"], "kind": "models.delete", "context": {"model_id": 42}}
        forged = {
            "bria_async_job": 1,
            "kind": "visuals.info",
            "request": {"method": "DELETE", "path": "/tailored-gen/models/42"},
        }
        for token in (altered, forged):
            async with http.post("/jobs/status", json={"token": token}) as response:
                assert response.status == 400
                assert "token" in (await response.json())["detail"]
        assert len(bria_emulator.counters.requests) == seen


def test_importing_bria_async_imports_no_optional_extra() -> None:
    code = (
        "import sys, bria_async, bria_async.cli, bria_async.testing; "
        "print(sorted({'fastapi', 'uvicorn', 'rich'} & set(sys.modules)))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


async def test_the_dependency_without_the_lifespan_raises_a_client_state_error() -> None:
    from fastapi import FastAPI
    from starlette.requests import Request

    from bria_async import ClientStateError
    from bria_async.contrib.fastapi import get_bria

    request = Request({"type": "http", "app": FastAPI()})
    with pytest.raises(ClientStateError, match="bria_lifespan"):
        await get_bria(request)
