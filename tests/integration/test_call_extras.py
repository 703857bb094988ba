"""Every namespace method takes ``extra_headers``, ``extra_query``, ``extra_body`` and
``timeout``, and what they add reaches the wire: a recording server on 127.0.0.1 answers
400 to each request (so each call sends exactly one) and shows what it got.

The methods are enumerated from the client's namespaces: a new method without a sample
call below, or without the four keywords, fails `test_every_method_sends_its_extras`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

import bria_async as ba
from bria_async import BriaClient, Settings
from tests.integration.http_support import serve

TOKEN = "wire-token-extras"
IMG = "https://img.test/a.png"
EXTRAS = ("extra_headers", "extra_query", "extra_body", "timeout")
NAMESPACES: tuple[str, ...] = ("images", "visuals", "background", "objects", "person")
NAMESPACES += ("product", "search", "datasets", "models", "v2")
DRAFT = {"id": 1, "name": "d", "status": "draft", "use_case": "illustrative_style"}

#: A valid call of each method, its checked arguments only.
SAMPLES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "images.generate": lambda m, x: m("a fox", **x),
    "images.generate_tailored": lambda m, x: m(7, "a fox", **x),
    "images.upscale": lambda m, x: m(IMG, **x),
    "visuals.campaign_generator": lambda m, x: m("v1", template_id="t1", **x),
    "visuals.caption": lambda m, x: m("v1", **x),
    "visuals.crop": lambda m, x: m("v1", **x),
    "visuals.image_expansion": lambda m, x: m("v1", **x),
    "visuals.image_to_psd": lambda m, x: m("v1", **x),
    "visuals.increase_resolution": lambda m, x: m("v1", **x),
    "visuals.info": lambda m, x: m("v1", **x),
    "visuals.register": lambda m, x: m(IMG, **x),
    "visuals.remove_image": lambda m, x: m("v1", **x),
    "background.blur": lambda m, x: m("v1", **x),
    "background.info": lambda m, x: m("v1", **x),
    "background.remove": lambda m, x: m(IMG, **x),
    "background.remove_by_visual": lambda m, x: m("v1", **x),
    "background.replace": lambda m, x: m(IMG, "a beach", **x),
    "background.replace_bg": lambda m, x: m("v1", "a beach", **x),
    "objects.info": lambda m, x: m("v1", **x),
    "objects.mask_generator": lambda m, x: m("v1", **x),
    "objects.remove": lambda m, x: m("v1", object_ids=["1"], **x),
    "person.info": lambda m, x: m("v1", **x),
    "person.modify": lambda m, x: m("v1", [{"id": "p1", "action": "remove"}], **x),
    "product.consistent_shots": lambda m, x: m([IMG], scene_description="a shelf", **x),
    "product.contextual_keyword_extraction": lambda m, x: m(IMG, **x),
    "product.cutout": lambda m, x: m(IMG, **x),
    "product.lifestyle_shot_by_image": lambda m, x: m(IMG, IMG, **x),
    "product.lifestyle_shot_by_text": lambda m, x: m(IMG, "a kitchen", **x),
    "product.packshot": lambda m, x: m(IMG, **x),
    "search.similar": lambda m, x: m(vhash="vh1", gallery_id=3, **x),
    "search.text": lambda m, x: m("fox", gallery_id=3, **x),
    "datasets.complete": lambda m, x: m(1, **x),
    "datasets.create": lambda m, x: m(use_case="illustrative_style", style_description="s", **x),
    "datasets.delete": lambda m, x: m(1, **x),
    "datasets.delete_image": lambda m, x: m(1, 2, **x),
    "datasets.list": lambda m, x: m(**x),
    "datasets.list_images": lambda m, x: m(1, **x),
    "datasets.retrieve": lambda m, x: m(2, **x),
    "datasets.retrieve_image": lambda m, x: m(1, 2, **x),
    "datasets.update": lambda m, x: m(1, name="n", **x),
    "datasets.upload_image": lambda m, x: m(1, IMG, **x),
    "datasets.upload_images": lambda m, x: m(1, [IMG], **x),
    "models.create": lambda m, x: m(name="m", dataset_id=1, **x),
    "models.delete": lambda m, x: m(5, **x),
    "models.list": lambda m, x: m(**x),
    "models.retrieve": lambda m, x: m(5, **x),
    "models.start_training": lambda m, x: m(5, **x),
    "models.stop_training": lambda m, x: m(5, **x),
    "v2.image.add_object_by_text": lambda m, x: m(IMG, "add a cat", **x),
    "v2.image.blend": lambda m, x: m(IMG, IMG, "blend", **x),
    "v2.image.blur_background": lambda m, x: m(IMG, **x),
    "v2.image.colorize": lambda m, x: m(IMG, "vivid color", **x),
    "v2.image.crop_foreground": lambda m, x: m(IMG, **x),
    "v2.image.edit": lambda m, x: m([IMG], instruction="brighter", **x),
    "v2.image.enhance": lambda m, x: m(IMG, **x),
    "v2.image.erase": lambda m, x: m(IMG, IMG, **x),
    "v2.image.erase_by_text": lambda m, x: m(IMG, "the cat", **x),
    "v2.image.erase_foreground": lambda m, x: m(IMG, **x),
    "v2.image.expand": lambda m, x: m(IMG, aspect_ratio="16:9", **x),
    "v2.image.gen_fill": lambda m, x: m(IMG, IMG, "a hat", **x),
    "v2.image.generate": lambda m, x: m("a fox", **x),
    "v2.image.increase_resolution": lambda m, x: m(IMG, **x),
    "v2.image.relight": lambda m, x: m(IMG, "midday", "front", **x),
    "v2.image.remove_background": lambda m, x: m(IMG, **x),
    "v2.image.replace_background": lambda m, x: m(IMG, "a beach", **x),
    "v2.image.replace_object_by_text": lambda m, x: m(IMG, "cat to dog", **x),
    "v2.image.reseason": lambda m, x: m(IMG, "winter", **x),
    "v2.image.restore": lambda m, x: m(IMG, **x),
    "v2.image.restyle": lambda m, x: m(IMG, "anime", **x),
    "v2.image.rewrite_text": lambda m, x: m(IMG, "SALE", **x),
    "v2.image.sketch_to_colored_image": lambda m, x: m(IMG, **x),
    "v2.job": lambda m, x: m("rq-1", **x),
    "v2.product.integrate": lambda m, x: m(
        IMG, [{"image": IMG, "coordinates": {"x": 0, "y": 0, "width": 9, "height": 9}}], **x
    ),
    "v2.status": lambda m, x: m("rq-1", **x),
    "v2.structured_instruction": lambda m, x: m([IMG], "brighter", **x),
}
#: Methods whose request has no JSON object to take an extra body (GET, DELETE, forms).
NO_BODY = {
    name
    for name in SAMPLES
    if name.rsplit(".", 1)[1]
    in {"list", "retrieve", "delete", "caption", "info", "list_images", "retrieve_image"}
    or name.rsplit(".", 1)[1] in {"delete_image", "similar", "text", "status", "job"}
} | {"images.upscale", "background.remove", "datasets.upload_image", "datasets.upload_images"}
#: Methods with no request of their own for an extra query (they follow one).
NO_QUERY = {"v2.job"}


def _methods(cls: type, prefix: str) -> Iterator[str]:
    for name in sorted(dir(cls)):  # inherited ones too (bria.v2.image's edits are mixins)
        member = inspect.getattr_static(cls, name)
        if name.startswith("_"):
            continue
        if isinstance(member, functools.cached_property):
            yield from _methods(typing.get_type_hints(member.func)["return"], f"{prefix}.{name}")
        elif callable(member):
            yield f"{prefix}.{name}"


def namespace_methods() -> list[str]:
    """Every public method of every namespace of the client, as ``images.generate``."""
    found: list[str] = []
    for namespace in NAMESPACES:
        prop = inspect.getattr_static(ba.AsyncBria, namespace)
        found += _methods(typing.get_type_hints(prop.func)["return"], namespace)
    return found


class Recorder:
    """Records each request and answers 400 (not repeated), or a draft dataset to its GET."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "headers": dict(request.headers),
                "body": body,
            }
        )
        if request.method == "GET" and request.path.endswith("/tailored-gen/datasets/1"):
            return web.json_response(DRAFT)
        return web.json_response({"message": "recorded"}, status=400)


@pytest.fixture
async def wire() -> AsyncIterator[tuple[Recorder, BriaClient]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    async with (
        serve(app) as url,
        BriaClient(TOKEN, base_url=url, settings=Settings.for_testing()) as bria,
    ):
        yield recorder, bria


def method_of(bria: BriaClient, name: str) -> Any:
    target: Any = bria
    for part in name.split("."):
        target = getattr(target, part)
    return target


async def send(made: Any) -> None:
    """Send what a method made: a Job, a coroutine, search pages (their first page)."""
    if isinstance(made, ba.Job):
        await asyncio.wait_for(made, 20)
    elif not inspect.isawaitable(made):
        await made.page(1)
    elif isinstance(outcomes := await made, list):  # upload_images: one outcome each
        raise outcomes[0].error


async def run(made: Any) -> None:
    """Send what a method made: the server refuses it."""
    with pytest.raises((ba.APIStatusError, ba.JobFailedError)):
        await send(made)
    await asyncio.sleep(0)


def test_the_samples_cover_every_namespace_method() -> None:
    assert sorted(SAMPLES) == sorted(namespace_methods())


@pytest.mark.parametrize("name", namespace_methods())
def test_every_method_takes_the_four_keyword_only_extras(name: str) -> None:
    method = method_of_class(name)
    parameters = inspect.signature(method).parameters
    for keyword in EXTRAS:
        assert parameters[keyword].kind is inspect.Parameter.KEYWORD_ONLY, (name, keyword)
        assert parameters[keyword].default is None


def method_of_class(name: str) -> Any:
    namespace, *rest = name.split(".")
    cls: Any = typing.get_type_hints(inspect.getattr_static(ba.AsyncBria, namespace).func)["return"]
    for part in rest[:-1]:
        cls = typing.get_type_hints(inspect.getattr_static(cls, part).func)["return"]
    return getattr(cls, rest[-1])


@pytest.mark.parametrize("name", namespace_methods())
async def test_every_method_sends_its_extras(wire: tuple[Recorder, BriaClient], name: str) -> None:
    recorder, bria = wire
    extras: dict[str, Any] = {"extra_headers": {"X-Beta": "moderation"}, "timeout": 9}
    if name not in NO_QUERY:
        extras["extra_query"] = {"trace": "q1"}
    if name not in NO_BODY:
        extras["extra_body"] = {"ip_signal": True}
    await run(SAMPLES[name](method_of(bria, name), extras))
    # (upload_images reads its dataset first: that GET is not the uploads' request)
    request = recorder.seen[-1]
    assert request["headers"]["X-Beta"] == "moderation"
    assert request["headers"]["api_token"] == TOKEN
    if name not in NO_QUERY:
        assert request["query"]["trace"] == "q1"
    if name not in NO_BODY:
        body = json.loads(request["body"])
        assert body["ip_signal"] is True


@pytest.mark.parametrize("name", sorted(NO_BODY))
async def test_an_extra_body_where_there_is_no_json_body_is_refused_before_sending(
    wire: tuple[Recorder, BriaClient], name: str
) -> None:
    recorder, bria = wire
    method = method_of(bria, name)
    with pytest.raises(ba.ValidationError) as raised:
        await send(SAMPLES[name](method, {"extra_body": {"ip_signal": True}}))
    assert raised.value.parameter == "extra_body"
    assert recorder.seen == []


# --- the rules -------------------------------------------------------------------------------
async def test_extras_win_over_the_checked_fields_they_name_and_leave_the_others(
    wire: tuple[Recorder, BriaClient],
) -> None:
    """As openai's and anthropic's: naming a checked field in an extra is asking for it."""
    recorder, bria = wire
    job = bria.images.generate(
        "a fox",
        num_results=2,
        extra_body={"num_results": 3, "moderation": {"prompt": True}},
        extra_query={"debug": "1"},
    )
    await run(job)
    (request,) = recorder.seen
    body = json.loads(request["body"])
    assert (body["num_results"], body["moderation"], body["prompt"]) == (
        3,
        {"prompt": True},
        "a fox",
    )
    assert request["query"] == {"debug": "1"}


async def test_an_extra_header_never_replaces_the_api_token(
    wire: tuple[Recorder, BriaClient],
) -> None:
    recorder, bria = wire
    with pytest.raises(ba.ValidationError) as raised:
        await bria.models.list(extra_headers={"api_token": "other-secret"})
    assert raised.value.parameter == "extra_headers"
    assert "other-secret" not in str(raised.value)
    assert recorder.seen == []


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("extra_headers", ["X-A"]),
        ("extra_headers", {"X-A": 1}),
        ("extra_query", {"q": [1, 2]}),
        ("extra_query", "q=1"),
        ("extra_body", {"x": float("nan")}),
        ("extra_body", {1: "x"}),
        ("timeout", 0),
        ("timeout", "5"),
    ],
)
async def test_bad_extras_are_refused_naming_them_before_sending(
    wire: tuple[Recorder, BriaClient], keyword: str, value: Any
) -> None:
    recorder, bria = wire
    with pytest.raises(ba.ValidationError) as raised:
        bria.v2.image.enhance(IMG, **{keyword: value})
    assert raised.value.parameter.startswith(keyword)
    with pytest.raises(ba.ValidationError):
        await bria.models.list(**{keyword: value})
    assert recorder.seen == []


async def test_a_calls_timeout_bounds_its_attempts_only() -> None:
    """timeout=0.2 against a server that answers after 5 s: APITimeoutError, while the same
    client's call without it waits (answered here by a fast route)."""

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response([])

    async def fast(request: web.Request) -> web.Response:
        return web.json_response([])

    app = web.Application()
    app.router.add_get("/v1/tailored-gen/models", slow)
    app.router.add_get("/v1/tailored-gen/datasets", fast)
    async with (
        serve(app) as url,
        BriaClient(TOKEN, base_url=url, settings=Settings.for_testing(), max_retries=0) as bria,
    ):
        with pytest.raises(ba.APITimeoutError):
            await bria.models.list(timeout=0.2)
        assert await bria.datasets.list() == ()
        assert bria.settings.timeouts.quick > 0.2  # the client's own is untouched


async def test_a_jobs_extra_query_and_body_go_into_its_submission_only() -> None:
    """A v2 Job: the submission carries every extra; its status read carries the headers
    (as a with_options view's would) but never the query or body."""
    seen: list[web.Request] = []
    bodies: list[bytes] = []

    async def submit(request: web.Request) -> web.Response:
        seen.append(request)
        bodies.append(await request.read())
        return web.json_response({"request_id": "rq-9", "status_url": "x"}, status=202)

    async def status(request: web.Request) -> web.Response:
        seen.append(request)
        bodies.append(await request.read())
        return web.json_response(
            {"request_id": "rq-9", "status": "COMPLETED", "result": {"image_url": IMG}}
        )

    app = web.Application()
    app.router.add_post("/v2/image/edit/enhance", submit)
    app.router.add_get("/v2/status/rq-9", status)
    async with (
        serve(app) as url,
        BriaClient(TOKEN, base_url=f"{url}/v1", settings=Settings.for_testing()) as bria,
    ):
        job = bria.v2.image.enhance(
            IMG, extra_headers={"X-Beta": "b"}, extra_query={"q": "1"}, extra_body={"ip": 1}
        )
        result = await asyncio.wait_for(job, 20)
    assert result.image_url == IMG
    post, read = seen
    assert (post.query["q"], json.loads(bodies[0])["ip"], post.headers["X-Beta"]) == ("1", 1, "b")
    assert (dict(read.query), bodies[1], read.headers["X-Beta"]) == ({}, b"", "b")
