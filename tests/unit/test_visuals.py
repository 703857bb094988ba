"""bria.visuals: the exact request of each route, the parsed result, and every check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from yarl import URL

from bria_async import BriaClient, EditResult, Image, ValidationError
from tests.conftest import BASE_URL, TOKEN, MockAPI

VID = "8487fb411f3c6716"
RESULT = "https://storage.test/results/a.png"


def sent(mock_api: MockAPI, method: str, url: str) -> Any:
    calls = mock_api.requests.get((method, URL(url)))
    assert calls, list(mock_api.requests)
    (call,) = calls
    return call.kwargs


# --- register (32) ------------------------------------------------------------------------
async def test_register_posts_the_image_url_and_returns_the_visual_id(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/register"
    mock_api.post(url, payload={"visual_id": VID})
    visual = await client.visuals.register("https://img.test/a.jpg", is_private=False)
    kwargs = sent(mock_api, "POST", url)
    assert kwargs["headers"]["api_token"] == TOKEN
    assert kwargs["json"] == {"image_url": "https://img.test/a.jpg", "is_private": "false"}
    assert (visual.visual_id, visual.already_registered, str(visual)) == (VID, False, VID)


async def test_register_208_is_success_with_the_same_id(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{BASE_URL}/register", payload={"visual_id": VID}, status=208)
    visual = await client.visuals.register(org_image_key="sku-1")
    assert visual.visual_id == VID
    assert visual.already_registered
    assert sent(mock_api, "POST", f"{BASE_URL}/register")["json"] == {"org_image_key": "sku-1"}


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({}, "image_url"),
        ({"image_url": "not a url"}, "image_url"),
        ({"org_image_key": " "}, "org_image_key"),
        ({"image_url": "https://a.test/x.png", "is_private": "yes"}, "is_private"),
    ],
)
async def test_register_refuses_bad_input(
    client: BriaClient, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await client.visuals.register(**kwargs)
    assert info.value.parameter == parameter


# --- remove_image (33), info (34), caption (44) ------------------------------------------
async def test_remove_image_posts_to_the_visual(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/remove_image"
    mock_api.post(url, payload={"visual_id": VID, "status": "removed"})
    assert await client.visuals.remove_image(VID) is None
    assert sent(mock_api, "POST", url)["headers"]["api_token"] == TOKEN


async def test_info_calls_again_on_205_until_200(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/info?lean=true"
    mock_api.get(url, status=205, body=b"")
    mock_api.get(
        url, payload={"description": "A cup.", "org_width": 640, "org_height": 480, "new_field": 1}
    )
    info = await client.visuals.info(VID, lean=True)
    calls = mock_api.requests[("GET", URL(url))]
    assert len(calls) == 2
    assert calls[0].kwargs["params"] == {"lean": "true"}
    assert (info.visual_id, info.description, info.size, info.scene) == (
        VID,
        "A cup.",
        (640, 480),
        (),
    )
    assert info.extra == {"new_field": 1}


async def test_info_parses_the_scene(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/info"
    scene = [
        {
            "id": "bg",
            "type": "background",
            "labels": None,
            "rect": None,
            "actions": {"remove": True},
            "oracle": {"remove": False},
        }
    ]
    mock_api.get(url, payload={"description": "x", "scene": scene})
    info = await client.visuals.info(VID)
    assert sent(mock_api, "GET", url)["params"] is None
    assert info.scene[0].id == "bg"
    assert info.scene[0].oracle == {"remove": False}
    assert info.size is None


async def test_caption_reads_the_first_caption(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/caption"
    mock_api.get(url, payload={"results": [{"caption": "A red cup."}]})
    caption = await client.visuals.caption(VID)
    assert (str(caption), caption.visual_id) == ("A red cup.", VID)


async def test_empty_visual_ids_are_refused(client: BriaClient) -> None:
    for method in (
        client.visuals.info,
        client.visuals.caption,
        client.visuals.crop,
        client.visuals.remove_image,
        client.visuals.image_to_psd,
    ):
        with pytest.raises(ValidationError, match="visual_id"):
            await method("")  # a Job's method refuses it at once, a direct one as awaited


# --- edits: crop (10), image_to_psd (9), increase_resolution (8) ---------------------------
async def test_crop_sends_sid_of_a_previous_result_and_padding(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/background/remove?sid=s1"
    mock_api.post(url, payload={"result_url": RESULT, "sid": "s2"})
    removed = await client.background.remove_by_visual(VID, sid="s1")
    crop_url = f"{BASE_URL}/{VID}/crop?sid=s2"
    mock_api.post(crop_url, payload={"result_url": RESULT, "sid": "s3"})
    cropped = await client.visuals.crop(VID, sid=removed, padding=10)
    kwargs = sent(mock_api, "POST", crop_url)
    assert kwargs["params"] == {"sid": "s2"}
    assert kwargs["json"] == {"padding": 10}
    assert kwargs["headers"]["api_token"] == TOKEN
    assert isinstance(cropped, EditResult)
    assert (cropped.url, cropped.sid) == (RESULT, "s3")


async def test_image_to_psd_returns_the_psd_url(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/image_to_psd"
    mock_api.post(url, payload={"result_url": "https://storage.test/a.psd"})
    psd = await client.visuals.image_to_psd(VID)
    assert sent(mock_api, "POST", url)["params"] is None
    assert (psd.url, psd.sid) == ("https://storage.test/a.psd", None)


async def test_increase_resolution_sends_factor_and_sid(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/increase_resolution?desired_increase=4&sid=s1"
    mock_api.post(url, payload={"result_url": RESULT, "sid": "s2"})
    result = await client.visuals.increase_resolution(VID, sid="s1", desired_increase=4)
    assert sent(mock_api, "POST", url)["params"] == {"sid": "s1", "desired_increase": "4"}
    assert result.sid == "s2"


NO_SID = EditResult(
    image=Image(url=RESULT), job_id="j", created_at=dt.datetime.now(dt.timezone.utc)
)


@pytest.mark.parametrize("sid", ["", "  ", 5, NO_SID])
async def test_a_sid_must_be_a_string_or_a_result_with_one(client: BriaClient, sid: Any) -> None:
    with pytest.raises(ValidationError, match="sid"):
        await client.visuals.crop(VID, sid=sid)


@pytest.mark.parametrize("factor", [1, 3, 8, "2"])
async def test_increase_resolution_takes_2_or_4(client: BriaClient, factor: Any) -> None:
    with pytest.raises(ValidationError, match="desired_increase"):
        await client.visuals.increase_resolution(VID, desired_increase=factor)


async def test_crop_refuses_negative_padding(client: BriaClient) -> None:
    with pytest.raises(ValidationError, match="padding"):
        await client.visuals.crop(VID, padding=-1)


# --- image_expansion (6) ---------------------------------------------------------------------
async def test_image_expansion_sends_every_parameter(client: BriaClient, mock_api: MockAPI) -> None:
    url = f"{BASE_URL}/{VID}/image_expansion"
    mock_api.post(url, payload={"result_url": RESULT, "sid": "s9"})
    result = await client.visuals.image_expansion(
        VID,
        canvas_size=[2000, 1000],
        original_image_size=[800, 600],
        original_image_location=[-10, 100],
        prompt="a beach",
        negative_prompt="people",
        seed=7,
        sid="s1",
    )
    assert sent(mock_api, "POST", url)["json"] == {
        "canvas_size": [2000, 1000],
        "original_image_size": [800, 600],
        "original_image_location": [-10, 100],
        "prompt": "a beach",
        "negative_prompt": "people",
        "seed": 7,
        "sid": "s1",
    }
    assert result.sid == "s9"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"canvas_size": [5001, 5000]}, "canvas_size"),
        ({"canvas_size": [1000]}, "canvas_size"),
        ({"canvas_size": [0, 10]}, "canvas_size[0]"),
        ({"original_image_size": [387, 387]}, "original_image_size"),  # 14.98% of 1000x1000
        ({"canvas_size": [2000, 2000], "original_image_size": [700, 800]}, "original_image_size"),
        ({"original_image_location": [1, 2, 3]}, "original_image_location"),
        ({"prompt": ""}, "prompt"),
        ({"seed": -1}, "seed"),
    ],
)
async def test_image_expansion_checks_canvas_and_original(
    client: BriaClient, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await client.visuals.image_expansion(VID, **kwargs)
    assert info.value.parameter == parameter


# --- campaign_generator (5) ------------------------------------------------------------------
async def test_campaign_generator_sends_every_parameter_and_lists_ads(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/{VID}/campaign_generator"
    ads = [{"layout_id": "l1", "url": RESULT, "width": 1080, "height": 1080}]
    mock_api.post(url, payload={"ads": ads})
    result = await client.visuals.campaign_generator(
        VID,
        layout_ids=["l1"],
        sid="s1",
        preset_id="p",
        logo="https://a.test/logo.png",
        cta="https://a.test/cta.png",
        header1_text="Sale",
        header1_font="https://a.test/f.ttf",
        header1_size=40,
        header1_color="#FF0000",
        header2_text="Now",
        header2_font="https://a.test/g.ttf",
        header2_size=20,
        header2_color=[0, 0, 255],
        seed=3,
        background_type="solid",
        bg_seed=4,
        bg_color="#FFFFFF",
    )
    assert sent(mock_api, "POST", url)["json"] == {
        "layout_ids": ["l1"],
        "sid": "s1",
        "preset_id": "p",
        "logo": "https://a.test/logo.png",
        "cta": "https://a.test/cta.png",
        "header1_text": "Sale",
        "header1_font": "https://a.test/f.ttf",
        "header1_size": 40,
        "header1_color": "#FF0000",
        "header2_text": "Now",
        "header2_font": "https://a.test/g.ttf",
        "header2_size": 20,
        "header2_color": [0, 0, 255],
        "seed": 3,
        "background_type": "solid",
        "bg_seed": 4,
        "bg_color": "#FFFFFF",
    }
    (ad,) = result.images
    assert ad.url == RESULT
    assert ad.extra == {"layout_id": "l1", "width": 1080, "height": 1080}


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({}, "template_id"),
        ({"template_id": "t", "background_type": "blurred"}, "background_type"),
        ({"template_id": "t", "background_type": "generated"}, "bg_prompt"),
        ({"template_id": "t", "background_type": "solid"}, "bg_color"),
        ({"template_id": "t", "bg_color": "white"}, "bg_color"),
        ({"template_id": "t", "header1_color": [256, 0, 0]}, "header1_color[0]"),
        ({"template_id": "t", "header2_color": "red"}, "header2_color"),
        ({"template_id": "t", "logo": "logo.png"}, "logo"),
        ({"layout_ids": []}, "layout_ids"),
        ({"template_id": "t", "header1_size": 0}, "header1_size"),
    ],
)
async def test_campaign_generator_checks(
    client: BriaClient, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await client.visuals.campaign_generator(VID, **kwargs)
    assert info.value.parameter == parameter
