"""The escape hatches over real HTTP: against the emulator (``bria.request``, ``bria.v2.job``,
``with_raw_response``, sync client too) and against a recording server on 127.0.0.1 that
shows exactly what goes on the wire."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import bria_async as ba
from bria_async import Bria, BriaClient, Settings
from bria_async.testing import Emulator
from tests.integration.http_support import serve

HANG = 30
TOKEN = "wire-token-5b2e"


# --- against the emulator --------------------------------------------------------------------
async def test_a_generic_v2_post_is_awaited_by_its_request_id(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    answer = await bria_client.request("POST", "/v2/image/generate", json={"prompt": "a fox"})
    assert set(answer) >= {"request_id", "status_url"}
    result = await asyncio.wait_for(bria_client.v2.job(answer["request_id"]), HANG)
    assert result.image_url is not None
    assert 1 <= bria_emulator.counters.status_calls[answer["request_id"]] <= 10


async def test_a_v2_job_resumes_in_another_client_from_its_id_alone(
    bria_client: BriaClient, bria_emulator: Emulator
) -> None:
    job = await bria_client.v2.image.enhance("https://img.test/in.png").submit()
    rid = job.request_id
    assert rid is not None
    job.cancel()
    settings = Settings.for_testing()
    async with BriaClient(
        bria_emulator.api_token, base_url=bria_emulator.base_url, settings=settings
    ) as other:
        result = await asyncio.wait_for(other.v2.job(rid), HANG)
    assert result.image_url is not None


async def test_a_generic_v1_get_and_its_errors(bria_client: BriaClient) -> None:
    assert isinstance(await bria_client.request("GET", "/v1/tailored-gen/models"), list)
    with pytest.raises(ba.NotFoundError):
        await bria_client.request("GET", "/v1/tailored-gen/models/987654")


async def test_raw_responses_on_the_emulator(bria_client: BriaClient) -> None:
    raw = await bria_client.with_raw_response.v2.image.generate("a fox")
    assert raw.status_code == 202
    assert raw.url.endswith("/v2/image/generate")
    job = raw.parse()
    assert job.request_id is not None
    assert (await asyncio.wait_for(job, HANG)).image_url is not None
    listed = await bria_client.with_raw_response.request("GET", "/v1/tailored-gen/models")
    assert listed.status_code == 200
    assert listed.headers["Content-Type"].startswith("application/json")


async def test_the_sync_client_has_the_escape_hatches(bria_emulator: Emulator) -> None:
    def script() -> None:
        with Bria(
            bria_emulator.api_token,
            base_url=bria_emulator.base_url,
            settings=Settings.for_testing(),
        ) as bria:
            answer = bria.request("POST", "/v2/image/generate", json={"prompt": "a fox"})
            assert bria.v2.job(answer["request_id"]).image_url is not None
            raw = bria.with_raw_response.v2.image.generate("a fox")
            assert raw.status_code == 202
            assert isinstance(raw.parse(), ba.V2Result)  # the sync call's result, not a Job

    await asyncio.wait_for(asyncio.to_thread(script), HANG)


# --- on the wire -----------------------------------------------------------------------------
class Recorder:
    """A server that records each request (method, path, query, headers, body) and answers
    from `answers`, by path."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.answers: dict[str, web.Response] = {}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "headers": dict(request.headers),
                "body": await request.read(),
            }
        )
        made = self.answers.get(request.path)
        return made if made is not None else web.json_response({"error": "no"}, status=404)


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    async with serve(app) as url:
        yield recorder, url


async def test_exactly_what_a_generic_call_and_its_job_send(
    recorder: tuple[Recorder, str],
) -> None:
    rec, url = recorder
    rid = "rq-1"
    rec.answers["/v2/image/edit/rewrite_text"] = web.json_response(
        {"request_id": rid, "status_url": f"https://elsewhere.test/v2/status/{rid}"},
        status=202,
        headers={"X-Request-Id": "h-1", "api_token": TOKEN},
    )
    rec.answers[f"/v2/status/{rid}"] = web.json_response(
        {"request_id": rid, "status": "COMPLETED", "result": {"image_url": f"{url}/r.png"}}
    )
    async with BriaClient(
        TOKEN, base_url=url, settings=Settings.for_testing(), default_headers={"X-App": "a"}
    ) as bria:
        raw = await bria.with_raw_response.request(
            "POST",
            "/v2/image/edit/rewrite_text",
            json={"image": "https://img.test/a.png", "new_text": "SALE"},
            params={"trace": 1},
            extra_headers={"X-Trace": "t"},
        )
        assert raw.parse()["request_id"] == rid
        assert (raw.status_code, raw.request_id) == (202, "h-1")
        assert "api_token" not in raw.headers
        assert TOKEN not in repr(raw)
        result = await asyncio.wait_for(bria.v2.job(rid), HANG)
    assert result.image_url == f"{url}/r.png"
    post, status = rec.seen
    assert (post["method"], post["path"], post["query"]) == (
        "POST", "/v2/image/edit/rewrite_text", {"trace": "1"}
    )  # fmt: skip
    assert post["body"] == b'{"image": "https://img.test/a.png", "new_text": "SALE"}'
    assert post["headers"]["api_token"] == TOKEN
    assert post["headers"]["User-Agent"].startswith("bria-async/")
    assert (post["headers"]["X-App"], post["headers"]["X-Trace"]) == ("a", "t")
    assert post["headers"]["Content-Type"] == "application/json"
    # the status is read on the API's own host, never the answer's status_url
    assert (status["method"], status["path"], status["body"]) == ("GET", f"/v2/status/{rid}", b"")
    assert status["headers"]["api_token"] == TOKEN


async def test_a_generic_call_never_follows_a_redirect_off_the_api_origin(
    recorder: tuple[Recorder, str],
) -> None:
    """The redirect points at another server: the call fails, and the token never gets there."""
    elsewhere, other_url = recorder
    app = web.Application()

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(f"{other_url}/v1/steal")

    app.router.add_get("/v1/models", redirect)
    async with (
        serve(app) as url,
        BriaClient(TOKEN, base_url=url, settings=Settings.for_testing()) as bria,
    ):
        with pytest.raises(ba.APIRedirectError):
            await bria.request("GET", "/v1/models")
    assert elsewhere.seen == []
