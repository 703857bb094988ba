"""bria.background and bria.person and bria.images.upscale: exact requests (multipart, form,
base64 JSON, query), parsed results, and every check."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image as PILImage
from yarl import URL

from bria_async import BriaClient, IncompleteRequestError, ValidationError
from tests.conftest import BASE_URL, TOKEN, MockAPI

VID = "f49943971e3039c7"
RESULT = "https://storage.test/results/a.png"


def sent(mock_api: MockAPI, method: str, url: str) -> Any:
    (call,) = mock_api.requests[(method, URL(url))]
    return call.kwargs


def png(size: tuple[int, int] = (300, 240), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    PILImage.new(mode, size).save(out, format="PNG")
    return out.getvalue()


def form_fields(form: aiohttp.FormData) -> list[tuple[dict[str, str], dict[str, str], Any]]:
    return list(form._fields)


# --- background.info (35) ------------------------------------------------------------------
async def test_info_calls_again_on_205(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/background/info"
    mock_api.get(url, status=205, body=b"")
    mock_api.get(
        url,
        payload={
            "id": "bg1",
            "type": "background",
            "labels": None,
            "rect": None,
            "actions": {"blur": True},
            "oracle": {"blur": True},
        },
    )
    info = await client.background.info(VID)
    assert len(mock_api.requests[("GET", URL(url))]) == 2
    assert (info.id, info.type, info.actions) == ("bg1", "background", {"blur": True})


# --- background.remove isolated (36) --------------------------------------------------------
async def test_remove_uploads_a_file_as_multipart(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    path = tmp_path / "shoe.png"
    path.write_bytes(png())
    url = f"{BASE_URL}/background/remove"
    mock_api.post(url, payload={"result_url": RESULT})
    result = await client.background.remove(path)
    kwargs = sent(mock_api, "POST", url)
    assert kwargs["headers"]["api_token"] == TOKEN
    ((disposition, headers, value),) = form_fields(kwargs["data"])
    assert disposition == {"name": "file", "filename": "shoe.png"}
    assert headers["Content-Type"] == "image/png"
    assert value == path.read_bytes()
    assert (result.url, result.sid) == (RESULT, None)


async def test_remove_sends_a_url_as_a_form_field(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/background/remove"
    mock_api.post(url, payload={"result_url": RESULT})
    await client.background.remove("https://img.test/a.jpg")
    form = sent(mock_api, "POST", url)["data"]
    assert form().content_type == "application/x-www-form-urlencoded"
    assert form_fields(form)[0][2] == "https://img.test/a.jpg"


async def test_remove_206_is_an_incomplete_request(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(
        f"{BASE_URL}/background/remove",
        status=206,
        payload={"error": "File value was not provided."},
    )
    with pytest.raises(IncompleteRequestError):
        await client.background.remove(png())


async def test_remove_refuses_webp_palette_and_big_files_before_sending(
    client: BriaClient, mock_api: MockAPI
) -> None:
    webp = io.BytesIO()
    PILImage.new("RGB", (300, 300)).save(webp, format="WEBP")
    for data, match in (
        (webp.getvalue(), "JPEG or PNG"),
        (png(mode="P"), "colour mode P"),
        (png() + b"\0" * 13_000_000, "at most 12.0 MB"),
    ):
        with pytest.raises(ValidationError, match=match):
            await client.background.remove(data)
    assert not mock_api.requests


async def test_remove_refuses_a_non_url_string_at_once(client: BriaClient) -> None:
    with pytest.raises(ValidationError, match=r"pathlib\.Path"):
        await client.background.remove("shoe.png")


# --- remove by visual (37), blur (38) -------------------------------------------------------
async def test_remove_by_visual_sends_every_query_parameter(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/background/remove?desired_resolution=hd&original_quality=true&sid=s1"
    mock_api.post(url, payload={"result_url": RESULT, "sid": "s2"})
    result = await client.background.remove_by_visual(
        VID,
        sid="s1",
        desired_resolution="had",  # type: ignore[arg-type]  # the reference's typo
        original_quality=True,
    )
    kwargs = sent(mock_api, "POST", url)
    assert kwargs["params"] == {"sid": "s1", "desired_resolution": "hd", "original_quality": "true"}
    assert kwargs["headers"]["api_token"] == TOKEN
    assert result.sid == "s2"


async def test_blur_sends_scale_sid_and_resolution(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/background/blur?desired_resolution=uhd&scale=3&sid=s1"
    mock_api.post(url, payload={"result_url": RESULT, "sid": "s2"})
    result = await client.background.blur(VID, scale=3, sid="s1", desired_resolution="uhd")
    assert sent(mock_api, "POST", url)["params"] == {
        "sid": "s1",
        "scale": "3",
        "desired_resolution": "uhd",
    }
    assert result.sid == "s2"


@pytest.mark.parametrize("scale", [0, 6, 2.5, True])
async def test_blur_scale_is_1_to_5(client: BriaClient, scale: Any) -> None:
    with pytest.raises(ValidationError, match="scale"):
        await client.background.blur(VID, scale=scale)


@pytest.mark.parametrize("resolution", ["4k", "HD", ""])
async def test_desired_resolution_is_an_enum(client: BriaClient, resolution: Any) -> None:
    with pytest.raises(ValidationError, match="desired_resolution"):
        await client.background.remove_by_visual(VID, desired_resolution=resolution)
    with pytest.raises(ValidationError, match="desired_resolution"):
        await client.person.modify(VID, [{"id": "p"}], desired_resolution=resolution)


# --- replace isolated (39), replace_bg (40) -------------------------------------------------
async def test_replace_sends_base64_and_polls_placeholders(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/background/replace"
    placeholder = "https://storage.test/p/1.png"
    mock_api.post(url, payload={"result": [[placeholder, 11, "s1"]]})
    mock_api.get(placeholder, status=404)
    mock_api.get(placeholder, body=png(), headers={"Content-Type": "image/png"})
    data = png()
    result = await client.background.replace(
        data,
        "in a parking lot",
        fast=True,
        refine_prompt=True,
        num_results=1,
        negative_prompt="cars",
        seed=5,
    )
    assert sent(mock_api, "POST", url)["json"] == {
        "file": base64.b64encode(data).decode(),
        "bg_prompt": "in a parking lot",
        "sync": False,
        "fast": True,
        "refine_prompt": True,
        "num_results": 1,
        "negative_prompt": "cars",
        "seed": 5,
    }
    (image,) = result.images
    assert (image.url, image.seed, image.sid) == (placeholder, 11, "s1")


async def test_replace_bg_sends_sid_and_hd_as_hd(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/replace_bg"
    mock_api.post(url, payload={"result": [[RESULT, 1, "s2"]]})
    result = await client.background.replace_bg(
        VID,
        "on a beach",
        sync=True,
        num_results=1,
        sid="s1",
        desired_resolution="hd",
        fast=False,
    )
    assert sent(mock_api, "POST", url)["json"] == {
        "bg_prompt": "on a beach",
        "sync": True,
        "fast": False,
        "sid": "s1",
        "desired_resolution": "hd",
        "num_results": 1,
    }
    assert [image.sid for image in result.images] == ["s2"]


async def test_replace_bg_with_sync_asks_for_one_image_not_the_default_four(
    client: BriaClient, mock_api: MockAPI
) -> None:
    """Route 40's num_results defaults to 4, and more than one result needs sync=false."""
    url = f"{BASE_URL}/{VID}/replace_bg"
    mock_api.post(url, payload={"result": [[RESULT, 1, "s2"]]})
    (image,) = (await client.background.replace_bg(VID, "on a beach", sync=True)).images
    assert sent(mock_api, "POST", url)["json"] == {
        "bg_prompt": "on a beach",
        "sync": True,
        "num_results": 1,
    }
    assert image.sid == "s2"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"bg_prompt": ""}, "bg_prompt"),
        ({"num_results": 0}, "num_results"),
        ({"num_results": 2, "sync": True}, "num_results"),
        ({"seed": -1}, "seed"),
        ({"fast": "yes"}, "fast"),
        ({"sync": None}, "sync"),
    ],
)
async def test_background_generation_checks(
    client: BriaClient, kwargs: dict[str, Any], parameter: str
) -> None:
    args = {"bg_prompt": "x", **kwargs}
    with pytest.raises(ValidationError) as info:
        client.background.replace_bg(VID, **args)
    assert info.value.parameter == parameter
    with pytest.raises(ValidationError):
        client.background.replace("https://img.test/a.png", **args)


# --- person (47, 48) -------------------------------------------------------------------------
async def test_person_info_lists_the_people(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/person/info"
    mock_api.get(url, status=205, body=b"")
    mock_api.get(
        url,
        payload=[
            {
                "id": "p1",
                "type": "person",
                "labels": ["woman"],
                "actions": {"age": ["young"]},
                "description": "smiling",
            }
        ],
    )
    info = await client.person.info(VID)
    (person,) = info
    assert (info.visual_id, person.id, person.actions) == (VID, "p1", {"age": ["young"]})
    assert person.extra == {"description": "smiling"}


async def test_person_modify_sends_changes_sid_and_resolution(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/create"
    mock_api.post(url, payload={"result_url": RESULT, "sid": "s2"})
    changes = [{"id": "p1", "expression": "happy", "age": "senior"}]
    result = await client.person.modify(VID, changes, sid="s1", desired_resolution="xga")
    kwargs = sent(mock_api, "POST", url)
    assert kwargs["json"] == {"changes": changes, "sid": "s1", "desired_resolution": "xga"}
    assert kwargs["headers"]["api_token"] == TOKEN
    assert result.sid == "s2"


@pytest.mark.parametrize("resolution", ["hd", "had"])
async def test_hd_is_sent_as_hd_where_the_reference_enum_says_had(
    client: BriaClient, mock_api: MockAPI, resolution: Any
) -> None:
    """Routes 40, 43 and 48 list "had" (a typo: 37 and 38 say "hd"); both send "hd"."""
    replace_bg, create = f"{BASE_URL}/{VID}/replace_bg", f"{BASE_URL}/{VID}/create"
    mock_api.post(replace_bg, payload={"result": [[RESULT, 1, "s2"]]})
    mock_api.post(create, payload={"result_url": RESULT, "sid": "s2"})
    await client.background.replace_bg(
        VID, "a beach", sync=True, num_results=1, desired_resolution=resolution
    )
    await client.person.modify(VID, [{"id": "p1"}], desired_resolution=resolution)
    assert sent(mock_api, "POST", replace_bg)["json"]["desired_resolution"] == "hd"
    assert sent(mock_api, "POST", create)["json"]["desired_resolution"] == "hd"


@pytest.mark.parametrize("changes", [[], [{}], [{"id": ""}], ["p1"], None])
async def test_person_modify_needs_changes_with_person_ids(
    client: BriaClient, changes: Any
) -> None:
    with pytest.raises(ValidationError, match="changes"):
        await client.person.modify(VID, changes)


# --- images.upscale (7) ----------------------------------------------------------------------
async def test_upscale_uploads_the_file_with_the_factor(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/image/increase_resolution?desired_increase=4"
    mock_api.post(url, payload={"result_url": RESULT})
    data = png((400, 300))
    result = await client.images.upscale(io.BytesIO(data), desired_increase=4)
    kwargs = sent(mock_api, "POST", url)
    assert kwargs["params"] == {"desired_increase": "4"}
    ((disposition, headers, value),) = form_fields(kwargs["data"])
    assert (disposition["name"], headers["Content-Type"], value) == ("file", "image/png", data)
    assert result.url == RESULT


async def test_upscale_sends_urls_as_image_url(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/image/increase_resolution?desired_increase=2"
    mock_api.post(url, payload={"result_url": RESULT})
    await client.images.upscale("https://img.test/a.png")
    assert form_fields(sent(mock_api, "POST", url)["data"])[0][0] == {"name": "image_url"}


@pytest.mark.parametrize(
    ("size", "factor", "parameter"),
    [
        ((215, 400), 2, "image"),
        ((4097, 4096), 2, "desired_increase"),
        ((2049, 2048), 4, "desired_increase"),
    ],
)
async def test_upscale_checks_the_size_read_from_the_header(
    client: BriaClient, mock_api: MockAPI, size: tuple[int, int], factor: Any, parameter: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await client.images.upscale(png(size), desired_increase=factor)
    assert info.value.parameter == parameter
    assert not mock_api.requests


@pytest.mark.parametrize("factor", [3, 1, None])
async def test_upscale_factor_is_2_or_4(client: BriaClient, factor: Any) -> None:
    with pytest.raises(ValidationError, match="desired_increase"):
        await client.images.upscale(b"", desired_increase=factor)
