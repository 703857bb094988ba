"""The one request path: a ``with_options()`` view's options reach every call it makes (its
jobs' follow-up calls too), and calling again sends the same request as the submission."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, Settings
from bria_async._completion import CallAgain
from bria_async._jobs import Job
from bria_async._request import Call, RequestOptions
from bria_async._specs import JobSpec
from tests.conftest import BASE_URL, TOKEN, MockAPI

V2 = BASE_URL.removesuffix("/v1") + "/v2"
RID = "req-7f3a"
STATUS = f"{V2}/status/{RID}"
DONE = {"request_id": RID, "status": "COMPLETED", "result": {"image_url": "https://s.test/a.png"}}
PENDING = {"request_id": RID, "status": "IN_PROGRESS"}
MODELS = f"{BASE_URL}/tailored-gen/models"
MODEL = {"id": 123, "name": "m", "description": "d", "status": "Completed", "dataset_id": 7}
VID = "8487fb411f3c6716"
HANG = 20


def timeouts(mock_api: MockAPI, method: str, url: str) -> list[float | None]:
    """The total timeout of each request of `url`, in the order they were sent."""
    return [c.kwargs["timeout"].total for c in mock_api.requests.get((method, URL(url)), [])]


async def test_a_views_timeout_applies_to_v2_status(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(STATUS, payload=DONE)
    event = await client.with_options(timeout=7).v2.status(RID)
    assert event.status is ba.V2Status.COMPLETED
    assert timeouts(mock_api, "GET", STATUS) == [7]


async def test_a_views_timeout_applies_to_its_v2_jobs_status_polls(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{V2}/image/generate", status=202, payload={"request_id": RID})
    mock_api.get(STATUS, payload=PENDING)
    mock_api.get(STATUS, payload=DONE)
    await asyncio.wait_for(client.with_options(timeout=7).v2.image.generate("a fox"), HANG)
    assert timeouts(mock_api, "POST", f"{V2}/image/generate") == [7]
    assert timeouts(mock_api, "GET", STATUS) == [7, 7]


async def test_a_views_timeout_applies_to_its_training_jobs_status_reads(
    client: BriaClient, mock_api: MockAPI
) -> None:
    start = f"{MODELS}/123/start_training"
    mock_api.post(start, payload={"id": 123, "status": "Training In Progress"})
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": "Training In Progress"})
    mock_api.get(f"{MODELS}/123", payload=MODEL)
    await asyncio.wait_for(client.with_options(timeout=7).models.start_training(123), HANG)
    assert timeouts(mock_api, "POST", start) == [7]
    assert timeouts(mock_api, "GET", f"{MODELS}/123") == [7, 7]


async def test_a_views_timeout_applies_to_its_info_jobs_calls_again(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/info"
    mock_api.get(url, status=205, body=b"")
    mock_api.get(url, payload={"description": "A cup.", "org_width": 1, "org_height": 1})
    await asyncio.wait_for(client.with_options(timeout=7).visuals.info(VID), HANG)
    assert timeouts(mock_api, "GET", url) == [7, 7]


# --- calling again sends the submission's request ------------------------------------------------
def _form() -> dict[str, str]:
    return {"field": "value"}


def _billable_v2_form(context: Mapping[str, Any]) -> Call:
    return Call(method="POST", path="/thing", data=_form, billable=True, version=2)


CALL_AGAIN = JobSpec(
    kind="test.call_again", parse=lambda body, ctx: body, finish=CallAgain(_billable_v2_form)
)


def _job(bria: BriaClient, make: Callable[[Mapping[str, Any]], Call]) -> Job[Any]:
    return Job(bria._runtime, CALL_AGAIN, make({}), {})


async def test_calling_again_keeps_the_version_the_body_and_the_billing_rules(
    client: BriaClient, mock_api: MockAPI
) -> None:
    """A billable v2 form POST answered 205 is sent again to the v2 URL with its form body; a
    500 to that repeat is not repeated (the server may have done the paid work)."""
    url = f"{V2}/thing"
    mock_api.post(url, status=205, body=b"")
    mock_api.post(url, status=500, payload={"error": "boom"})
    mock_api.post(url, payload={"ok": True})
    with pytest.raises(ba.ServerError, match=r"500 from POST .*/v2/thing"):
        await asyncio.wait_for(_job(client, _billable_v2_form), HANG)
    sent = mock_api.requests[("POST", URL(url))]
    assert [c.kwargs["data"] for c in sent] == [_form(), _form()]
    assert not mock_api.requests.get(("POST", URL(f"{BASE_URL}/thing")))


async def test_a_billable_call_again_waits_for_a_submission_slot(mock_api: MockAPI) -> None:
    """Calling again is a submission like the first: it holds one of `max_submissions`."""
    url = f"{V2}/thing"
    mock_api.post(url, status=205, body=b"")
    mock_api.post(url, payload={"ok": True})
    settings = Settings.for_testing()
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=settings) as bria:
        limiter = bria._runtime.transport.submissions
        held: list[int] = []
        acquire = limiter.try_acquire

        def spy() -> bool:
            held.append(1)
            return acquire()

        limiter.try_acquire = spy  # type: ignore[method-assign]
        assert await asyncio.wait_for(_job(bria, _billable_v2_form), HANG) == {"ok": True}
    assert len(held) == 2


async def test_the_options_headers_go_beside_the_api_token_never_over_it(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/caption"
    mock_api.get(url, payload={"results": ["a cup"]})
    settings = client.settings
    options = RequestOptions(
        timeouts=settings.timeouts,
        retries=settings.retries,
        headers={"X-Trace": "t1", "api_token": "not the token"},
    )
    await client._runtime.transport.send(Call("GET", f"/{VID}/caption", options=options))
    (sent,) = mock_api.requests[("GET", URL(url))]
    headers = dict(sent.kwargs["headers"])
    assert headers.pop("User-Agent").startswith("bria-async/")
    assert headers == {"X-Trace": "t1", "api_token": TOKEN}
