"""bria.objects.info / mask_generator / remove: exact requests, parsing, the mask zip read
safely (zip-slip, duplicates, zip bombs), and every validation rule."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

import bria_async as ba
import bria_async._zip
from bria_async import BriaClient
from tests.conftest import BASE_URL, TOKEN, MockAPI

VID = "92bf8ce17584de82"
PNG = b"\x89PNG\r\n\x1a\n"
ZIP_URL = "https://storage.test/masks/92bf8ce17584de82.zip"


def sent(mock_api: MockAPI, method: str, url: str) -> Any:
    (call,) = mock_api.requests[(method, URL(url))]
    return call.kwargs


def make_zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we plant
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return out.getvalue()


def mask_zip() -> bytes:
    index = [
        {
            "mask_id": 1,
            "file": f"{VID}_1.png",
            "label": "cup",
            "bbox": [0, 0, 9, 9],
            "object_id": "obj-1",
        },
        {"mask_id": 2, "file": f"{VID}_2.png", "label": "background", "bbox": [10, 0, 19, 9]},
    ]
    return make_zip(
        [
            (f"{VID}_2.png", PNG + b"two"),
            (f"{VID}_1.png", PNG + b"one"),
            (f"{VID}_panoptic.png", PNG + b"pan"),
            (f"{VID}_masks.json", json.dumps(index).encode()),
        ]
    )


# --- objects.info (41) -------------------------------------------------------------------
OBJECTS = [
    {
        "id": "obj-1",
        "type": "object",
        "labels": ["cup"],
        "rect": [1, 2, 3, 4],
        "actions": {"remove": True},
        "oracle": {"remove": True},
        "new": 1,
    },
    {"id": "obj-2"},
]


async def test_info_gets_the_objects_of_a_visual(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/objects/info"
    mock_api.get(url, payload=OBJECTS)
    info = await client.objects.info(VID)
    kwargs = sent(mock_api, "GET", url)
    assert kwargs["headers"]["api_token"] == TOKEN
    assert kwargs["json"] is None
    assert info.visual_id == VID
    first, second = info
    assert (first.id, first.labels, first.rect, first.oracle) == (
        "obj-1",
        ("cup",),
        (1, 2, 3, 4),
        {"remove": True},
    )
    assert first.extra == {"new": 1}
    assert second.id == "obj-2"
    assert second.labels is None
    assert len(info) == 2


async def test_info_calls_again_while_the_visual_is_onboarding(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/objects/info"
    mock_api.get(url, status=205)
    mock_api.get(url, status=205)
    mock_api.get(url, payload=OBJECTS)
    info = await client.objects.info(VID)
    assert len(mock_api.requests[("GET", URL(url))]) == 3
    assert [o.id for o in info] == ["obj-1", "obj-2"]


async def test_info_of_an_unknown_visual_raises_not_found(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(
        f"{BASE_URL}/nope/objects/info",
        status=404,
        payload={"error": "Specified Image does not exist."},
    )
    with pytest.raises(ba.NotFoundError, match="does not exist"):
        await client.objects.info("nope")


@pytest.mark.parametrize("visual_id", ["", " ", "a/b", "..", None])
async def test_every_objects_route_refuses_an_empty_or_unsafe_visual_id(
    client: BriaClient, visual_id: Any
) -> None:
    for method in (client.objects.info, client.objects.mask_generator):
        with pytest.raises(ba.ValidationError, match="visual_id"):
            await method(visual_id)  # a Job's method refuses it at once, a direct one as awaited
    with pytest.raises(ba.ValidationError, match="visual_id"):
        await client.objects.remove(visual_id, object_ids=["o"])


# --- objects.mask_generator (42) -----------------------------------------------------------
async def test_mask_generator_downloads_the_zip_without_the_token_and_parses_it(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    url = f"{BASE_URL}/{VID}/objects/mask_generator"
    mock_api.post(url, payload={"objects_masks": ZIP_URL})
    mock_api.get(ZIP_URL, body=mask_zip(), content_type="application/zip")
    masks = await client.objects.mask_generator(VID)
    assert sent(mock_api, "POST", url)["headers"]["api_token"] == TOKEN
    assert "api_token" not in (sent(mock_api, "GET", ZIP_URL).get("headers") or {})
    assert [(m.mask_id, m.png, m.label, m.bbox) for m in masks] == [
        (1, PNG + b"one", "cup", (0, 0, 9, 9)),
        (2, PNG + b"two", "background", (10, 0, 19, 9)),
    ]
    assert masks.get(1).extra == {"object_id": "obj-1"}
    assert masks.panoptic_map == PNG + b"pan"
    assert masks.visual_id == VID
    assert masks.url == ZIP_URL
    paths = await masks.save(tmp_path)
    assert [p.name for p in paths] == [f"{VID}_1.png", f"{VID}_2.png", f"{VID}_panoptic.png"]
    assert paths[0].read_bytes() == PNG + b"one"
    again = await masks.save(tmp_path)  # never overwrites
    assert again[0].name == f"{VID}_1-1.png"


async def test_mask_generator_reads_a_zip_answered_directly(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/objects/mask_generator"
    mock_api.post(url, body=mask_zip(), content_type="application/zip")
    masks = await client.objects.mask_generator(VID)
    assert [m.mask_id for m in masks] == [1, 2]
    assert masks.url is None


async def test_mask_generator_without_an_index_still_gives_every_mask(
    client: BriaClient, mock_api: MockAPI
) -> None:
    data = make_zip([(f"{VID}_7.png", PNG), (f"{VID}_panoptic", b"map")])
    mock_api.post(f"{BASE_URL}/{VID}/objects/mask_generator", body=data)
    masks = await client.objects.mask_generator(VID)
    assert [(m.mask_id, m.label) for m in masks] == [(7, None)]
    assert masks.panoptic_map == b"map"


@pytest.mark.parametrize(
    "evil",
    [
        "../escape_1.png",
        "/etc/evil_1.png",
        "..\\evil_1.png",
        "C:evil_1.png",
        "sub/x_1.png",
        f"{VID}_1.png",
    ],
)
async def test_mask_generator_refuses_a_zip_with_unsafe_or_repeated_names(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path, evil: str
) -> None:
    data = make_zip([(f"{VID}_1.png", PNG), (evil, PNG + b"evil")])
    mock_api.post(f"{BASE_URL}/{VID}/objects/mask_generator", payload={"objects_masks": ZIP_URL})
    mock_api.get(ZIP_URL, body=data)
    before = set(tmp_path.parent.iterdir())
    with pytest.raises(ba.APIResponseValidationError) as info:
        await client.objects.mask_generator(VID)
    assert repr(evil) in str(info.value.__cause__)
    assert set(tmp_path.parent.iterdir()) == before
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (f"{VID}_1.png", f"{VID.upper()}_1.PNG"),
        ("a_1.png", "A_1.PNG"),
        ("a_1.png", "b_01.png"),
        (f"{VID}_panoptic.png", f"{VID}_PANOPTIC"),
    ],
)
async def test_mask_generator_refuses_a_zip_giving_one_mask_twice(
    client: BriaClient, mock_api: MockAPI, first: str, second: str
) -> None:
    data = make_zip([(f"{VID}_2.png", PNG), (first, PNG + b"a"), (second, PNG + b"b")])
    mock_api.post(f"{BASE_URL}/{VID}/objects/mask_generator", payload={"objects_masks": ZIP_URL})
    mock_api.get(ZIP_URL, body=data)
    with pytest.raises(ba.APIResponseValidationError) as info:
        await client.objects.mask_generator(VID)
    assert repr(first) in str(info.value.__cause__)
    assert repr(second) in str(info.value.__cause__)


async def test_mask_generator_refuses_a_zip_that_unpacks_too_big(
    client: BriaClient, mock_api: MockAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bria_async._zip, "MAX_UNZIPPED_BYTES", 10_000)
    data = make_zip([(f"{VID}_1.png", b"\0" * 6_000), (f"{VID}_2.png", b"\0" * 6_000)])
    assert len(data) < 1_000
    mock_api.post(f"{BASE_URL}/{VID}/objects/mask_generator", body=data)
    with pytest.raises(ba.APIResponseValidationError, match="unexpected answer"):
        await client.objects.mask_generator(VID)


async def test_mask_generator_fails_the_job_on_a_body_that_is_no_zip(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{BASE_URL}/{VID}/objects/mask_generator", payload={"other": 1})
    with pytest.raises(ba.APIResponseValidationError, match="unexpected answer"):
        await client.objects.mask_generator(VID)


async def test_mask_generator_answers_its_masks_with_no_job(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{BASE_URL}/{VID}/objects/mask_generator", body=mask_zip(), repeat=True)
    call = client.objects.mask_generator(VID)
    assert not isinstance(call, ba.Job)
    masks = await call
    assert [m.png for m in await client.objects.mask_generator(VID)] == [m.png for m in masks]


# --- objects.remove (43) -------------------------------------------------------------------
REMOVE_URL = f"{BASE_URL}/{VID}/objects/remove"
EDITED = {"result_url": "https://storage.test/edited.png", "sid": "sid-2", "extra_field": 1}


@pytest.mark.parametrize(
    ("kwargs", "changes"),
    [
        ({"object_ids": ["obj-1", "obj-2"]}, [{"id": "obj-1"}, {"id": "obj-2"}]),
        (
            {"mask_ids": [3, 5]},
            [
                {"mask_id": 3, "mask_source": "generated"},
                {"mask_id": 5, "mask_source": "generated"},
            ],
        ),
        ({"mask_url": "https://cdn.test/mask.png"}, [{"mask_url": "https://cdn.test/mask.png"}]),
        ({"points": [(10, 20), [30, 40]]}, [{"positive_points": [[10, 20], [30, 40]]}]),
    ],
)
async def test_remove_sends_each_way_of_naming_the_area(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], changes: list[Any]
) -> None:
    mock_api.post(REMOVE_URL, payload=EDITED)
    result = await client.objects.remove(VID, **kwargs)
    request = sent(mock_api, "POST", REMOVE_URL)
    assert request["json"] == {"changes": changes}
    assert request["params"] is None
    assert result.url == "https://storage.test/edited.png"
    assert result.sid == "sid-2"
    assert result.extra == {"extra_field": 1}


async def test_remove_sends_every_option(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{REMOVE_URL}?desired_resolution=uhd&original_quality=true"
    mock_api.post(url, payload=EDITED)
    await client.objects.remove(
        VID,
        mask_ids=[1],
        sid="sid-1",
        enhance=True,
        desired_resolution="uhd",
        original_quality=True,
    )
    request = sent(mock_api, "POST", url)
    assert request["params"] == {"desired_resolution": "uhd", "original_quality": "true"}
    assert request["json"] == {
        "changes": [{"mask_id": 1, "mask_source": "generated"}],
        "sid": "sid-1",
        "enhance": True,
    }
    assert request["headers"]["api_token"] == TOKEN


async def test_remove_reports_the_server_refusal(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(REMOVE_URL, status=400, payload={"error": "invalid mask_id"})
    with pytest.raises(ba.BadRequestError, match="invalid mask_id"):
        await client.objects.remove(VID, mask_ids=[99])


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({}, "object_ids"),
        ({"object_ids": ["o"], "mask_ids": [1]}, "object_ids/mask_ids"),
        ({"mask_url": "https://x.test/m.png", "points": [[1, 2]]}, "mask_url/points"),
        ({"object_ids": []}, "object_ids"),
        ({"object_ids": "obj-1"}, "object_ids"),
        ({"object_ids": [""]}, "object_ids[0]"),
        ({"mask_ids": [0]}, "mask_ids[0]"),
        ({"mask_ids": [1, "2"]}, "mask_ids[1]"),
        ({"mask_url": "ftp://x.test/m.png"}, "mask_url"),
        ({"mask_url": ""}, "mask_url"),
        ({"points": [[1]]}, "points[0]"),
        ({"points": [[1, -2]]}, "points[0][1]"),
        ({"points": []}, "points"),
        ({"mask_ids": [1], "desired_resolution": "8k"}, "desired_resolution"),
        ({"mask_ids": [1], "original_quality": "yes"}, "original_quality"),
        ({"mask_ids": [1], "enhance": 1}, "enhance"),
        ({"mask_ids": [1], "sid": ""}, "sid"),
    ],
)
async def test_remove_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        await client.objects.remove(VID, **kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests


@pytest.mark.parametrize(
    ("resolution", "wire"),
    [("original", "original"), ("hd", "hd"), ("had", "hd"), ("uhd", "uhd")],
)
async def test_remove_sends_each_resolution_as_the_route_spells_it(
    client: BriaClient, mock_api: MockAPI, resolution: Any, wire: str
) -> None:
    mock_api.post(f"{REMOVE_URL}?desired_resolution={wire}", payload=EDITED)
    assert (
        await client.objects.remove(VID, object_ids=["o"], desired_resolution=resolution)
    ).sid == "sid-2"


async def test_remove_chains_from_a_previous_result(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(REMOVE_URL, payload=EDITED, repeat=True)
    first = await client.objects.remove(VID, mask_ids=[1])
    await client.objects.remove(VID, mask_ids=[2], sid=first)
    calls = mock_api.requests[("POST", URL(REMOVE_URL))]
    assert calls[1].kwargs["json"]["sid"] == "sid-2"
