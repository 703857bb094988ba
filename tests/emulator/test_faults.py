"""Injected faults at their configured rates, the counters, and the admin endpoints."""

from __future__ import annotations

import asyncio
import collections
import json
import time

import aiohttp
import pytest

from bria_async import ValidationError
from bria_async.testing import Emulator, EmulatorConfig, RouteConfig
from tests.emulator.emulator_support import Api

FAST = "/text-to-image/fast/{model_version}"


async def _statuses(api: Api, count: int) -> collections.Counter[int]:
    async def one() -> int:
        status, _, _ = await api.call("POST", "/text-to-image/fast/2.3", json={"prompt": "p"})
        return status

    return collections.Counter(await asyncio.gather(*(one() for _ in range(count))))


@pytest.mark.parametrize("field", ["rate_429", "rate_500", "rate_503"])
async def test_faults_appear_at_the_configured_rate(
    api: Api, emulator: Emulator, field: str
) -> None:
    emulator.config.routes[f"POST {FAST}"] = RouteConfig(**{field: 0.3})  # type: ignore[arg-type]
    statuses = await _statuses(api, 400)
    status = int(field.removeprefix("rate_"))
    assert 0.22 < statuses[status] / 400 < 0.38
    assert statuses[200] + statuses[status] == 400
    assert emulator.counters.submissions[FAST] == statuses[200]


async def test_429_carries_retry_after(api: Api, emulator: Emulator) -> None:
    emulator.config.default_route = RouteConfig(rate_429=1.0, retry_after=7)
    status, body, headers = await api.call("GET", "/tailored-gen/models")
    assert status == 429
    assert headers["Retry-After"] == "7"
    assert "error" in body


async def test_dropped_connections(api: Api, emulator: Emulator) -> None:
    emulator.config.routes[f"POST {FAST}"] = RouteConfig(rate_drop=1.0)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "/text-to-image/fast/2.3", json={"prompt": "p"})
    assert emulator.counters.submissions[FAST] == 0


async def test_slow_answers(api: Api, emulator: Emulator) -> None:
    emulator.config.routes[f"POST {FAST}"] = RouteConfig(slow_rate=1.0, slow_seconds=0.3)
    started = time.monotonic()
    await api.ok("POST", "/text-to-image/fast/2.3", json={"prompt": "p"})
    assert time.monotonic() - started >= 0.29


async def test_storage_503_on_probes(api: Api, emulator: Emulator) -> None:
    emulator.config.storage_rate_503 = 0.5
    body = await api.ok("POST", "/text-to-image/fast/2.3", json={"prompt": "p"})
    url = body["result"][0]["urls"][0]
    emulator.make_ready(url)
    statuses = collections.Counter[int]()
    for _ in range(200):
        async with api.session.get(url, headers={"Range": "bytes=0-0"}) as response:
            statuses[response.status] += 1
    assert 70 < statuses[503] < 130
    assert statuses[206] == 200 - statuses[503]
    assert emulator.counters.probes[url] == 200


async def test_requests_are_recorded_per_host(api: Api, emulator: Emulator) -> None:
    body = await api.ok("POST", "/text-to-image/fast/2.3", params={"x": "1"}, json={"prompt": "p"})
    async with api.session.get(body["result"][0]["urls"][0]):
        pass
    api_seen, storage_seen = emulator.counters.requests
    assert (api_seen.host, api_seen.method, api_seen.path) == (
        "api",
        "POST",
        "/v1/text-to-image/fast/2.3",
    )
    assert api_seen.query == {"x": "1"}
    assert api_seen.headers["api_token"] == "[redacted]"
    assert (storage_seen.host, storage_seen.method) == ("storage", "GET")
    assert "api_token" not in storage_seen.headers


async def test_admin_state_shows_no_credentials(api: Api, emulator: Emulator) -> None:
    emulator.config.api_token = "secret-6f1d9c"
    headers = {
        "api_token": "secret-6f1d9c",
        "Authorization": "Bearer secret-a17",
        "Proxy-Authorization": "Basic secret-b42",
        "X-Trace": "kept",
    }
    async with api.session.get(
        emulator.base_url + "/tailored-gen/models", headers=headers
    ) as response:
        assert response.status == 200
    async with api.session.get(
        emulator.base_url.removesuffix("/v1") + "/_emulator/state", headers=headers
    ) as response:
        text = await response.text()
    assert "secret" not in text
    assert "secret" not in repr(emulator.counters)
    (seen,) = json.loads(text)["requests"]
    assert seen["headers"]["api_token"] == "[redacted]"
    assert seen["headers"]["Authorization"] == "[redacted]"
    assert seen["headers"]["Proxy-Authorization"] == "[redacted]"
    assert seen["headers"]["X-Trace"] == "kept"


async def test_admin_state_and_reset(api: Api, emulator: Emulator) -> None:
    body = await api.ok("POST", "/text-to-image/fast/2.3", json={"prompt": "p"})
    url = body["result"][0]["urls"][0]
    async with api.session.get(url):
        pass
    admin = emulator.base_url.removesuffix("/v1") + "/_emulator"
    async with api.session.get(admin + "/state") as response:
        state = await response.json()
    assert state["submissions"] == {FAST: 1}
    assert state["probes"] == {url: 1}
    assert state["placeholders"][url]["ready_at"] > 0
    assert [seen["host"] for seen in state["requests"]] == ["api", "storage"]
    async with api.session.post(admin + "/reset") as response:
        assert response.status == 200
    assert emulator.counters.submissions == {}
    async with api.session.get(admin + "/state", params={"requests": "false"}) as response:
        assert "requests" not in await response.json()


def test_a_route_config_for_an_unknown_endpoint_is_refused_naming_the_endpoint_meant() -> None:
    with pytest.raises(ValidationError) as caught:
        EmulatorConfig(routes={FAST: RouteConfig(rate_503=1.0)})  # the method left out
    assert caught.value.parameter == "EmulatorConfig.routes"
    assert f"did you mean 'POST {FAST}'" in str(caught.value)

    config = EmulatorConfig()
    for setting in (
        lambda: config.routes.__setitem__("POST /text-to-image/fast/{version}", RouteConfig()),
        lambda: config.routes.update({"POST /prodcut/packshot": RouteConfig()}),
        lambda: config.routes.setdefault("GET /v2/status", RouteConfig()),
    ):
        with pytest.raises(ValidationError, match=r"EmulatorConfig\.routes"):
            setting()
    assert config.routes == {}
    config.routes = {f"POST {FAST}": RouteConfig(rate_503=1.0)}
    assert config.route(f"POST {FAST}").rate_503 == 1.0
