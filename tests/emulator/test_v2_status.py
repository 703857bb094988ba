"""The v2 status route: its life cycle (IN_PROGRESS or UNKNOWN, then COMPLETED, ERROR or
FAILED), 404 for unknown ids, per-route latency, faults on it, and the status-call counts."""

from __future__ import annotations

import json

import aiohttp
import pytest

from bria_async.testing import Emulator, EmulatorConfig, Latency, RouteConfig
from tests.emulator.emulator_support import V2Api

STATUS = "/v2/status/{request_id}"
GENERATE = "/v2/image/generate"
IMG = "https://example.com/photo.png"


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(placeholder_latency=Latency.fixed(60), max_image_side=128, seed=7)


@pytest.fixture
def v2(emulator: Emulator, session: aiohttp.ClientSession) -> V2Api:
    return V2Api(emulator, session)


async def test_a_job_is_in_progress_until_ready_then_completed(
    v2: V2Api, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    request_id = await v2.submit("/image/generate", {"prompt": "a fox"})
    assert await v2.status(request_id) == {"request_id": request_id, "status": "IN_PROGRESS"}
    emulator.finish_job(request_id)
    final = await v2.status(request_id)
    assert final["status"] == "COMPLETED"
    async with session.get(final["result"]["image_url"]) as response:
        assert response.status == 200
    assert await v2.status(request_id) == final  # stays readable


async def test_a_job_becomes_ready_after_its_routes_latency(v2: V2Api, emulator: Emulator) -> None:
    emulator.config.routes[f"POST {GENERATE}"] = RouteConfig(
        placeholder_latency=Latency.fixed(0.05)
    )
    fast = await v2.submit("/image/generate", {"prompt": "a fox"})
    slow = await v2.submit("/image/edit/enhance", {"image": IMG})
    assert (await v2.final(fast))["status"] == "COMPLETED"
    assert (await v2.status(slow))["status"] == "IN_PROGRESS"


@pytest.mark.parametrize(
    ("marker", "status"), [("EMULATOR_ERROR", "ERROR"), ("EMULATOR_FAILED", "FAILED")]
)
async def test_a_marker_makes_the_job_fail_with_the_error_object(
    v2: V2Api, emulator: Emulator, marker: str, status: str
) -> None:
    request_id = await v2.submit("/image/generate", {"prompt": f"a fox {marker}"})
    assert (await v2.status(request_id))["status"] == "IN_PROGRESS"
    emulator.finish_job(request_id)
    body = await v2.status(request_id)
    assert body["status"] == status
    assert "result" not in body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == 500
    assert isinstance(error["message"], str)
    assert marker in error["details"]


async def test_a_marker_in_an_image_url_fails_a_route_without_text(
    v2: V2Api, emulator: Emulator
) -> None:
    request_id = await v2.submit(
        "/image/edit/remove_background", {"image": "https://e.com/EMULATOR_ERROR.png"}
    )
    emulator.finish_job(request_id)
    assert (await v2.status(request_id))["status"] == "ERROR"


async def test_job_error_rate_fails_jobs_of_that_route(v2: V2Api, emulator: Emulator) -> None:
    emulator.config.routes["POST /v2/image/edit/enhance"] = RouteConfig(job_error_rate=1.0)
    failing = await v2.submit("/image/edit/enhance", {"image": IMG})
    other = await v2.submit("/image/edit/restore", {"image": IMG})
    for request_id in (failing, other):
        emulator.finish_job(request_id)
    assert (await v2.status(failing))["error"]["details"].endswith("job_error_rate")
    assert (await v2.status(other))["status"] == "COMPLETED"


async def test_sync_true_on_a_failing_job_answers_the_errors_code(
    v2: V2Api, emulator: Emulator
) -> None:
    emulator.config.placeholder_latency = Latency.fixed(0.01)
    body = {"image": IMG, "sync": True, "prompt": "EMULATOR_ERROR"}
    status, answer, _ = await v2.call("POST", "/image/edit/sketch_to_colored_image", json=body)
    assert status == 500
    assert answer["status"] == "ERROR"
    assert answer["error"]["code"] == 500


async def test_the_unknown_marker_reports_unknown_until_the_job_ends(
    v2: V2Api, emulator: Emulator
) -> None:
    request_id = await v2.submit("/image/generate", {"prompt": "EMULATOR_UNKNOWN fox"})
    assert (await v2.status(request_id))["status"] == "UNKNOWN"
    emulator.finish_job(request_id)
    assert (await v2.status(request_id))["status"] == "COMPLETED"


async def test_an_unknown_id_answers_404(v2: V2Api) -> None:
    status, body, _ = await v2.call("GET", "/status/0b9c5e0e-no-such-job")
    assert status == 404
    assert body["error"]["code"] == 404
    assert "does not exist or has expired" in body["error"]["message"]


async def test_the_status_route_needs_the_api_token(v2: V2Api) -> None:
    request_id = await v2.submit("/image/generate", {"prompt": "a fox"})
    status, body, _ = await v2.call("GET", f"/status/{request_id}", token="")
    assert status == 401
    assert body["error"]["code"] == 401


async def test_faults_apply_to_the_status_route(v2: V2Api, emulator: Emulator) -> None:
    request_id = await v2.submit("/image/generate", {"prompt": "a fox"})
    emulator.config.routes[f"GET {STATUS}"] = RouteConfig(rate_429=1.0, retry_after=3)
    status, body, headers = await v2.call("GET", f"/status/{request_id}")
    assert status == 429
    assert headers["Retry-After"] == "3"
    assert body["error"]["code"] == 429
    assert await v2.submit("/image/generate", {"prompt": "a fox"})  # submissions unaffected
    emulator.config.routes[f"GET {STATUS}"] = RouteConfig(rate_503=1.0)
    assert (await v2.call("GET", f"/status/{request_id}"))[0] == 503
    emulator.config.routes[f"GET {STATUS}"] = RouteConfig(rate_drop=1.0)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await v2.call("GET", f"/status/{request_id}")
    del emulator.config.routes[f"GET {STATUS}"]
    assert (await v2.status(request_id))["status"] == "IN_PROGRESS"


async def test_faults_apply_to_v2_submissions(v2: V2Api, emulator: Emulator) -> None:
    emulator.config.routes[f"POST {GENERATE}"] = RouteConfig(rate_500=1.0)
    status, body, _ = await v2.call("POST", "/image/generate", json={"prompt": "a fox"})
    assert status == 500
    assert body["error"]["code"] == 500
    assert emulator.state.v2.jobs == {}
    assert emulator.counters.submissions[GENERATE] == 0


async def test_status_calls_are_counted_per_job_and_route(v2: V2Api, emulator: Emulator) -> None:
    first = await v2.submit("/image/generate", {"prompt": "a fox"})
    second = await v2.submit("/image/edit/enhance", {"image": IMG})
    for _ in range(3):
        await v2.status(first)
    await v2.status(second)
    emulator.config.routes[f"GET {STATUS}"] = RouteConfig(rate_429=1.0)
    await v2.call("GET", f"/status/{second}")  # a refused call still counts toward limits
    assert emulator.counters.status_calls == {first: 3, second: 2}
    assert emulator.counters.submissions[STATUS] == 4
    assert emulator.counters.submissions[GENERATE] == 1


async def test_admin_state_shows_jobs_and_status_calls_without_the_token(
    v2: V2Api, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    emulator.config.api_token = "secret-83c1"
    request_id = await v2.submit("/image/generate", {"prompt": "a fox"})
    await v2.status(request_id)
    admin = emulator.v2_base_url.removesuffix("/v2") + "/_emulator"
    async with session.get(admin + "/state") as response:
        text = await response.text()
    assert "secret" not in text
    state = json.loads(text)
    assert state["status_calls"] == {request_id: 1}
    job = state["v2"]["jobs"][request_id]
    assert (job["route"], job["status"]) == (GENERATE, "IN_PROGRESS")
    assert state["v2"]["deliveries"] == []
    assert "secret" not in repr(emulator.state.v2.jobs)
    async with session.post(admin + "/reset"):
        pass
    assert emulator.counters.status_calls == {}
    assert (await v2.status(request_id))["status"] == "IN_PROGRESS"  # jobs outlive a reset


async def test_a_job_older_than_job_ttl_answers_404_as_expired(
    v2: V2Api, emulator: Emulator
) -> None:
    request_id = await v2.submit("/image/generate", {"prompt": "a fox"})
    emulator.finish_job(request_id)
    assert (await v2.status(request_id))["status"] == "COMPLETED"
    emulator.config.job_ttl = 0.0
    status, body, _ = await v2.call("GET", f"/status/{request_id}")
    assert status == 404
    assert "does not exist or has expired" in body["error"]["message"]
