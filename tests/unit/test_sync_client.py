"""Bria, the synchronous client: results instead of Jobs, one loop thread, its life cycle,
and twins that match the async surface method for method."""

from __future__ import annotations

import ast
import inspect
import re
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

import bria_async as ba
from bria_async import Bria, ClientStateError, ImageResult, Settings, SyncJob
from bria_async._sync import _api, _generate, _generate_raw
from bria_async.resources import product
from bria_async.resources.v2 import V2Product
from tests.conftest import BASE_URL, TOKEN, MockAPI

GENERATE = f"{BASE_URL}/text-to-image/base/2.3"
CAPTION = re.compile(r".*/v1/vis\d+/caption$")
SEARCH = re.compile(r".*/search\?.*")
ANSWER = {"result": [{"urls": ["https://cdn.test/a.png"], "seed": 7}]}


@pytest.fixture
def bria(mock_api: MockAPI) -> Iterator[Bria]:
    with Bria(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as client:
        yield client


def _public(cls: type) -> Iterator[tuple[str, object]]:
    for name in dir(cls):
        if name.startswith("_") and name not in _generate.RENAMED:
            continue
        member = inspect.getattr_static(cls, name)
        if not isinstance(member, (staticmethod, classmethod)):
            yield name, member


def _evaluated(func: Callable[..., Any], text: Any) -> Any:
    """An annotation string as the object it names, in the module it was written in."""
    namespace = {**vars(sys.modules[func.__module__]), "Self": object}
    return eval(text, namespace) if isinstance(text, str) else text  # noqa: S307


@pytest.mark.parametrize("cls", list(_generate.TWINS), ids=lambda cls: cls.__name__)
def test_every_public_async_method_has_a_sync_twin_with_its_signature(cls: type) -> None:
    twin = getattr(_api, _generate.TWINS[cls])
    for name, member in _public(cls):
        sync_name = _generate.RENAMED.get(name, name)
        assert hasattr(twin, sync_name), f"{twin.__name__} has no {sync_name}"
        mine = inspect.getattr_static(twin, sync_name)
        if isinstance(member, (property, cached_property)):
            assert isinstance(mine, (property, cached_property)), name
            continue
        assert callable(member)
        assert callable(mine)
        ours, theirs = inspect.signature(member), inspect.signature(mine)
        assert list(ours.parameters) == list(theirs.parameters), name
        for a, b in zip(ours.parameters.values(), theirs.parameters.values(), strict=True):
            assert (a.kind, a.default) == (b.kind, b.default), f"{name}({a.name})"
            if a.name != "self":
                assert _evaluated(member, a.annotation) == _evaluated(mine, b.annotation), name
        if not name.startswith("_") and sync_name != "close":
            assert inspect.getdoc(mine) == _generate._Writer.doc(cls, inspect.getdoc(member)), name


#: What an async docstring says that a sync one must not: await it, iterate it with async
#: for, close it with aclose, or get a Job where the sync call returns the result.
ASYNC_WORDS = re.compile(
    r"\bawait|\basync (for|with)\b|\baclose\b|__anext__|\breturns? an? Job\b|\bJob of\b"
    r"|\bas a Job\b|\bJob resolves\b",
    re.IGNORECASE,
)


def test_no_sync_docstring_speaks_async() -> None:
    tree = ast.parse(Path(_api.__file__).read_text(encoding="utf-8"))
    docs = {
        f"{node.name} (line {node.lineno})": ast.get_docstring(node) or ""
        for node in ast.walk(tree)
        if isinstance(node, (ast.ClassDef, ast.FunctionDef))
    }
    spoken = {name: m.group(0) for name, doc in docs.items() if (m := ASYNC_WORDS.search(doc))}
    assert spoken == {}, "add a rule to bria_async/_sync/_wording.py"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the generator reads overloads (3.11+)")
def test_the_generated_twins_are_up_to_date() -> None:
    written = Path(_api.__file__).read_text(encoding="utf-8")
    assert _generate.render() == written, "run: python -m bria_async._sync._generate"


def test_the_generated_raw_response_views_are_up_to_date() -> None:
    for path, source in _generate_raw.render().items():
        written = path.read_text(encoding="utf-8")
        assert source == written, f"{path.name}: run python -m bria_async._sync._generate"


def test_namespace_methods_return_results_not_jobs(bria: Bria, mock_api: MockAPI) -> None:
    mock_api.post(GENERATE, payload=ANSWER)
    result = bria.images.generate("a fox", sync=True)
    assert isinstance(result, ImageResult)
    assert result.images[0].seed == 7
    assert bria.v2.image._async is bria.aio.v2.image  # nested namespaces have twins too


def test_raw_responses_give_what_the_sync_calls_give(bria: Bria, mock_api: MockAPI) -> None:
    mock_api.post(GENERATE, payload=ANSWER, headers={"X-Request-Id": "r-1"})
    raw = bria.with_raw_response.images.generate("a fox", sync=True)
    assert (raw.status_code, raw.request_id) == (200, "r-1")
    assert isinstance(raw.parse(), ImageResult)  # the result, not the async call's Job
    mock_api.get(CAPTION, payload={"results": ["a caption"]})
    caption = bria.with_raw_response.visuals.caption("vis1")  # a direct call
    assert caption.parse().caption == "a caption"
    assert bria.with_raw_response.images.generate.__doc__ == bria.aio.images.generate.__doc__
    with pytest.raises(AttributeError, match="no 'text': it offers the client's namespaces"):
        _ = bria.with_raw_response.search.text  # type: ignore[attr-defined]


def test_bad_input_is_refused_in_the_calling_thread_before_any_request(
    bria: Bria, mock_api: MockAPI
) -> None:
    with pytest.raises(ba.ValidationError, match="num_results"):
        bria.images.generate("a fox", num_results=9)
    assert not mock_api.requests


def test_many_threads_share_one_loop_and_one_session(bria: Bria, mock_api: MockAPI) -> None:
    mock_api.get(CAPTION, payload={"results": ["a caption"]}, repeat=True)
    loops: set[int] = set()

    def caption(i: int) -> str:
        loops.add(id(bria.run(_running_loop())))
        return bria.visuals.caption(f"vis{i}").caption

    with ThreadPoolExecutor(8) as pool:
        captions = list(pool.map(caption, range(32)))
    assert captions == ["a caption"] * 32
    assert len(loops) == 1
    assert bria._portal._thread.is_alive()
    assert bria.aio._runtime.transport._session is not None


async def _running_loop() -> object:
    import asyncio

    return asyncio.get_running_loop()


async def test_a_call_from_a_running_event_loop_is_refused_clearly(
    bria: Bria, mock_api: MockAPI
) -> None:
    with pytest.raises(ClientStateError, match=r"running event loop.*AsyncBria"):
        bria.images.generate("a fox")  # the Job made for it is dropped, never sent, no warning
    with pytest.raises(ClientStateError, match="running event loop"):
        bria.close()
    assert not mock_api.requests


def test_close_stops_the_loop_thread_and_later_calls_fail_clearly(mock_api: MockAPI) -> None:
    bria = Bria(TOKEN, base_url=BASE_URL)
    thread = bria._portal._thread
    with bria:
        assert thread.is_alive()
    assert not thread.is_alive()
    bria.close()  # a second close does nothing
    with pytest.raises(ClientStateError, match="closed"):
        bria.visuals.caption("vis1")
    assert not mock_api.requests


def test_a_client_nobody_holds_stops_its_thread(mock_api: MockAPI) -> None:
    bria = Bria(TOKEN, base_url=BASE_URL)
    thread = bria._portal._thread
    del bria
    import gc

    gc.collect()
    thread.join(5)
    assert not thread.is_alive()


def test_with_options_views_share_the_thread_and_are_not_closed_alone(
    bria: Bria, mock_api: MockAPI
) -> None:
    mock_api.get(CAPTION, status=500, payload={"error": "boom"}, repeat=True)
    view = bria.with_options(max_retries=0, timeout=7)
    assert isinstance(view, Bria)
    assert view._portal is bria._portal
    assert view.aio._runtime.transport is bria.aio._runtime.transport
    with pytest.raises(ba.ServerError):
        view.visuals.caption("vis1")
    assert sum(len(calls) for calls in mock_api.requests.values()) == 1
    with pytest.raises(ClientStateError, match="with_options"):
        view.close()
    assert bria._portal._thread.is_alive()


def test_submit_returns_a_sync_job_that_waits_and_resumes(bria: Bria, mock_api: MockAPI) -> None:
    mock_api.post(GENERATE, payload=ANSWER)
    mock_api.get("https://cdn.test/a.png", status=206, body=b"\x89")
    mock_api.get("https://cdn.test/a.png", status=206, body=b"\x89")
    job = bria.submit(bria.aio.images.generate("a fox"))
    assert isinstance(job, SyncJob)
    assert job.urls == ("https://cdn.test/a.png",)
    token = job.to_dict()
    assert job.wait(timeout=10).urls == job.urls
    assert job.done()
    again = bria.jobs.resume(token, ImageResult)
    assert isinstance(again, SyncJob)
    assert again.id == job.id
    assert [image.url for image in again.as_completed()] == ["https://cdn.test/a.png"]


def test_gather_and_as_completed_take_jobs_from_aio(bria: Bria, mock_api: MockAPI) -> None:
    mock_api.get(CAPTION, payload={"results": ["a caption"]}, repeat=True)
    captions = bria.gather([bria.aio.visuals.caption(f"vis{i}") for i in range(3)])
    assert [c.caption for c in captions] == ["a caption"] * 3
    mock_api.post(GENERATE, payload=ANSWER)
    finished = list(bria.as_completed([bria.aio.images.generate("a fox", sync=True)]))
    assert [type(job) for job in finished] == [SyncJob]
    assert finished[0].result().urls == ("https://cdn.test/a.png",)


def test_search_pages_iterate_and_stop_when_left(bria: Bria, mock_api: MockAPI) -> None:
    page = {"results": [{"visual_id": "v", "url": "https://img.test/v.png", "score": 0.5}] * 2}
    mock_api.get(SEARCH, payload=page, repeat=True)
    pages = bria.search.text("cats", gallery_id="g", num_results_per_page=2)
    assert pages.num_results_per_page == 2
    assert pages.last_page == 400
    for n, found in enumerate(pages, 1):
        assert len(found) == 2
        if n == 2:
            break
    results = bria.search.text("cats", gallery_id="g", num_results_per_page=2).results()
    first = [next(results) for _ in range(3)]
    assert [r.visual_id for r in first] == ["v"] * 3
    assert sum(len(calls) for calls in mock_api.requests.values()) == 4
    assert len(bria.search.text("cats", gallery_id="g").page(3)) == 2


def test_results_are_saved_and_read_through_the_client(
    bria: Bria, mock_api: MockAPI, tmp_path: Path
) -> None:
    mock_api.post(GENERATE, payload=ANSWER)
    mock_api.get("https://cdn.test/a.png", body=b"\x89PNG\r\n\x1a\n-image", repeat=True)
    result = bria.images.generate("a fox", sync=True)
    (path,) = bria.save(result, tmp_path)
    assert path.read_bytes() == b"\x89PNG\r\n\x1a\n-image"
    assert bria.run(result.images[0].read()) == b"\x89PNG\r\n\x1a\n-image"


def test_a_callback_that_calls_the_client_back_fails_instead_of_deadlocking(
    mock_api: MockAPI,
) -> None:
    errors: list[BaseException] = []
    holder: list[Bria] = []

    def on_job(event: ba.JobEvent) -> None:
        try:
            holder[0].visuals.caption("vis1")
        except ClientStateError as exc:
            errors.append(exc)

    mock_api.get(CAPTION, payload={"results": ["a caption"]}, repeat=True)
    mock_api.post(GENERATE, payload=ANSWER)
    with Bria(TOKEN, base_url=BASE_URL, hooks=ba.Hooks(on_job=on_job)) as bria:
        holder.append(bria)
        assert bria.images.generate("a fox", sync=True).urls == ("https://cdn.test/a.png",)
    assert errors
    assert all("running event loop" in str(e) for e in errors)
    assert threading.active_count() >= 1


def test_the_raw_views_generator_finds_a_namespace_it_was_not_told_of(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def vehicle(self: Any) -> V2Product:
        return V2Product(self._client)

    found = cached_property(vehicle)
    found.__set_name__(product.Product, "vehicle")
    monkeypatch.setattr(product.Product, "vehicle", found, raising=False)
    assert _generate_raw.tree()[V2Product] == "product.vehicle"  # found first there
    source = _generate_raw.async_source()
    assert "def vehicle(self) -> AsyncProductVehicleWithRawResponse:" in source
    assert "integrate = raw_job(V2Product.integrate)" in source
