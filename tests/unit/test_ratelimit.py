"""Per-endpoint rate limits: the endpoint a request spends, GCRA maths on a fake clock, the
learned rate, the settings, and the transport waiting for slots (HTTP mocked)."""

from __future__ import annotations

import re
import time

import pytest
from yarl import URL

import bria_async as ba
from bria_async import (
    BriaClient,
    LocalRateLimiter,
    PollSettings,
    RateLimits,
    RetrySettings,
    Settings,
)
from bria_async._endpoints import ENDPOINTS
from bria_async._ratelimit import Throttle, endpoint_of
from bria_async._request import Deadline
from bria_async._settings import parse_rate
from bria_async.testing import EmulatorConfig, create_api_app
from bria_async.testing._state import State
from tests.conftest import BASE_URL, TOKEN, MockAPI

GEN_URL = f"{BASE_URL}/text-to-image/base/2.3"
GEN = "POST /text-to-image/base/{model_version}"
SYNC_RESULT = {"result": [{"urls": ["https://storage.test/a.png"], "seed": 1}]}
SAMPLES = {
    "visual_id": "9f8e7d6c5b4a",
    "model_version": "2.3",
    "model_id": "17",
    "id": "101",
    "dataset_id": "102",
    "image_id": "103",
    "request_id": "a1b2c3d4",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _emulator_endpoints() -> list[tuple[str, str]]:
    """(method, template) of every API route the emulator serves, v1 without its prefix."""
    app = create_api_app(State(EmulatorConfig()))
    found = []
    for route in app.router.routes():
        canonical = route.resource.canonical if route.resource else ""
        if route.method in {"HEAD", "*"} or not canonical.startswith(("/v1/", "/v2/")):
            continue
        found.append((route.method, canonical))
    return found


@pytest.mark.parametrize(("method", "canonical"), _emulator_endpoints())
def test_every_route_is_one_endpoint_named_by_its_template(method: str, canonical: str) -> None:
    version = 2 if canonical.startswith("/v2/") else 1
    template = canonical.removeprefix("/v1")
    concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLES[m[1]], canonical[3:])
    assert endpoint_of(method, concrete, version) == f"{method} {template}"


def test_the_known_endpoints_are_the_routes_the_emulator_serves() -> None:
    served = {
        f"{method} {canonical.removeprefix('/v1')}" for method, canonical in _emulator_endpoints()
    }
    assert served == ENDPOINTS


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("POST /text-to-image/base/{model_versoin}", "'POST /text-to-image/base/{model_version}'"),
        ("POST /text-to-image/base/2.3", "'POST /text-to-image/base/{model_version}'"),
        ("/text-to-image/base/{model_version}", "'POST /text-to-image/base/{model_version}'"),
        ("GET /v2/status/abc123", "'GET /v2/status/{request_id}'"),
        ("post /product/packshot", "'POST /product/packshot'"),
        ("/tailored-gen/models/{id}", "'DELETE /tailored-gen/models/{id}' or 'GET /tailored"),
        ("PATCH /nothing/like/any/route", "e.g. 'POST /text-to-image/base/{model_version}'"),
    ],
)
def test_a_rate_for_an_unknown_endpoint_is_refused_suggesting_the_one_meant(
    key: str, meant: str
) -> None:
    with pytest.raises(ba.ValidationError) as caught:
        RateLimits(routes={key: 5})

    assert caught.value.parameter == "RateLimits.routes"
    assert caught.value.value == key
    assert meant in str(caught.value)


def test_another_visual_or_request_id_is_the_same_endpoint() -> None:
    assert endpoint_of("GET", "/aa11/info") == endpoint_of("GET", "/bb22/info")
    assert endpoint_of("GET", "/status/x", 2) == "GET /v2/status/{request_id}"
    assert endpoint_of("POST", "/image/increase_resolution") != endpoint_of(
        "POST", "/image/edit/increase_resolution", 2
    )


async def test_requests_are_spaced_one_interval_apart_in_order() -> None:
    clock = Clock()
    limiter = LocalRateLimiter(clock=clock)
    waits = [await limiter.acquire("k", 0.5, 1, None) for _ in range(4)]
    assert waits == [0.0, 0.5, 1.0, 1.5]  # each reserved: the next waits behind it
    clock.now += 10  # a quiet spell gives no credit beyond the burst
    assert [await limiter.acquire("k", 0.5, 1, None) for _ in range(2)] == [0.0, 0.5]
    assert await limiter.acquire("other", 0.5, 1, None) == 0.0  # keys are independent


async def test_a_burst_goes_at_once_then_the_rate_holds() -> None:
    clock = Clock()
    limiter = LocalRateLimiter(clock=clock)
    waits = [await limiter.acquire("k", 1.0, 3, None) for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0]
    clock.now += 1.0
    assert await limiter.acquire("k", 1.0, 3, None) == pytest.approx(2.0)


async def test_a_slot_past_max_wait_is_not_reserved() -> None:
    clock = Clock()
    limiter = LocalRateLimiter(clock=clock)
    assert await limiter.acquire("k", 2.0, 1, 1.0) == 0.0
    assert await limiter.acquire("k", 2.0, 1, 1.0) == 2.0  # refused: nothing reserved
    assert await limiter.acquire("k", 2.0, 1, None) == 2.0  # the same slot is still free


async def test_a_pause_holds_every_slot_until_it_ends() -> None:
    clock = Clock()
    limiter = LocalRateLimiter(clock=clock)
    await limiter.pause("k", 5.0)
    await limiter.pause("k", 1.0)  # a shorter pause does not cut a longer one
    assert await limiter.acquire("k", 0.0, 1, None) == 5.0
    assert await limiter.acquire("k", 0.5, 1, None) == 5.0
    assert await limiter.acquire("k", 0.5, 1, None) == 5.5


async def test_a_learned_rate_starts_below_what_was_sent_and_drops_per_burst() -> None:
    clock = Clock()
    throttle = Throttle(RateLimits(), LocalRateLimiter(clock=clock), clock=clock)
    rated = ("acct", GEN)
    for _ in range(30):  # 30 requests in the first second, unlimited
        assert not await throttle.acquire(rated, Deadline(None))
        throttle.on_success(rated, waited=False)
    await throttle.on_rate_limited(rated, None)
    assert throttle.rate_of(GEN) == pytest.approx(1260.0)  # 70% of 30 a second
    await throttle.on_rate_limited(rated, None)  # the same burst of 429s
    assert throttle.rate_of(GEN) == pytest.approx(1260.0)
    clock.now += 1.0
    await throttle.on_rate_limited(rated, None)
    assert throttle.rate_of(GEN) == pytest.approx(882.0)
    throttle.on_success(rated, waited=False)  # not held back by the rate: it stays
    assert throttle.rate_of(GEN) == pytest.approx(882.0)
    for _ in range(10):
        throttle.on_success(rated, waited=True)
    assert throttle.rate_of(GEN) == pytest.approx(884.0)  # slow increase
    assert throttle.rate_of("GET /v2/status/{request_id}") is None  # endpoints apart


async def test_a_configured_rate_is_kept_and_a_429_pauses_its_endpoint() -> None:
    clock = Clock()
    limiter = LocalRateLimiter(clock=clock)
    throttle = Throttle(RateLimits.plan("payg"), limiter, clock=clock)
    rated = ("acct", GEN)
    await throttle.on_rate_limited(rated, 7.0)
    assert throttle.rate_of(GEN) == 60.0
    assert await limiter.acquire(f"acct:{GEN}", 1.0, 1, None) == 7.0


async def test_testing_mode_scales_what_429s_teach_to_nothing() -> None:
    clock = Clock()
    limiter = LocalRateLimiter(clock=clock)
    throttle = Throttle(RateLimits(), limiter, backoff_scale=0.0, clock=clock)
    rated = ("acct", GEN)
    await throttle.acquire(rated, Deadline(None))
    await throttle.on_rate_limited(rated, 30.0)
    assert throttle.rate_of(GEN) is not None  # learned, but not waited for
    assert not await throttle.acquire(rated, Deadline(None))
    assert not await throttle.acquire(rated, Deadline(None))


def test_plans_and_overrides() -> None:
    limits = RateLimits.plan("free", routes={GEN: 30})
    assert limits.rate_of(GEN) == 30
    assert limits.rate_of("GET /v2/status/{request_id}") == 10
    assert RateLimits.plan("enterprise").per_minute == 1000
    assert RateLimits().rate_of(GEN) is None
    assert Settings().rate_limits == RateLimits()


@pytest.mark.parametrize(
    ("make", "parameter"),
    [
        (lambda: RateLimits.plan("gold"), "RateLimits.plan(name)"),  # type: ignore[arg-type]
        (lambda: RateLimits(per_minute=0), "RateLimits.per_minute"),
        (lambda: RateLimits(per_minute=float("nan")), "RateLimits.per_minute"),
        (lambda: RateLimits(routes={"/text-to-image": 5}), "RateLimits.routes"),
        (lambda: RateLimits(routes={GEN: -1}), "RateLimits.routes"),
        (lambda: RateLimits(burst=0), "RateLimits.burst"),
        (lambda: Settings(rate_limits=60), "Settings.rate_limits"),  # type: ignore[arg-type]
    ],
)
def test_bad_rate_limits_are_refused_naming_the_parameter(make: object, parameter: str) -> None:
    with pytest.raises(ba.ValidationError) as caught:
        make()  # type: ignore[operator]
    assert caught.value.parameter == parameter


@pytest.mark.parametrize(
    ("text", "per_minute"), [("60/min", 60), ("2/s", 120), ("600/h", 10), ("45", 45)]
)
def test_rates_are_read_per_minute(text: str, per_minute: float) -> None:
    assert parse_rate(text) == per_minute


@pytest.mark.parametrize("text", ["", "fast", "0/min", "5/day", "-3"])
def test_unreadable_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(text)


def test_a_rate_limiter_that_is_not_one_is_refused() -> None:
    with pytest.raises(ba.ValidationError, match="rate_limiter"):
        BriaClient(TOKEN, base_url=BASE_URL, rate_limiter="redis://x")  # type: ignore[arg-type]


def _client(limiter: LocalRateLimiter, *, token: str = TOKEN, **settings: object) -> BriaClient:
    base = Settings.for_testing()
    options = {"retries": RetrySettings(max_attempts=1), "polling": base.polling, **settings}
    return BriaClient(token, base_url=BASE_URL, settings=Settings(**options), rate_limiter=limiter)  # type: ignore[arg-type]


async def test_a_429_pauses_its_endpoint_for_every_client_of_the_account(
    mock_api: MockAPI,
) -> None:
    limiter = LocalRateLimiter()
    mock_api.post(GEN_URL, status=429, headers={"Retry-After": "30"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT, repeat=True)
    mock_api.post(f"{BASE_URL}/text-to-image/fast/2.3", payload=SYNC_RESULT)
    short = PollSettings(job_timeout=0.5)
    async with (
        _client(limiter, polling=short) as first,
        _client(limiter, polling=short) as second,
        _client(limiter, token="another-account", polling=short) as third,
    ):
        with pytest.raises(ba.RateLimitError, match="deadline"):  # not waited out: too long
            await first.images.generate("a fox", sync=True)
        with pytest.raises(ba.RateLimitTimeoutError) as caught:
            await second.images.generate("a fox", sync=True)
        assert caught.value.endpoint == GEN
        assert 29 < caught.value.wait <= 30
        assert GEN in str(caught.value)
        await second.images.generate("a fox", model="fast", sync=True)  # another endpoint
        await third.images.generate("a fox", sync=True)  # another account
    sent = [key for key in mock_api.requests if key[0] == "POST"]
    assert sum(len(mock_api.requests[key]) for key in sent) == 3  # the refused one never went


async def test_a_plan_spaces_requests_and_a_slot_past_the_deadline_fails_typed(
    mock_api: MockAPI,
) -> None:
    mock_api.post(GEN_URL, payload=SYNC_RESULT, repeat=True)
    limits = RateLimits(per_minute=1, routes={GEN: 1200})
    mock_api.post(f"{BASE_URL}/text-to-image/hd/2.2", payload=SYNC_RESULT)
    short = PollSettings(job_timeout=0.5)
    async with _client(LocalRateLimiter(), rate_limits=limits, polling=short) as bria:
        started = time.monotonic()
        for _ in range(3):
            await bria.images.generate("a fox", sync=True)
        assert time.monotonic() - started >= 0.1  # 1200 a minute: 0.05 s apart
        await bria.images.generate("a fox", model="hd", sync=True)  # 1 a minute: at once
        with pytest.raises(ba.RateLimitTimeoutError, match=r"POST /text-to-image/hd/"):
            await bria.images.generate("a fox", model="hd", sync=True)
    assert isinstance(ba.RateLimitTimeoutError(endpoint=GEN, wait=1, left=0), TimeoutError)


async def test_under_rate_limits_429s_are_waited_out_not_counted_as_attempts(
    mock_api: MockAPI,
) -> None:
    for _ in range(7):  # more than max_attempts (5)
        mock_api.post(GEN_URL, status=429, headers={"Retry-After": "1"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT)
    testing = Settings.for_testing()  # Retry-After pauses scaled to nothing
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=testing) as bria:
        await bria.images.generate("a fox", sync=True)
    assert len(mock_api.requests[("POST", URL(GEN_URL))]) == 8


async def test_without_rate_limits_a_429_pauses_nothing(mock_api: MockAPI) -> None:
    mock_api.post(GEN_URL, status=429, headers={"Retry-After": "30"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT)
    async with _client(LocalRateLimiter(), rate_limits=None) as bria:
        assert bria._runtime.transport.throttle is None
        with pytest.raises(ba.RateLimitError):
            await bria.images.generate("a fox", sync=True)
        await bria.images.generate("a fox", sync=True)
