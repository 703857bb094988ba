"""bria.v2: the base URL, every route's exact request, what is refused before sending, and
the status life cycle of a v2 Job (one status call per job, never the answer's status host)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from aioresponses import CallbackResult
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, JobStatus, PollSettings, RetrySettings, Settings, webhooks
from bria_async._tokens import sign, verify
from tests.conftest import BASE_URL, TOKEN, MockAPI

V2 = BASE_URL.removesuffix("/v1") + "/v2"
RID = "req-7f3a"
STATUS = f"{V2}/status/{RID}"
RESULT = "https://storage.test/results/v2.png"
ACCEPTED = {"request_id": RID, "status_url": f"https://evil.test/v2/status/{RID}"}
DONE = {
    "request_id": RID,
    "status": "COMPLETED",
    "result": {
        "image_url": RESULT,
        "seed": 7,
        "prompt": "a fox",
        "refined_prompt": "a red fox",
        "structured_prompt": '{"a": 1}',
        "warning": "w",
    },
}
PENDING = {"request_id": RID, "status": "IN_PROGRESS"}
URL_IN = "https://img.test/in.png"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
HANG = 20


def body_of(mock_api: MockAPI, url: str) -> Any:
    (call,) = mock_api.requests[("POST", URL(url))]
    assert call.kwargs["headers"]["api_token"] == TOKEN
    return call.kwargs["json"]


def calls(mock_api: MockAPI, method: str, url: str) -> int:
    return len(mock_api.requests.get((method, URL(url)), []))


@pytest.fixture
async def short(mock_api: MockAPI) -> AsyncIterator[BriaClient]:
    """A client whose polling windows end after half a second, with no webhook grace."""
    polling = PollSettings(
        initial_delay=0.02, min_interval=0.02, max_interval=0.1, job_timeout=0.5, webhook_grace=0.0
    )
    settings = Settings(retries=RetrySettings(backoff_scale=0.0), polling=polling)
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=settings) as bria:
        yield bria


# --- the base URL ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "v1", "v2"),
    [
        ("https://api.test/v1", "https://api.test/v1", "https://api.test/v2"),
        ("https://api.test/v2/", "https://api.test/v1", "https://api.test/v2"),
        ("https://api.test", "https://api.test/v1", "https://api.test/v2"),
        (
            "http://127.0.0.1:8080/prefix",
            "http://127.0.0.1:8080/prefix/v1",
            "http://127.0.0.1:8080/prefix/v2",
        ),
    ],
)
def test_one_base_url_serves_both_versions(given: str, v1: str, v2: str) -> None:
    client = BriaClient(TOKEN, base_url=given)
    assert (client.base_url, client.v2_base_url) == (v1, v2)


# --- every route's exact request ------------------------------------------------------------------
ROUTES: list[tuple[str, Callable[[BriaClient], ba.Job[ba.V2Result]], str, dict[str, Any]]] = [
    (
        "generate",
        lambda b: b.v2.image.generate(
            "a fox",
            aspect_ratio="16:9",
            resolution="4MP",
            negative_prompt="blur",
            num_results=4,
            seed=3,
            style_id="s1",
        ),
        "/image/generate",
        {
            "prompt": "a fox",
            "aspect_ratio": "16:9",
            "resolution": "4MP",
            "negative_prompt": "blur",
            "num_results": 4,
            "seed": 3,
            "style_id": "s1",
        },
    ),
    (
        "recreate",
        lambda b: b.v2.image.generate(structured_prompt={"a": 1}, seed=5),
        "/image/generate",
        {"structured_prompt": '{"a": 1}', "seed": 5},
    ),
    (
        "inspire",
        lambda b: b.v2.image.generate(image_url=URL_IN),
        "/image/generate",
        {"image_url": URL_IN},
    ),
    (
        "edit",
        lambda b: b.v2.image.edit([URL_IN, URL_IN], instruction="make it blue"),
        "/image/edit",
        {"images": [URL_IN, URL_IN], "instruction": "make it blue"},
    ),
    (
        "remove_background",
        lambda b: b.v2.image.remove_background(URL_IN),
        "/image/edit/remove_background",
        {"image": URL_IN},
    ),
    (
        "remove_background_guided",
        lambda b: b.v2.image.remove_background(URL_IN, guided=True, mask=URL_IN),
        "/image/edit/remove_background/guided",
        {"image": URL_IN, "mask": URL_IN},
    ),
    (
        "replace_background",
        lambda b: b.v2.image.replace_background(URL_IN, "a beach"),
        "/image/edit/replace_background",
        {"image": URL_IN, "prompt": "a beach"},
    ),
    (
        "blur_background",
        lambda b: b.v2.image.blur_background(URL_IN),
        "/image/edit/blur_background",
        {"image": URL_IN},
    ),
    (
        "erase",
        lambda b: b.v2.image.erase(URL_IN, URL_IN),
        "/image/edit/erase",
        {"image": URL_IN, "mask": URL_IN},
    ),
    (
        "erase_foreground",
        lambda b: b.v2.image.erase_foreground(URL_IN),
        "/image/edit/erase_foreground",
        {"image": URL_IN},
    ),
    (
        "gen_fill",
        lambda b: b.v2.image.gen_fill(
            URL_IN, URL_IN, "a hat", mask_type="automatic", negative_prompt="x", num_results=2
        ),
        "/image/edit/gen_fill",
        {
            "image": URL_IN,
            "mask": URL_IN,
            "prompt": "a hat",
            "mask_type": "automatic",
            "negative_prompt": "x",
            "num_results": 2,
        },
    ),
    (
        "expand",
        lambda b: b.v2.image.expand(URL_IN, aspect_ratio="16:9", prompt="more sky"),
        "/image/edit/expand",
        {"image": URL_IN, "aspect_ratio": "16:9", "prompt": "more sky"},
    ),
    (
        "expand_canvas",
        lambda b: b.v2.image.expand(URL_IN, canvas_size=(2000, 1000)),
        "/image/edit/expand",
        {"image": URL_IN, "canvas_size": [2000, 1000]},
    ),
    ("enhance", lambda b: b.v2.image.enhance(URL_IN), "/image/edit/enhance", {"image": URL_IN}),
    (
        "increase_resolution",
        lambda b: b.v2.image.increase_resolution(URL_IN, desired_increase=4, preserve_alpha=True),
        "/image/edit/increase_resolution",
        {"image": URL_IN, "desired_increase": 4, "preserve_alpha": True},
    ),
    (
        "crop_foreground",
        lambda b: b.v2.image.crop_foreground(URL_IN),
        "/image/edit/crop_foreground",
        {"image": URL_IN},
    ),
    (
        "add_object_by_text",
        lambda b: b.v2.image.add_object_by_text(URL_IN, "add a cat"),
        "/image/edit/add_object_by_text",
        {"image": URL_IN, "instruction": "add a cat"},
    ),
    (
        "replace_object_by_text",
        lambda b: b.v2.image.replace_object_by_text(URL_IN, "cat->dog"),
        "/image/edit/replace_object_by_text",
        {"image": URL_IN, "instruction": "cat->dog"},
    ),
    (
        "erase_by_text",
        lambda b: b.v2.image.erase_by_text(URL_IN, "cat"),
        "/image/edit/erase_by_text",
        {"image": URL_IN, "object_name": "cat"},
    ),
    (
        "rewrite_text",
        lambda b: b.v2.image.rewrite_text(URL_IN, "FIBO Edit!"),
        "/image/edit/rewrite_text",
        {"image": URL_IN, "new_text": "FIBO Edit!"},
    ),
    (
        "blend",
        lambda b: b.v2.image.blend(URL_IN, URL_IN, "put the logo on the shirt"),
        "/image/edit/blend",
        {"image": URL_IN, "overlay": URL_IN, "instruction": "put the logo on the shirt"},
    ),
    (
        "reseason",
        lambda b: b.v2.image.reseason(URL_IN, "winter"),
        "/image/edit/reseason",
        {"image": URL_IN, "season": "winter"},
    ),
    (
        "restyle",
        lambda b: b.v2.image.restyle(URL_IN, "oil_painting"),
        "/image/edit/restyle",
        {"image": URL_IN, "style": "oil_painting"},
    ),
    (
        "relight",
        lambda b: b.v2.image.relight(URL_IN, "blue hour light", "top-down"),
        "/image/edit/relight",
        {"image": URL_IN, "light_type": "blue hour light", "light_direction": "top-down"},
    ),
    (
        "sketch_to_colored_image",
        lambda b: b.v2.image.sketch_to_colored_image(URL_IN, prompt="red"),
        "/image/edit/sketch_to_colored_image",
        {"image": URL_IN, "prompt": "red"},
    ),
    ("restore", lambda b: b.v2.image.restore(URL_IN), "/image/edit/restore", {"image": URL_IN}),
    (
        "colorize",
        lambda b: b.v2.image.colorize(URL_IN, "sepia vintage"),
        "/image/edit/colorize",
        {"image": URL_IN, "color": "sepia vintage"},
    ),
    (
        "integrate",
        lambda b: b.v2.product.integrate(
            URL_IN,
            [{"image": URL_IN, "coordinates": {"x": 1, "y": 2, "width": 3, "height": 4}}],
            seed=9,
        ),
        "/image/edit/product/integrate",
        {
            "scene": URL_IN,
            "products": [
                {"image": URL_IN, "coordinates": {"x": 1, "y": 2, "width": 3, "height": 4}}
            ],
            "seed": 9,
        },
    ),
    (
        "structured_instruction",
        lambda b: b.v2.structured_instruction([URL_IN], "make it blue", mask=URL_IN),
        "/structured_instruction/generate",
        {"images": [URL_IN], "instruction": "make it blue", "mask": URL_IN},
    ),
]


@pytest.mark.parametrize(
    ("make", "path", "fields"), [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES]
)
async def test_each_route_sends_its_exact_request_and_follows_the_status(
    client: BriaClient,
    mock_api: MockAPI,
    make: Callable[[BriaClient], ba.Job[ba.V2Result]],
    path: str,
    fields: dict[str, Any],
) -> None:
    mock_api.post(V2 + path, status=202, payload=ACCEPTED)
    mock_api.get(STATUS, payload=DONE)
    result = await asyncio.wait_for(make(client), HANG)
    assert body_of(mock_api, V2 + path) == {**fields, "sync": False}
    assert result.image_url == RESULT
    assert calls(mock_api, "GET", STATUS) == 1


@pytest.mark.parametrize("new_text", ["", "   ", 5, None])
def test_rewrite_text_refuses_a_missing_new_text_before_sending(
    client: BriaClient, mock_api: MockAPI, new_text: Any
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        client.v2.image.rewrite_text(URL_IN, new_text)
    assert info.value.parameter == "new_text"
    assert mock_api.requests == {}


def test_every_edit_route_of_v2_md_is_a_method() -> None:
    from bria_async.resources.v2 import EDIT_SPECS, V2Image

    tested = {r[2].removeprefix("/image/edit/") for r in ROUTES}
    assert "remove_background/guided" in tested
    assert set(EDIT_SPECS) <= tested
    methods = {route.split("/")[0] for route in EDIT_SPECS}
    assert all(callable(getattr(V2Image, route)) for route in methods)


async def test_a_file_goes_base64_and_a_webhook_url_and_sync_are_sent(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    path = tmp_path / "in.png"
    path.write_bytes(PNG)
    url = f"{V2}/image/edit/restyle"
    mock_api.post(url, payload={"request_id": RID, "result": {"image_url": RESULT}})
    result = await client.v2.image.restyle(
        path, "anime", sync=True, webhook_url="https://me.test/hook"
    )
    assert body_of(mock_api, url) == {
        "image": base64.b64encode(PNG).decode(),
        "style": "anime",
        "sync": True,
        "webhook_url": "https://me.test/hook",
    }
    assert result.image_url == RESULT  # sync: the answer is the result, no status call
    assert calls(mock_api, "GET", STATUS) == 0


# --- refused before sending ---------------------------------------------------------------------
REFUSED: list[tuple[str, Callable[[BriaClient], object], str]] = [
    ("nothing", lambda b: b.v2.image.generate(), "prompt"),
    (
        "image_url+structured",
        lambda b: b.v2.image.generate(structured_prompt="{}", image_url=URL_IN, seed=1),
        "image_url",
    ),
    ("structured without seed", lambda b: b.v2.image.generate(structured_prompt="{}"), "seed"),
    (
        "structured not json",
        lambda b: b.v2.image.generate(structured_prompt="nope", seed=1),
        "structured_prompt",
    ),
    ("4MP sync", lambda b: b.v2.image.generate("x", resolution="4MP", sync=True), "resolution"),
    ("resolution", lambda b: b.v2.image.generate("x", resolution="8MP"), "resolution"),  # type: ignore[arg-type]
    ("aspect", lambda b: b.v2.image.generate("x", aspect_ratio="2:1"), "aspect_ratio"),  # type: ignore[arg-type]
    ("num_results", lambda b: b.v2.image.generate("x", num_results=5), "num_results"),
    ("seed", lambda b: b.v2.image.generate("x", seed=-1), "seed"),
    ("season", lambda b: b.v2.image.reseason(URL_IN, "monsoon"), "season"),  # type: ignore[arg-type]
    ("style", lambda b: b.v2.image.restyle(URL_IN, "baroque"), "style"),  # type: ignore[arg-type]
    ("light_type", lambda b: b.v2.image.relight(URL_IN, "neon", "front"), "light_type"),  # type: ignore[arg-type]
    ("light_direction", lambda b: b.v2.image.relight(URL_IN, "midday", "back"), "light_direction"),  # type: ignore[arg-type]
    ("color", lambda b: b.v2.image.colorize(URL_IN, "pink"), "color"),  # type: ignore[arg-type]
    (
        "mask_type",
        lambda b: b.v2.image.gen_fill(URL_IN, URL_IN, "x", mask_type="auto"),  # type: ignore[arg-type]
        "mask_type",
    ),
    (
        "desired_increase",
        lambda b: b.v2.image.increase_resolution(URL_IN, desired_increase=8),
        "desired_increase",
    ),
    (
        "expand both",
        lambda b: b.v2.image.expand(URL_IN, aspect_ratio="1:1", canvas_size=[1, 1]),
        "aspect_ratio",
    ),
    ("expand ratio", lambda b: b.v2.image.expand(URL_IN, aspect_ratio="wide"), "aspect_ratio"),
    ("edit five", lambda b: b.v2.image.edit([URL_IN] * 5, instruction="x"), "images"),
    ("edit no instruction", lambda b: b.v2.image.edit([URL_IN]), "instruction"),
    ("bad image", lambda b: b.v2.image.enhance("not a url"), "image"),
    (
        "coordinates",
        lambda b: b.v2.product.integrate(
            URL_IN, [{"image": URL_IN, "coordinates": {"x": 0, "y": 0, "width": 0, "height": 1}}]
        ),
        "products[0].coordinates.width",
    ),
    (
        "webhook http",
        lambda b: b.v2.image.enhance(URL_IN, webhook_url="http://me.test/h"),
        "webhook_url",
    ),
    ("sync", lambda b: b.v2.image.enhance(URL_IN, sync="yes"), "sync"),  # type: ignore[arg-type]
    ("mask unguided", lambda b: b.v2.image.remove_background(URL_IN, mask=URL_IN), "mask"),
]


@pytest.mark.parametrize(
    ("make", "parameter"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
async def test_bad_input_is_refused_before_anything_is_sent(
    client: BriaClient, mock_api: MockAPI, make: Callable[[BriaClient], object], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        make(client)
    assert info.value.parameter == parameter
    assert not mock_api.requests


async def test_a_file_of_another_type_fails_the_job_before_sending(
    client: BriaClient, mock_api: MockAPI
) -> None:
    with pytest.raises(ba.ValidationError, match="image"):
        await client.v2.image.enhance(b"GIF89a not allowed")
    assert not mock_api.requests


# --- the status life cycle ---------------------------------------------------------------------
async def test_the_status_is_read_until_completed_never_at_the_answers_host(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
    mock_api.get(STATUS, payload=PENDING)
    mock_api.get(STATUS, payload={"request_id": RID, "status": "UNKNOWN"})
    mock_api.get(STATUS, status=503)  # retried by the transport
    mock_api.get(STATUS, payload=DONE)
    job = client.v2.image.generate("a fox")
    result = await asyncio.wait_for(job, HANG)
    assert job.request_id == RID
    assert (result.seed, result.prompt, result.refined_prompt) == (7, "a fox", "a red fox")
    assert result.structured_prompt == '{"a": 1}'
    assert result.extra == {"warning": "w"}
    assert [i.url for i in result.images] == [RESULT]
    assert calls(mock_api, "GET", STATUS) == 4
    assert all(
        c.kwargs["headers"]["api_token"] == TOKEN for c in mock_api.requests[("GET", URL(STATUS))]
    )
    assert all(key[1].host != "evil.test" for key in mock_api.requests)
    assert [image.url async for image in job.as_completed()] == [RESULT]


async def test_a_rate_limited_status_backs_off_and_the_job_goes_on(
    client: BriaClient, mock_api: MockAPI
) -> None:
    polls: list[ba.PollEvent] = []
    attempts = client.settings.retries.max_attempts
    async with BriaClient(
        TOKEN,
        base_url=BASE_URL,
        settings=Settings.for_testing(),
        hooks=ba.Hooks(on_poll=polls.append),
    ) as bria:
        mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
        for _ in range(attempts):  # every retry of the transport is spent: one failed read
            mock_api.get(STATUS, status=429)
        mock_api.get(STATUS, payload=DONE)
        result = await asyncio.wait_for(bria.v2.image.generate("a fox"), HANG)
    assert result.image_url == RESULT
    assert calls(mock_api, "GET", STATUS) == attempts + 1
    assert [(p.url, p.outcome) for p in polls] == [(STATUS, "retry"), (STATUS, "ready")]


async def test_a_rate_limited_status_read_pauses_every_jobs_status_reads(
    mock_api: MockAPI,
) -> None:
    rid2 = "req-second"
    status2 = f"{V2}/status/{rid2}"
    polls: list[ba.PollEvent] = []
    polling = PollSettings(
        initial_delay=0.02, min_interval=0.02, max_interval=0.05, webhook_grace=0.0
    )
    settings = Settings(retries=RetrySettings(max_attempts=1), polling=polling)
    async with BriaClient(
        TOKEN, base_url=BASE_URL, settings=settings, hooks=ba.Hooks(on_poll=polls.append)
    ) as bria:
        mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
        mock_api.post(
            f"{V2}/image/generate", status=202, payload={"request_id": rid2, "status_url": status2}
        )
        mock_api.get(STATUS, status=429, headers={"Retry-After": "2"})
        mock_api.get(STATUS, payload=DONE)
        mock_api.get(status2, payload={**DONE, "request_id": rid2}, repeat=True)
        first = await bria.v2.image.generate("a fox").submit()
        for _ in range(200):  # until the first job's status read was rate limited
            if polls:
                break
            await asyncio.sleep(0.01)
        assert [p.outcome for p in polls] == ["retry"]
        second = await bria.v2.image.generate("a cat").submit()
        await asyncio.sleep(0.5)  # its first read was due after 0.02 s: the endpoint waits
        assert calls(mock_api, "GET", status2) == 0
        first.cancel()
        second.cancel()


@pytest.mark.parametrize("spelling", ["ERROR", "FAILED"])
async def test_a_failed_status_raises_with_its_code_message_and_details(
    client: BriaClient, mock_api: MockAPI, spelling: str
) -> None:
    mock_api.post(f"{V2}/image/edit/enhance", status=202, payload=ACCEPTED)
    mock_api.get(
        STATUS,
        payload={
            "request_id": RID,
            "status": spelling,
            "error": {"code": 422, "message": "moderated", "details": "nsfw"},
        },
    )
    with pytest.raises(ba.JobFailedError, match="moderated") as info:
        await asyncio.wait_for(client.v2.image.enhance(URL_IN), HANG)
    assert (info.value.code, info.value.reason, info.value.details) == (422, "moderated", "nsfw")


async def test_a_404_on_the_status_is_an_expired_request(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{V2}/image/edit/enhance", status=202, payload=ACCEPTED)
    mock_api.get(STATUS, status=404, payload={"error": "does not exist or has expired"})
    with pytest.raises(ba.RequestExpiredError, match="expired"):
        await asyncio.wait_for(client.v2.image.enhance(URL_IN), HANG)
    mock_api.get(STATUS, status=404)
    with pytest.raises(ba.NotFoundError):
        await client.v2.status(RID)


@pytest.mark.parametrize("status", [429, 503])
async def test_a_submission_is_never_repeated(
    client: BriaClient, mock_api: MockAPI, status: int
) -> None:
    mock_api.post(f"{V2}/image/generate", status=status, repeat=True)
    with pytest.raises(ba.APIStatusError):
        await client.v2.image.generate("a fox")
    assert calls(mock_api, "POST", f"{V2}/image/generate") == 1


async def test_a_window_that_ends_stalls_the_job_and_awaiting_reads_again(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
    mock_api.get(STATUS, payload=PENDING, repeat=True)
    job = short.v2.image.generate("a fox")
    with pytest.raises(ba.JobTimeoutError, match="v2 status"):
        await asyncio.wait_for(job.wait(), HANG)
    assert job.status is JobStatus.STALLED
    mock_api.clear()
    mock_api.get(STATUS, payload=DONE)
    assert (await asyncio.wait_for(job.wait(), HANG)).image_url == RESULT


async def test_status_reads_one_typed_status(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(STATUS, payload=DONE)
    event = await client.v2.status(RID)
    assert event.status is ba.V2Status.COMPLETED
    assert event.result is not None
    assert event.result.image_url == RESULT
    with pytest.raises(ba.ValidationError):
        await client.v2.status("../etc")


# --- tokens --------------------------------------------------------------------------------------
async def test_a_token_keeps_the_request_id_and_resumes_on_the_status(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
    job = await client.v2.image.generate("a fox").submit()
    job.cancel()
    token = job.to_dict()
    mock_api.get(STATUS, payload=DONE)
    resumed = client.jobs.resume(token, ba.V2Result)
    assert (await asyncio.wait_for(resumed, HANG)).image_url == RESULT
    assert resumed.request_id == RID


async def test_a_signed_token_with_a_bad_request_id_is_refused(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
    job = await client.v2.image.generate("a fox").submit()
    job.cancel()
    key = client._runtime.token_key()
    data = verify(job.to_dict(), lambda: key)
    forged = sign(attrs.evolve(data, state={"request_id": "../../v1/x"}), key)
    with pytest.raises(ba.InvalidJobTokenError, match="request_id"):
        client.jobs.resume(forged)


# --- webhooks delivered to the Job ----------------------------------------------------------------
async def test_a_delivered_webhook_completes_the_job_without_a_status_call(
    mock_api: MockAPI,
) -> None:
    polling = PollSettings(webhook_grace=30.0)
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings(polling=polling)) as bria:
        mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
        job = await bria.v2.image.generate("a fox", webhook_url="https://me.test/h").submit()
        assert body_of(mock_api, f"{V2}/image/generate")["webhook_url"] == "https://me.test/h"
        event = webhooks.parse_event(json.dumps(DONE).encode())
        assert bria.jobs.deliver(event) is True
        assert job.done()
        assert (await job).image_url == RESULT
        assert calls(mock_api, "GET", STATUS) == 0
        assert bria.jobs.deliver(event) is False  # the other one stops: nothing left to do


async def test_a_delivered_failure_fails_the_job_and_a_non_final_status_is_ignored(
    short: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
    mock_api.get(STATUS, payload=PENDING, repeat=True)
    job = await short.v2.image.generate("a fox").submit()
    assert short.jobs.deliver(webhooks.parse_event(json.dumps(PENDING))) is False
    failed = {"request_id": RID, "status": "ERROR", "error": {"code": 500, "message": "boom"}}
    assert short.jobs.deliver(webhooks.parse_event(json.dumps(failed))) is True
    with pytest.raises(ba.JobFailedError, match="boom"):
        await job


async def test_a_webhook_that_overtakes_the_submission_settles_the_job(
    client: BriaClient, mock_api: MockAPI
) -> None:
    async def answer_after_the_webhook(url: URL, **kwargs: Any) -> CallbackResult:
        assert client.jobs.deliver(webhooks.parse_event(json.dumps(DONE))) is False
        return CallbackResult(status=202, payload=ACCEPTED)

    mock_api.post(f"{V2}/image/generate", callback=answer_after_the_webhook)
    result = await asyncio.wait_for(client.v2.image.generate("a fox"), HANG)
    assert result.image_url == RESULT
    assert calls(mock_api, "GET", STATUS) == 0


@pytest.mark.parametrize("answer", [["not", "an", "object"], {"request_id": RID, "status": "??"}])
async def test_a_malformed_status_fails_the_job_with_an_excerpt(
    client: BriaClient, mock_api: MockAPI, answer: Any
) -> None:
    mock_api.post(f"{V2}/image/generate", status=202, payload=ACCEPTED)
    mock_api.get(STATUS, payload=answer)
    with pytest.raises(ba.APIResponseValidationError) as info:
        await asyncio.wait_for(client.v2.image.generate("a fox"), HANG)
    assert repr(answer)[:20] in str(info.value)
