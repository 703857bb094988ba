"""Transport: status mapping, retries with backoff and Retry-After, billable POST rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from aioresponses import CallbackResult
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, Hooks, RetryEvent, RetrySettings, Settings
from bria_async._request import Call, Deadline
from tests.conftest import BASE_URL, TOKEN, MockAPI

GEN_URL = f"{BASE_URL}/text-to-image/base/2.3"
RESULT = {"result": [{"urls": ["https://storage.test/a.png"], "seed": 7, "uuid": "u1"}]}
SYNC_RESULT = {"result": [{"urls": ["https://storage.test/final.png"], "seed": 7}]}

STATUS_CLASSES = [
    (206, ba.IncompleteRequestError),
    (400, ba.BadRequestError),
    (401, ba.AuthenticationError),
    (404, ba.NotFoundError),
    (405, ba.MethodNotAllowedError),
    (409, ba.ConflictError),
    (412, ba.PreconditionFailedError),
    (413, ba.PayloadTooLargeError),
    (415, ba.UnsupportedMediaTypeError),
    (422, ba.UnprocessableEntityError),
    (429, ba.RateLimitError),
    (451, ba.UnavailableForLegalReasonsError),
    (460, ba.ImageDownloadError),
    (500, ba.ServerError),
    (502, ba.ServerError),
    (503, ba.ServerError),
    (504, ba.ServerError),
    (506, ba.UnsupportedInputError),
    (512, ba.InsufficientResourcesError),
]


def _client(retries: RetrySettings | None = None, hooks: Hooks | None = None) -> BriaClient:
    base = Settings.for_testing()
    settings = Settings(retries=retries or base.retries, polling=base.polling)
    return BriaClient(TOKEN, base_url=BASE_URL, settings=settings, hooks=hooks)


@pytest.mark.parametrize(("status", "error_class"), STATUS_CLASSES)
async def test_each_documented_status_maps_to_its_error_class(
    mock_api: MockAPI, status: int, error_class: type[ba.APIStatusError]
) -> None:
    mock_api.get(
        f"{BASE_URL}/vis1/caption",
        status=status,
        payload={"error": f"message for {status}"},
        headers={"X-Request-Id": "req-42"},
        repeat=True,
    )
    async with _client(RetrySettings(max_attempts=1)) as bria:
        with pytest.raises(error_class) as info:
            await bria._runtime.transport.send(Call("GET", "/vis1/caption"))
    error = info.value
    assert isinstance(error, ba.APIStatusError)
    assert isinstance(error, ba.BriaError)
    assert error.status == status
    assert error.body == {"error": f"message for {status}"}
    assert error.request_id == "req-42"
    assert f"message for {status}" in str(error)


@pytest.mark.parametrize("status", [200, 201, 204, 208, 209])
async def test_success_statuses_are_returned(mock_api: MockAPI, status: int) -> None:
    mock_api.get(f"{BASE_URL}/ok", status=status, payload={"fine": True})
    async with _client() as bria:
        response = await bria._runtime.transport.send(Call("GET", "/ok"))
    assert response.status == status


async def test_generate_retries_429_honouring_retry_after(mock_api: MockAPI) -> None:
    retries: list[RetryEvent] = []
    mock_api.post(GEN_URL, status=429, headers={"Retry-After": "0.3"}, payload={"error": "slow"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT)
    settings = RetrySettings(backoff_base=0.0)  # no jitter: the wait is Retry-After alone
    async with _client(settings, Hooks(on_retry=retries.append)) as bria:
        result = await bria.images.generate("a fox", num_results=1, sync=True)
    assert result.urls == ("https://storage.test/final.png",)
    assert [(e.reason, e.delay) for e in retries] == [("429", 0.3)]


@pytest.mark.parametrize("status", [429, 503, 512])
async def test_billable_post_is_retried_where_the_server_cannot_have_done_it(
    mock_api: MockAPI, status: int
) -> None:
    mock_api.post(GEN_URL, status=status, payload={"error": "busy"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT)
    async with _client() as bria:
        result = await bria.images.generate("a fox", num_results=1, sync=True)
    assert len(result.images) == 1
    assert len(mock_api.requests[("POST", _url(GEN_URL))]) == 2


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_billable_post_is_not_retried_after_a_server_error(
    mock_api: MockAPI, status: int
) -> None:
    mock_api.post(GEN_URL, status=status, payload={"error": "boom"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT)
    async with _client() as bria:
        with pytest.raises(ba.ServerError):
            await bria.images.generate("a fox", num_results=1, sync=True)
    assert len(mock_api.requests[("POST", _url(GEN_URL))]) == 1


async def test_billable_post_retried_after_500_when_the_caller_allows_it(
    mock_api: MockAPI,
) -> None:
    mock_api.post(GEN_URL, status=500, payload={"error": "boom"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT)
    async with _client(RetrySettings(backoff_scale=0, retry_billable_server_errors=True)) as bria:
        await bria.images.generate("a fox", num_results=1, sync=True)
    assert len(mock_api.requests[("POST", _url(GEN_URL))]) == 2


async def test_get_is_retried_after_500_and_connection_errors(mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=500, payload={"error": "boom"})
    mock_api.get(url, exception=ba_connection_error())
    mock_api.get(url, payload={"results": ["a caption"]})
    async with _client() as bria:
        response = await bria._runtime.transport.send(Call("GET", "/vis1/caption"))
    assert response.json() == {"results": ["a caption"]}


@pytest.mark.parametrize("status", [400, 401, 404, 409, 451])
async def test_client_errors_are_never_retried(mock_api: MockAPI, status: int) -> None:
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=status, payload={"error": "no"}, repeat=True)
    async with _client() as bria:
        with pytest.raises(ba.APIStatusError):
            await bria._runtime.transport.send(Call("GET", "/vis1/caption"))
    assert len(mock_api.requests[("GET", _url(url))]) == 1


async def test_retry_gives_up_after_max_attempts(mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=503, payload={"error": "down"}, repeat=True)
    async with _client(RetrySettings(max_attempts=3, backoff_scale=0)) as bria:
        with pytest.raises(ba.ServerError):
            await bria._runtime.transport.send(Call("GET", "/vis1/caption"))
    assert len(mock_api.requests[("GET", _url(url))]) == 3


async def test_retry_after_past_the_deadline_fails_at_once_saying_so(mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=429, headers={"Retry-After": "120"}, payload={"error": "slow"})
    async with _client(RetrySettings()) as bria:
        with pytest.raises(ba.RateLimitError, match="deadline"):
            await bria._runtime.transport.send(
                Call("GET", "/vis1/caption", deadline=ba_deadline(5))
            )
    assert len(mock_api.requests[("GET", _url(url))]) == 1


async def test_retry_budget_stops_retry_storms(mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=503, payload={"error": "down"}, repeat=True)
    async with _client(RetrySettings(max_attempts=10, backoff_scale=0, budget=3)) as bria:
        with pytest.raises(ba.ServerError, match="budget"):
            await bria._runtime.transport.send(Call("GET", "/vis1/caption"))
    assert len(mock_api.requests[("GET", _url(url))]) == 4


async def test_api_token_header_is_sent_to_the_api(mock_api: MockAPI) -> None:
    def check(url: object, **kwargs: object) -> CallbackResult:
        headers = kwargs["headers"]
        assert isinstance(headers, dict)
        assert headers["api_token"] == TOKEN
        return CallbackResult(payload={"results": []})

    mock_api.get(f"{BASE_URL}/vis1/caption", callback=check)
    async with _client() as bria:
        await bria._runtime.transport.send(Call("GET", "/vis1/caption"))


def ba_connection_error() -> Exception:
    import aiohttp

    return aiohttp.ServerDisconnectedError()


def ba_deadline(seconds: float) -> Deadline:
    return Deadline.after(seconds)


def _url(url: str) -> URL:
    return URL(url)


async def test_repeated_429s_slow_submissions_and_successes_recover(mock_api: MockAPI) -> None:
    mock_api.post(GEN_URL, status=429, payload={"error": "slow down"})
    mock_api.post(GEN_URL, status=429, payload={"error": "slow down"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT, repeat=True)
    async with _client() as bria:
        limiter = bria._runtime.transport.submissions
        full = limiter.limit
        await bria.images.generate("a fox", num_results=1, sync=True)
        assert limiter.limit == full // 2  # one burst of 429s halves the limit once
        for _ in range(40):
            await bria.images.generate("a fox", num_results=1, sync=True)
        assert full // 2 < limiter.limit < full  # grows back gradually, about one per round


async def test_hooks_see_requests_retries_polls_and_job_states(mock_api: MockAPI) -> None:
    events: list[object] = []
    hooks = Hooks(
        on_request=events.append,
        on_retry=events.append,
        on_poll=events.append,
        on_job=events.append,
    )
    mock_api.post(GEN_URL, status=503, payload={"error": "busy"})
    mock_api.post(GEN_URL, payload=RESULT)
    mock_api.get("https://storage.test/a.png", status=404)
    mock_api.get("https://storage.test/a.png", status=206, body=b"\x89")
    async with _client(hooks=hooks) as bria:
        job = bria.images.generate("a fox", num_results=1)
        await job
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "RequestEvent",
        "RetryEvent",
        "RequestEvent",
        "JobEvent",
        "JobEvent",
        "PollEvent",
        "PollEvent",
        "JobEvent",
    ]
    polls = [e for e in events if isinstance(e, ba.PollEvent)]
    assert [p.outcome for p in polls] == ["pending", "ready"]
    assert all(p.elapsed is not None and p.elapsed >= 0 for p in polls)
    jobs = [e for e in events if isinstance(e, ba.JobEvent)]
    assert [(e.status, e.images) for e in jobs] == [
        ("submitted", None),
        ("running", None),
        ("done", 1),
    ]
    assert {(e.kind, e.model, e.error) for e in jobs} == {("images.generate", "base/2.3", None)}
    requests = [e for e in events if isinstance(e, ba.RequestEvent)]
    assert [(e.status, e.error_type) for e in requests] == [(503, "ServerError"), (200, None)]
    # every call and probe names the job it was made for
    assert {e.job_id for e in requests} | {p.job_id for p in polls} == {job.id}


async def test_a_failed_job_event_names_its_error_and_a_download_names_no_job(
    mock_api: MockAPI, tmp_path: Path
) -> None:
    events: list[object] = []
    mock_api.post(GEN_URL, status=400, payload={"error": "bad prompt"})
    mock_api.post(GEN_URL, payload=SYNC_RESULT)
    mock_api.get("https://storage.test/final.png", status=200, body=b"\x89PNG\r\n\x1a\n")
    async with _client(hooks=Hooks(on_job=events.append, on_request=events.append)) as bria:
        with pytest.raises(ba.BadRequestError):
            await bria.images.generate("a fox", num_results=1)
        failed = events[-1]
        result = await bria.images.generate("a fox", num_results=1, sync=True)
        await result.save(tmp_path)
    assert isinstance(failed, ba.JobEvent)
    assert (failed.status, failed.error) == ("failed", "BadRequestError")
    download = events[-1]
    assert isinstance(download, ba.RequestEvent)
    assert (download.url, download.job_id) == ("https://storage.test/final.png", None)


async def test_a_failing_hook_is_logged_not_raised(mock_api: MockAPI) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("hook bug")

    mock_api.post(GEN_URL, payload=SYNC_RESULT)
    async with _client(hooks=Hooks(on_request=broken)) as bria:
        result = await bria.images.generate("a fox", num_results=1, sync=True)
    assert len(result.images) == 1


# --- issue 12: a DELETE whose retry answers 404; answers that are not JSON --------------------
async def test_a_delete_retried_after_a_500_that_answers_404_is_done(mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/tailored-gen/models/5"
    mock_api.delete(url, status=500)
    mock_api.delete(url, status=404, payload={"error": "model not found"})
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as bria:
        assert await bria.models.delete(5) is None
    assert len(mock_api.requests[("DELETE", URL(url))]) == 2


async def test_a_delete_that_answers_404_at_once_is_not_found(mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/tailored-gen/models/5"
    mock_api.delete(url, status=404, payload={"error": "model not found"})
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as bria:
        with pytest.raises(ba.NotFoundError):
            await bria.models.delete(5)


@pytest.mark.parametrize(
    "body", [b'{"caption": "a fo', b"<html>502 Bad Gateway</html>", b"\xff\xfe\xfa not utf-8"]
)
async def test_a_200_that_is_not_json_raises_a_response_validation_error(
    mock_api: MockAPI, body: bytes
) -> None:
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=200, body=body, headers={"x-request-id": "rid-7"})
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as bria:
        with pytest.raises(ba.APIResponseValidationError, match="not JSON") as raised:
            await bria.visuals.caption("vis1")
    error = raised.value
    assert (error.status, error.request_id, error.url) == (200, "rid-7", url)
    assert repr(body[:8])[2:-1] in error.excerpt


DEEP = b"[" * 30_000 + b"]" * 30_000  # valid JSON, deeper than Python decodes


@pytest.mark.parametrize("body", [DEEP, b" " + DEEP, b'{"a": ' + DEEP + b"}"])
async def test_an_answer_nested_too_deeply_raises_a_response_validation_error(
    mock_api: MockAPI, body: bytes
) -> None:
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=200, body=body)
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as bria:
        with pytest.raises(ba.APIResponseValidationError, match="nested too deeply"):
            await bria.visuals.caption("vis1")


async def test_an_error_answer_nested_too_deeply_is_kept_as_text(mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=400, body=DEEP)
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as bria:
        with pytest.raises(ba.BadRequestError) as raised:
            await bria.visuals.caption("vis1")
    assert raised.value.body == DEEP.decode()
