"""Job tokens are signed and checked in full: a forged, altered or malformed token sends
nothing and raises InvalidJobTokenError; a genuine one resumes, even in another client."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from typing import Any

import pytest
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, ImageResult, Settings, VisualInfo
from tests.conftest import BASE_URL, TOKEN, MockAPI

GEN = f"{BASE_URL}/text-to-image/base/2.3"
A = "https://storage.test/results/a.png"
VID = "8487fb411f3c6716"
APP_KEY = "an application key of 32 bytes.."


def answer(*urls: str) -> dict[str, Any]:
    return {"result": [{"urls": [u], "seed": i} for i, u in enumerate(urls)]}


def requests_sent(mock_api: MockAPI) -> int:
    return sum(len(calls) for calls in mock_api.requests.values())


def resign(token: dict[str, Any], key: str = APP_KEY) -> dict[str, Any]:
    """What only a holder of the key can do: sign a token anew (the documented format)."""
    payload = {k: v for k, v in token.items() if k != "signature"}
    derived = hmac.new(
        key.encode(), b"bria_async job token key, version 2", hashlib.sha256
    ).digest()
    canonical = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode()
    return {**payload, "signature": hmac.new(derived, canonical, hashlib.sha256).hexdigest()}


async def generation_token(client: BriaClient, mock_api: MockAPI) -> dict[str, Any]:
    mock_api.post(GEN, payload=answer(A))
    job = await client.images.generate("a fox", num_results=1).submit()
    token = job.to_dict()
    job.cancel()
    return json.loads(json.dumps(token))  # type: ignore[no-any-return]


ALTERATIONS: list[tuple[str, Any]] = [
    ("bria_async_job", 1),
    ("id", "0" * 32),
    ("kind", "models.delete"),
    ("kind", "visuals.info"),
    ("submitted_at", 1.0),
    ("http_status", 205),
    ("response", {"result": [{"urls": ["http://169.254.169.254/latest/meta-data"]}]}),
    ("context", {"sync": True}),
    ("state", {"urls": ["http://10.0.0.1/admin"], "ready": [False]}),
    ("state", {"urls": [A], "ready": [True]}),
    ("signature", "0" * 64),
]


@pytest.mark.parametrize(
    ("field", "value"), ALTERATIONS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(ALTERATIONS)]
)
async def test_an_altered_token_sends_nothing_and_is_refused(
    client: BriaClient, mock_api: MockAPI, field: str, value: Any
) -> None:
    token = await generation_token(client, mock_api)
    token[field] = value
    sent = requests_sent(mock_api)
    with pytest.raises(ba.InvalidJobTokenError) as raised:
        await client.jobs.resume(token)
    assert isinstance(raised.value, ValueError)
    assert requests_sent(mock_api) == sent


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "token",
        [],
        {},
        {"id": "x"},
        # a token of the unsigned version 1, asking for any request with the user's api_token
        {
            "bria_async_job": 1,
            "id": "x",
            "kind": "visuals.info",
            "status": "submitted",
            "submitted_at": 1.0,
            "http_status": 205,
            "response": None,
            "context": {},
            "urls": [],
            "ready": [],
            "request": {"method": "DELETE", "path": "/tailored-gen/models/42"},
        },
    ],
)
async def test_what_is_not_a_signed_token_is_refused_before_any_request(
    client: BriaClient, mock_api: MockAPI, forged: Any
) -> None:
    with pytest.raises(ba.InvalidJobTokenError):
        client.jobs.resume(forged)
    assert requests_sent(mock_api) == 0


async def test_an_unsigned_token_is_refused(client: BriaClient, mock_api: MockAPI) -> None:
    token = await generation_token(client, mock_api)
    del token["signature"]
    with pytest.raises(ba.InvalidJobTokenError, match="not signed"):
        client.jobs.resume(token)


async def test_a_token_resumes_only_with_the_same_api_token(mock_api: MockAPI) -> None:
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as mine:
        token = await generation_token(mine, mock_api)
    async with BriaClient("another-account", base_url=BASE_URL) as theirs:
        with pytest.raises(ba.InvalidJobTokenError, match="signature"):
            theirs.jobs.resume(token)


async def test_a_job_token_key_survives_a_rotated_api_token(mock_api: MockAPI) -> None:
    async with BriaClient(
        TOKEN, base_url=BASE_URL, job_token_key=APP_KEY, settings=Settings.for_testing()
    ) as before:
        token = await generation_token(before, mock_api)
    mock_api.get(A, status=206, body=b"\x89")
    async with BriaClient(
        "rotated-token", base_url=BASE_URL, job_token_key=APP_KEY, settings=Settings.for_testing()
    ) as after:
        result = await after.jobs.resume(token, ImageResult)
    assert result.urls == (A,)


def test_a_job_token_key_must_be_long_enough() -> None:
    with pytest.raises(ba.ConfigurationError, match="16 bytes"):
        BriaClient(TOKEN, base_url=BASE_URL, job_token_key="short")


@pytest.fixture
async def keyed(mock_api: MockAPI) -> Any:
    async with BriaClient(
        TOKEN, base_url=BASE_URL, job_token_key=APP_KEY, settings=Settings.for_testing()
    ) as bria:
        yield bria


MALFORMED: list[tuple[str, Any]] = [
    ("id", None),
    ("id", "../x"),
    ("kind", 5),
    ("kind", "no.such.route"),
    ("submitted_at", "yesterday"),
    ("submitted_at", True),
    ("http_status", "200"),
    ("http_status", 500),
    ("context", []),
    ("state", None),
    ("state", {"urls": [A], "ready": [False, True]}),  # ready longer than urls
    ("state", {"urls": [A], "ready": []}),
    ("state", {"urls": A, "ready": [False]}),
    ("state", {"urls": [5], "ready": [False]}),
    ("state", {"urls": ["ftp://storage.test/a.png"], "ready": [False]}),
    ("state", {"urls": ["http://169.254.169.254/latest"], "ready": [False]}),
    ("state", {"urls": ["not a url"], "ready": [False]}),
]


@pytest.mark.parametrize(
    ("field", "value"), MALFORMED, ids=[f"{f}-{i}" for i, (f, _) in enumerate(MALFORMED)]
)
async def test_a_signed_but_malformed_token_is_refused_before_any_request(
    keyed: BriaClient, mock_api: MockAPI, field: str, value: Any
) -> None:
    token = await generation_token(keyed, mock_api)
    token[field] = value
    sent = requests_sent(mock_api)
    with pytest.raises(ba.InvalidJobTokenError):
        keyed.jobs.resume(resign(token))
    assert requests_sent(mock_api) == sent


@pytest.mark.parametrize("missing", ["id", "kind", "submitted_at", "context", "state"])
async def test_a_token_missing_a_field_is_refused(
    keyed: BriaClient, mock_api: MockAPI, missing: str
) -> None:
    token = await generation_token(keyed, mock_api)
    del token[missing]
    with pytest.raises(ba.InvalidJobTokenError):
        keyed.jobs.resume(resign(token))


@pytest.mark.parametrize("visual_id", ["../../../x", "a/b", "", None])
async def test_requests_are_rebuilt_from_checked_ids_never_from_the_token(
    keyed: BriaClient, mock_api: MockAPI, visual_id: str
) -> None:
    info = f"{BASE_URL}/{VID}/info"
    mock_api.get(info, status=205)
    job = await keyed.visuals.info(VID).submit()
    token = job.to_dict()
    job.cancel()
    assert "path" not in json.dumps(token)
    assert "method" not in token
    token["context"]["visual_id"] = visual_id
    with pytest.raises(ba.InvalidJobTokenError, match="visual_id"):
        keyed.jobs.resume(resign(token))
    assert requests_sent(mock_api) == 1


async def test_a_resumed_info_job_calls_the_same_route_again(
    client: BriaClient, mock_api: MockAPI
) -> None:
    info = f"{BASE_URL}/{VID}/info?lean=true"
    mock_api.get(info, status=205)
    job = await client.visuals.info(VID, lean=True).submit()
    token = copy.deepcopy(job.to_dict())
    job.cancel()
    mock_api.get(info, payload={"description": "a fox"})
    resumed = client.jobs.resume(token, VisualInfo)
    result = await resumed
    assert result.visual_id == VID
    assert len(mock_api.requests[("GET", URL(info))]) == 2
    assert all(
        c.kwargs["headers"]["api_token"] == TOKEN for c in mock_api.requests[("GET", URL(info))]
    )


async def test_expect_checks_the_route_of_the_token(client: BriaClient, mock_api: MockAPI) -> None:
    token = await generation_token(client, mock_api)
    with pytest.raises(ba.InvalidJobTokenError, match="ImageResult, not VisualInfo"):
        client.jobs.resume(token, VisualInfo)
    job = client.jobs.resume(token, ImageResult)
    assert job.urls == (A,)
    job.cancel()


async def test_a_token_never_holds_the_api_token(client: BriaClient, mock_api: MockAPI) -> None:
    token = await generation_token(client, mock_api)
    assert TOKEN not in json.dumps(token)


def nested(depth: int) -> dict[str, Any]:
    """A mapping `depth` levels deep (built without recursion)."""
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("depth", [990, 10_000])
@pytest.mark.parametrize("field", ["response", "context", "state"])
async def test_a_deeply_nested_token_is_refused_before_any_request(
    client: BriaClient, mock_api: MockAPI, field: str, depth: int
) -> None:
    token = await generation_token(client, mock_api)
    token[field] = nested(depth)
    sent = requests_sent(mock_api)
    # Too deep for this interpreter's recursion limit, or (3.13 encodes deeper in C) decoded
    # and then refused by its signature: an InvalidJobTokenError either way.
    with pytest.raises(ba.InvalidJobTokenError, match=r"nested too deeply|signature"):
        client.jobs.resume(token)
    assert requests_sent(mock_api) == sent
