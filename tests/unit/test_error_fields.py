"""Errors carry what openai/anthropic users read: `status_code` (and `status`), the answer's
`headers` and `request_id`; never the request's API token."""

from __future__ import annotations

import pytest

import bria_async as ba
from bria_async import BriaClient
from tests.conftest import BASE_URL, TOKEN, MockAPI

DATASETS = f"{BASE_URL}/tailored-gen/datasets"
V2_STATUS = BASE_URL.removesuffix("/v1") + "/v2/status/rid-1"


async def test_a_status_error_carries_status_code_headers_and_request_id(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(
        f"{DATASETS}/9",
        status=404,
        payload={"error": "no such dataset"},
        headers={"X-Request-Id": "req-77", "X-Trace": "t-1"},
    )
    with pytest.raises(ba.NotFoundError) as raised:
        await client.datasets.retrieve(9)
    error = raised.value
    assert (error.status_code, error.status) == (404, 404)
    assert error.request_id == "req-77"
    assert error.headers is not None
    assert error.headers["x-trace"] == "t-1"  # looked up as HTTP headers are: any case


async def test_a_v2_status_404_keeps_the_answer_headers(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(V2_STATUS, status=404, payload={}, headers={"X-Request-Id": "req-9"})
    with pytest.raises(ba.RequestExpiredError) as raised:
        await client.v2.status("rid-1")
    assert raised.value.status_code == 404
    assert raised.value.headers is not None
    assert raised.value.headers["X-Request-Id"] == "req-9"


async def test_an_api_token_header_echoed_back_never_reaches_the_error(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(
        f"{DATASETS}/9", status=400, payload={"error": "bad"}, headers={"API_TOKEN": TOKEN}
    )
    with pytest.raises(ba.BadRequestError) as raised:
        await client.datasets.retrieve(9)
    assert raised.value.headers is not None
    assert "api_token" not in raised.value.headers
    assert TOKEN not in repr(dict(raised.value.headers))


def test_an_error_made_without_an_answer_has_no_headers() -> None:
    error = ba.ServerError("down", status=503, method="GET", url="https://x.test/v1")
    assert (error.status_code, error.headers, error.request_id) == (503, None, None)
