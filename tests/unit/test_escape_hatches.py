"""The escape hatches, through the public API with the exact requests that go out:
``bria.request``, ``bria.v2.job``, ``bria.with_raw_response``, and the extras of a call's
RequestOptions merged by the transport."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from yarl import URL

import bria_async as ba
from bria_async import BriaClient
from bria_async._extras import with_call_extras
from bria_async._request import Call
from bria_async._sync import _generate_raw
from bria_async.resources._base import Resource
from tests.conftest import BASE_URL, TOKEN, MockAPI

V2 = BASE_URL.removesuffix("/v1") + "/v2"
RID = "req-7f3a"
STATUS = f"{V2}/status/{RID}"
ACCEPTED = {"request_id": RID, "status_url": f"https://elsewhere.test/v2/status/{RID}"}
DONE = {"request_id": RID, "status": "COMPLETED", "result": {"image_url": "https://s.test/a.png"}}
HANG = 20


def sent(mock_api: MockAPI, method: str, url: str) -> list[Any]:
    return mock_api.requests.get((method, URL(url)), [])


# --- bria.request ----------------------------------------------------------------------------
async def test_request_posts_to_the_v2_base_and_returns_the_202_json(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{V2}/image/edit/rewrite_text", status=202, payload=ACCEPTED)
    body = {"image": "https://img.test/a.png", "new_text": "SALE", "moderation": True}
    answer = await client.request("POST", "/v2/image/edit/rewrite_text", json=body)
    assert answer == ACCEPTED
    (call,) = sent(mock_api, "POST", f"{V2}/image/edit/rewrite_text")
    assert call.kwargs["json"] == body
    assert call.kwargs["headers"]["api_token"] == TOKEN
    assert call.kwargs["headers"]["User-Agent"].startswith("bria-async/")


async def test_request_gets_from_the_v1_base_with_params_and_extra_headers(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/tailored-gen/models"
    mock_api.get(f"{url}?page=2&deep=true", payload=[{"id": 1}])
    answer = await client.request(
        "get", "/v1/tailored-gen/models", params={"page": 2, "deep": True, "x": None},
        extra_headers={"X-Trace": "t1", "User-Agent": "mine/1"},
    )  # fmt: skip
    assert answer == [{"id": 1}]
    (call,) = sent(mock_api, "GET", f"{url}?deep=true&page=2")
    assert call.kwargs["params"] == {"page": "2", "deep": "true"}
    headers = call.kwargs["headers"]
    assert headers["X-Trace"] == "t1"
    assert headers["User-Agent"] == "mine/1"  # an extra header wins over the SDK's own
    assert headers["api_token"] == TOKEN


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.test/v1/models",
        "//evil.test/v1/models",
        "/v3/models",
        "v1/models",
        "/v1/",
        "/v1//models",
        "/v1/../v2/status/x",
        "/v1/%2e%2e/secrets",
        "/v1/a/%2F/b",
        "/v1/models?x=1",
        "/v1/models#frag",
        "/v1/a b",
        "/v1/a\\b",
        "/v1/a%0d%0aX: y",
        "/v1@evil.test/x",
        42,
    ],
)
async def test_request_refuses_a_path_that_is_not_under_a_version_before_sending(
    client: BriaClient, mock_api: MockAPI, path: Any
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        await client.request("GET", path)
    assert info.value.parameter == "path"
    assert not mock_api.requests


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"method": "TRACE"}, "method"),
        ({"method": "GET", "json": {"a": 1}}, "json"),
        ({"method": "POST", "json": {"a": object()}}, "json"),
        ({"method": "POST", "json": {"a": float("nan")}}, "json"),
        ({"method": "GET", "params": {"a": [1, 2]}}, "params['a']"),
        ({"method": "GET", "params": "a=1"}, "params"),
        ({"method": "GET", "extra_headers": {"api_token": "other"}}, "extra_headers"),
        ({"method": "GET", "extra_headers": {"X-A": "a\r\nb"}}, "extra_headers['X-A']"),
        ({"method": "GET", "timeout": -1}, "timeout"),
    ],
)
async def test_request_refuses_bad_arguments_naming_them_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    method = kwargs.pop("method")
    with pytest.raises(ba.ValidationError) as info:
        await client.request(method, "/v1/tailored-gen/models", **kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests


async def test_a_request_post_is_billable_a_500_is_not_repeated(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{V2}/image/generate"
    mock_api.post(url, status=500, payload={"error": "boom"})
    mock_api.post(url, status=202, payload=ACCEPTED)
    with pytest.raises(ba.ServerError):
        await client.request("POST", "/v2/image/generate", json={"prompt": "a fox"})
    assert len(sent(mock_api, "POST", url)) == 1


async def test_a_request_post_is_repeated_where_the_server_cannot_have_done_it(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{V2}/image/generate"
    mock_api.post(url, status=503, payload={"error": "busy"})
    mock_api.post(url, status=202, payload=ACCEPTED)
    assert await client.request("POST", "/v2/image/generate", json={}) == ACCEPTED
    assert len(sent(mock_api, "POST", url)) == 2


async def test_a_request_get_is_repeated_after_a_500(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/tailored-gen/models"
    mock_api.get(url, status=500, payload={"error": "boom"})
    mock_api.get(url, payload=[])
    assert await client.request("GET", "/v1/tailored-gen/models") == []
    assert len(sent(mock_api, "GET", url)) == 2


async def test_a_request_timeout_bounds_each_attempt(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/tailored-gen/models"
    mock_api.get(url, payload=[])
    await client.request("GET", "/v1/tailored-gen/models", timeout=7)
    (call,) = sent(mock_api, "GET", url)
    assert call.kwargs["timeout"].total == 7


async def test_a_request_error_is_the_typed_error_with_its_fields(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/tailored-gen/models/9"
    mock_api.get(url, status=404, payload={"error": "no model"}, headers={"X-Request-Id": "r-1"})
    with pytest.raises(ba.NotFoundError) as info:
        await client.request("GET", "/v1/tailored-gen/models/9")
    assert (info.value.status_code, info.value.request_id) == (404, "r-1")


# --- bria.v2.job -----------------------------------------------------------------------------
async def test_v2_job_follows_a_request_id_to_its_result(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(STATUS, payload={"request_id": RID, "status": "IN_PROGRESS"})
    mock_api.get(STATUS, payload=DONE)
    job = client.v2.job(RID)
    assert job.request_id == RID
    result = await asyncio.wait_for(job, HANG)
    assert result.image_url == "https://s.test/a.png"
    assert result.request_id == RID
    assert len(sent(mock_api, "GET", STATUS)) == 2
    assert not [k for k in mock_api.requests if k[0] == "POST"]  # nothing is sent again


async def test_v2_job_awaits_a_generic_calls_202(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(f"{V2}/video/edit/increase_resolution", status=202, payload=ACCEPTED)
    urls = {"video_url": "https://s.test/v.mp4", "result_urls": ["https://s.test/1.png"]}
    mock_api.get(STATUS, payload={**DONE, "result": urls})
    answer = await client.request("POST", "/v2/video/edit/increase_resolution", json={"v": 1})
    result = await asyncio.wait_for(client.v2.job(answer["request_id"]), HANG)
    # an unknown route's result: what V2Result does not name is kept in `extra`
    assert result.image_url is None
    assert result.extra == urls


async def test_v2_job_fails_with_the_requests_error(client: BriaClient, mock_api: MockAPI) -> None:
    error = {"code": 422, "message": "unsafe content"}
    mock_api.get(STATUS, payload={"request_id": RID, "status": "ERROR", "error": error})
    with pytest.raises(ba.JobFailedError, match="unsafe content"):
        await asyncio.wait_for(client.v2.job(RID), HANG)


async def test_v2_job_of_an_unknown_id_is_an_expired_request(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(STATUS, status=404, payload={"error": "not found"})
    with pytest.raises(ba.RequestExpiredError):
        await asyncio.wait_for(client.v2.job(RID), HANG)


@pytest.mark.parametrize("rid", ["", "..", "a/b", "../status", "x?y", None, 1.5])
async def test_v2_job_refuses_an_id_that_is_not_a_path_segment(
    client: BriaClient, mock_api: MockAPI, rid: Any
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        client.v2.job(rid)
    assert info.value.parameter == "request_id"
    assert not mock_api.requests


async def test_a_v2_jobs_token_resumes_it(client: BriaClient, mock_api: MockAPI) -> None:
    job = await client.v2.job(RID).submit()
    token = job.to_dict()
    job.cancel()
    mock_api.get(STATUS, payload=DONE)
    result = await asyncio.wait_for(client.jobs.resume(token, ba.V2Result), HANG)
    assert result.image_url == "https://s.test/a.png"


# --- bria.with_raw_response ------------------------------------------------------------------
async def test_raw_response_of_a_job_route_is_its_submission(
    client: BriaClient, mock_api: MockAPI
) -> None:
    headers = {"X-Request-Id": "r-9", "api_token": TOKEN, "X-Other": "o"}
    mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED, headers=headers)
    mock_api.get(STATUS, payload=DONE)
    raw = await client.with_raw_response.v2.image.generate("a fox")
    assert isinstance(raw, ba.RawResponse)
    assert (raw.status_code, raw.request_id, raw.url) == (202, "r-9", f"{V2}/image/generate")
    assert raw.headers["X-Other"] == "o"
    assert "api_token" not in raw.headers  # a server's echo of the token is never kept
    assert TOKEN not in repr(raw)
    assert TOKEN not in str(dict(raw.headers))
    job = raw.parse()
    assert isinstance(job, ba.Job)
    assert job.status is not ba.JobStatus.PENDING  # sent
    assert (await asyncio.wait_for(job, HANG)).image_url == "https://s.test/a.png"
    assert len(sent(mock_api, "POST", f"{V2}/image/generate")) == 1


async def test_raw_response_of_a_direct_call_parses_to_its_result(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(STATUS, payload=DONE, headers={"X-Request-Id": "r-2"})
    raw = await client.with_raw_response.v2.status(RID)
    assert (raw.status_code, raw.request_id) == (200, "r-2")
    event = raw.parse()
    assert isinstance(event, ba.StatusEvent)
    assert event.status is ba.V2Status.COMPLETED


async def test_raw_response_of_request_and_of_a_with_options_view(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/tailored-gen/models"
    mock_api.get(url, payload=[{"id": 1}], headers={"X-Request-Id": "r-3"})
    raw = await client.with_options(timeout=7).with_raw_response.request(
        "GET", "/v1/tailored-gen/models"
    )
    assert (raw.status_code, raw.request_id, raw.parse()) == (200, "r-3", [{"id": 1}])
    (call,) = sent(mock_api, "GET", url)
    assert call.kwargs["timeout"].total == 7


async def test_raw_responses_of_concurrent_calls_are_their_own(
    client: BriaClient, mock_api: MockAPI
) -> None:
    for n in range(3):
        mock_api.get(
            f"{V2}/status/r{n}",
            payload={"request_id": f"r{n}", "status": "IN_PROGRESS"},
            headers={"X-Request-Id": f"h{n}"},
        )
    raws = await asyncio.gather(*(client.with_raw_response.v2.status(f"r{n}") for n in range(3)))
    assert [r.request_id for r in raws] == ["h0", "h1", "h2"]
    assert [r.parse().request_id for r in raws] == ["r0", "r1", "r2"]


@pytest.mark.parametrize(
    "path", ["gather", "jobs", "with_options", "search.text", "images.nope", "v2.image.nope"]
)
async def test_raw_response_offers_namespaces_and_request_only(
    client: BriaClient, path: str
) -> None:
    view: Any = client.with_raw_response
    *namespaces, name = path.split(".")
    for namespace in namespaces:
        view = getattr(view, namespace)
    with pytest.raises(AttributeError, match=f"no '{name}': it offers the client's namespaces"):
        getattr(view, name)
    with pytest.raises(AttributeError, match=r"^_private$"):
        _ = view._private


async def test_a_raw_call_checks_its_arguments_as_the_plain_call(client: BriaClient) -> None:
    with pytest.raises(ba.ValidationError):
        await client.with_raw_response.v2.status("..")


def test_with_raw_response_has_every_namespace_and_each_call_that_sends_a_request(
    client: BriaClient,
) -> None:
    def walk(namespace: object, view: Any, path: str) -> Iterator[str]:
        for name in dir(namespace):  # of the client: its namespaces and request
            attr = None if name.startswith("_") else getattr(namespace, name)
            if isinstance(attr, Resource):
                assert getattr(view, name)._target is attr, f"{path}{name}"
                yield from walk(attr, getattr(view, name), f"{path}{name}.")
            elif (path or name == "request") and _generate_raw.kind_of(
                getattr(attr, "__func__", 0)
            ):
                assert getattr(view, name).__wrapped__ == attr, f"{path}{name}"
                yield f"{path}{name}"

    covered = set(walk(client, client.with_raw_response, ""))
    assert {"images.generate", "models.list", "v2.image.generate", "v2.status"} <= covered
    assert "request" in covered


# --- extras, as the per-method keywords will pass them -----------------------------------------
async def test_extras_merge_over_the_checked_query_and_body(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{V2}/image/generate"
    mock_api.post(f"{url}?a=1&c=3", status=202, payload=ACCEPTED)
    options = with_call_extras(
        client._runtime.options,
        extra_query={"b": None, "c": 3},
        extra_body={"moderation": True, "seed": 9},
        extra_headers={"X-Trace": "t"},
    )
    call = Call(
        "POST", "/image/generate", {"a": 1, "b": 2}, {"prompt": "a fox", "seed": 1},
        version=2, options=options,
    )  # fmt: skip
    await client._runtime.transport.send(call)
    (made,) = sent(mock_api, "POST", f"{url}?a=1&c=3")
    assert made.kwargs["params"] == {"a": "1", "c": "3"}
    assert made.kwargs["json"] == {"prompt": "a fox", "seed": 9, "moderation": True}
    assert made.kwargs["headers"]["X-Trace"] == "t"
    assert made.kwargs["headers"]["api_token"] == TOKEN


async def test_an_extra_body_for_a_form_route_is_refused_before_sending(
    client: BriaClient, mock_api: MockAPI
) -> None:
    options = with_call_extras(client._runtime.options, extra_body={"x": 1})
    call = Call("POST", "/upload", data=lambda: {"f": "v"}, options=options)
    with pytest.raises(ba.ValidationError) as info:
        await client._runtime.transport.send(call)
    assert info.value.parameter == "extra_body"
    assert not mock_api.requests


def test_no_extras_keep_the_views_own_options(client: BriaClient) -> None:
    options = client._runtime.options
    assert with_call_extras(options) is options
