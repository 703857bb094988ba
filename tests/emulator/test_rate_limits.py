"""The emulator enforces Bria's rate limits: per token and per endpoint, the v2 status route
included; over the limit 429 with Retry-After; requests counted per endpoint per minute."""

from __future__ import annotations

import argparse

import pytest

from bria_async.testing import Emulator, RateLimit
from bria_async.testing._cli import build_config, configure_parser
from tests.emulator.emulator_support import Api

BASE = "POST /text-to-image/base/{model_version}"


async def _generate(api: Api, *, token: bool = True, model: str = "base") -> int:
    status, _, _ = await api.call(
        "POST", f"/text-to-image/{model}/2.3", json={"prompt": "p"}, token=token
    )
    return int(status)


async def test_over_the_limit_a_429_says_when_to_come_back(api: Api, emulator: Emulator) -> None:
    emulator.config.rate_limit = RateLimit(3, 60.0)
    statuses = [await _generate(api) for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    status, body, headers = await api.call("POST", "/text-to-image/base/2.3", json={})
    assert status == 429
    assert int(headers["Retry-After"]) == 20  # one request per 20 s comes back
    assert "rate limit" in body["error"]
    counters = emulator.counters
    assert counters.per_minute[BASE] == {0: 3}
    assert counters.rate_limited[BASE] == 3
    assert counters.submissions["/text-to-image/base/{model_version}"] == 3
    state = counters.to_dict(with_requests=False)
    assert state["per_minute"] == {BASE: {"0": 3}}
    assert state["rate_limited"] == {BASE: 3}


async def test_each_endpoint_and_each_token_has_its_own_budget(
    api: Api, emulator: Emulator
) -> None:
    emulator.config.rate_limit = RateLimit(1, 60.0)
    emulator.config.any_token = True
    assert await _generate(api) == 200
    assert await _generate(api) == 429
    assert await _generate(api, model="fast") == 200
    other = {"api_token": "another-account"}
    async with api.session.post(
        emulator.base_url + "/text-to-image/base/2.3", json={"prompt": "p"}, headers=other
    ) as answer:
        assert answer.status == 200


async def test_status_calls_count_toward_their_own_endpoint(api: Api, emulator: Emulator) -> None:
    emulator.config.rate_limit = RateLimit(2, 1.0, burst=2)
    v2 = emulator.v2_base_url
    headers = {"api_token": emulator.api_token}
    async with api.session.post(
        v2 + "/image/generate", json={"prompt": "p"}, headers=headers
    ) as answer:
        rid = (await answer.json())["request_id"]
    statuses = []
    for _ in range(3):
        async with api.session.get(f"{v2}/status/{rid}", headers=headers) as answer:
            statuses.append(answer.status)
            retry_after = answer.headers.get("Retry-After")
    assert statuses == [200, 200, 429]
    assert retry_after == "1"  # whole seconds, rounded up
    assert emulator.counters.rate_limited == {"GET /v2/status/{request_id}": 1}


async def test_a_reset_fills_the_buckets_again(api: Api, emulator: Emulator) -> None:
    emulator.config.rate_limit = RateLimit(1, 3600.0)
    assert await _generate(api) == 200
    assert await _generate(api) == 429
    reset = emulator.base_url.removesuffix("/v1") + "/_emulator/reset"
    async with api.session.post(reset) as answer:
        assert answer.status == 200
    assert await _generate(api) == 200
    assert emulator.counters.rate_limited == {}


@pytest.mark.parametrize(
    ("argv", "limit"),
    [
        (["--rate-limit", "60/min"], RateLimit(60, 60.0)),
        (["--rate-limit", "5/s", "--rate-burst", "2"], RateLimit(5, 1.0, 2)),
        (["--rate-limit", "600/h"], RateLimit(600, 3600.0)),
        ([], None),
    ],
)
def test_the_command_line_sets_the_limit(argv: list[str], limit: RateLimit | None) -> None:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    assert build_config(parser.parse_args(argv)).rate_limit == limit


@pytest.mark.parametrize("text", ["60", "0/min", "ten/s", "5/day"])
def test_an_unreadable_limit_is_refused(text: str) -> None:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    with pytest.raises(SystemExit, match="--rate-limit"):
        build_config(parser.parse_args(["--rate-limit", text]))
