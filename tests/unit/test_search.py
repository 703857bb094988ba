"""bria.search.text / similar: exact page requests, paging rules (last page, 800 results),
early exit, and every validation rule."""

from __future__ import annotations

import re
from typing import Any

import pytest
from yarl import URL

import bria_async as ba
from bria_async import BriaClient
from tests.conftest import BASE_URL, TOKEN, MockAPI

SEARCH = f"{BASE_URL}/search"
SIMILAR = f"{BASE_URL}/search_similar_images"


def results(n: int, start: int = 0) -> dict[str, Any]:
    return {
        "results": [
            {"visual_id": f"v{i}", "url": f"https://img.test/{i}.png", "score": 0.5, "new": i}
            for i in range(start, start + n)
        ]
    }


def requested(mock_api: MockAPI) -> list[dict[str, str]]:
    return [dict(url.query) for (method, url) in mock_api.requests if method == "GET"]


async def test_text_sends_each_page_request_as_documented(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(re.compile(r".*/search\?.*page=1.*"), payload=results(2))
    mock_api.get(re.compile(r".*/search\?.*page=2.*"), payload=results(1, 2))
    pages = [
        page
        async for page in client.search.text(
            "woman traveling",
            gallery_id=425,
            num_results_per_page=2,
            style="photo realistic",
            atmosphere="warm",
            camera="close up",
            medium="art",
        )
    ]
    assert [p.page for p in pages] == [1, 2]
    assert [r.visual_id for p in pages for r in p] == ["v0", "v1", "v2"]
    assert pages[0].results[0].extra == {"new": 0}
    assert pages[0].results[0].url == "https://img.test/0.png"
    assert requested(mock_api) == [
        {
            "query": "woman traveling",
            "style": "photo realistic",
            "atmosphere": "warm",
            "camera": "close up",
            "medium": "art",
            "gallery_id": "425",
            "page": str(n),
            "num_results_per_page": "2",
        }
        for n in (1, 2)
    ]
    first = next(iter(mock_api.requests.values()))[0]
    assert first.kwargs["headers"]["api_token"] == TOKEN


async def test_text_stops_at_an_empty_page(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(re.compile(r".*/search\?.*page=1.*"), payload=results(3))
    mock_api.get(re.compile(r".*/search\?.*page=2.*"), payload={"results": []})
    pages = [
        page async for page in client.search.text("cats", gallery_id="g", num_results_per_page=3)
    ]
    assert [len(p) for p in pages] == [3]
    assert len(requested(mock_api)) == 2


async def test_text_stops_after_800_results(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(re.compile(r".*/search\?.*"), payload=results(300), repeat=True)
    pages = [
        page async for page in client.search.text("cats", gallery_id="g", num_results_per_page=300)
    ]
    assert [p.page for p in pages] == [1, 2, 3]  # 3 x 300 covers the 800 the API serves
    assert len(requested(mock_api)) == 3


async def test_results_iterates_results_across_pages_and_breaks_cleanly(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(re.compile(r".*/search\?.*"), payload=results(2), repeat=True)
    seen = []
    async for result in client.search.text(
        "cats", gallery_id="g", num_results_per_page=2
    ).results():
        seen.append(result.visual_id)
        if len(seen) == 3:
            break
    assert seen == ["v0", "v1", "v0"]
    assert len(requested(mock_api)) == 2  # nothing fetched beyond what was consumed


async def test_breaking_out_of_pages_sends_no_more_requests(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(re.compile(r".*/search\?.*"), payload=results(5), repeat=True)
    pages = client.search.text("cats", gallery_id="g", num_results_per_page=5, page=4)
    async for page in pages:
        assert page.page == 4
        break
    await pages.aclose()
    assert [p async for p in pages] == []
    assert [q["page"] for q in requested(mock_api)] == ["4"]


async def test_one_page_is_a_direct_call(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(re.compile(r".*/search\?.*page=7.*"), payload=results(1))
    call = client.search.text("cats", gallery_id="g", num_results_per_page=10).page(7)
    assert not isinstance(call, ba.Job)
    page = await call
    assert (page.page, page.num_results_per_page, len(page)) == (7, 10, 1)


async def test_similar_sends_vhash_or_url(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(re.compile(r".*/search_similar_images\?.*"), payload=results(1), repeat=True)
    by_id = [p async for p in client.search.similar(vhash="e01592ef1188df76", gallery_id=425)]
    by_url = [
        p
        async for p in client.search.similar(
            url="https://img.test/q.jpg", gallery_id=425, num_results_per_page=100
        )
    ]
    assert len(by_id) == len(by_url) == 1
    assert requested(mock_api) == [
        {
            "vhash": "e01592ef1188df76",
            "gallery_id": "425",
            "page": "1",
            "num_results_per_page": "50",
        },
        {
            "url": "https://img.test/q.jpg",
            "gallery_id": "425",
            "page": "1",
            "num_results_per_page": "100",
        },
    ]
    assert all(url.path == URL(SIMILAR).path for (_, url) in mock_api.requests)


async def test_search_errors_surface_from_the_iteration(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(
        re.compile(r".*/search_similar_images\?.*"),
        status=404,
        payload={"error": "Specified Image does not exist."},
    )
    with pytest.raises(ba.NotFoundError, match="does not exist"):
        async for _ in client.search.similar(vhash="nope", gallery_id=1):
            pass


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"query": ""}, "query"),
        ({"gallery_id": ""}, "gallery_id"),
        ({"gallery_id": None}, "gallery_id"),
        ({"num_results_per_page": 0}, "num_results_per_page"),
        ({"num_results_per_page": 501}, "num_results_per_page"),
        ({"page": 0}, "page"),
        ({"num_results_per_page": 50, "page": 17}, "page"),
        ({"style": "noir"}, "style"),
        ({"atmosphere": "gloomy"}, "atmosphere"),
        ({"camera": "fisheye"}, "camera"),
        ({"medium": "video"}, "medium"),
    ],
)
def test_text_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    kwargs = {"query": "cats", "gallery_id": "g", **kwargs}
    with pytest.raises(ba.ValidationError) as info:
        client.search.text(kwargs.pop("query"), **kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({}, "vhash"),
        ({"vhash": "v", "url": "https://img.test/a.png"}, "vhash"),
        ({"vhash": "a/b"}, "vhash"),
        ({"url": "file:///etc/passwd"}, "url"),
        ({"vhash": "v", "num_results_per_page": 1000}, "num_results_per_page"),
    ],
)
def test_similar_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        client.search.similar(gallery_id="g", **kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests
