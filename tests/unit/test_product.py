"""bria.product: the exact JSON of every route (image_url or base64 file), parsing of direct
and sync=false answers, and every validation rule of the reference."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage
from yarl import URL

import bria_async as ba
from bria_async import BriaClient
from tests.conftest import BASE_URL, TOKEN, MockAPI

IMAGE_URL = "https://cdn.test/shoe.jpg"
DIRECT = {"result_url": "https://storage.test/cutout.png", "new": 1}
SHOTS = {
    "result": [
        ["https://storage.test/s1.png", 7, "sid-1"],
        {"urls": ["https://storage.test/s2.png"], "seed": 8},
    ]
}


def picture(fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (8, 6), "red").save(out, format=fmt)
    return out.getvalue()


def sent(mock_api: MockAPI, path: str) -> Any:
    (call,) = mock_api.requests[("POST", URL(f"{BASE_URL}{path}"))]
    return call.kwargs


def ready(mock_api: MockAPI, *urls: str) -> None:
    for url in urls:
        mock_api.get(url, status=206, body=b"\x89")


# --- cutout (26) and packshot (27) ---------------------------------------------------------
async def test_cutout_sends_an_image_url_and_parses_the_result(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{BASE_URL}/product/cutout", payload=DIRECT)
    result = await client.product.cutout(IMAGE_URL, sku="SKU-1")
    request = sent(mock_api, "/product/cutout")
    assert request["json"] == {"sku": "SKU-1", "image_url": IMAGE_URL}
    assert request["headers"]["api_token"] == TOKEN
    assert result.url == "https://storage.test/cutout.png"
    assert result.sid is None
    assert result.extra == {"new": 1}


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("kind", ["bytes", "path", "file"])
async def test_cutout_sends_a_local_image_as_base64_file(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path, fmt: str, kind: str
) -> None:
    data = picture(fmt)
    path = tmp_path / "shoe.img"
    path.write_bytes(data)
    mock_api.post(f"{BASE_URL}/product/cutout", payload=DIRECT)
    if kind == "file":
        with path.open("rb") as handle:
            await client.product.cutout(handle)
    else:
        await client.product.cutout(data if kind == "bytes" else path)
    assert sent(mock_api, "/product/cutout")["json"] == {
        "file": base64.b64encode(data).decode("ascii")
    }


async def test_cutout_refuses_unsupported_or_oversized_files_before_sending(
    client: BriaClient, mock_api: MockAPI
) -> None:
    with pytest.raises(ba.ValidationError, match="image"):
        await client.product.cutout(picture("GIF"))
    with pytest.raises(ba.ValidationError, match="image"):
        await client.product.cutout(picture() + b"\0" * (12 * 1024 * 1024))
    assert not mock_api.requests


@pytest.mark.parametrize("value", ["not a url", "file:///etc/passwd", "C:/shoe.jpg"])
async def test_a_string_that_is_no_url_is_refused_at_once(client: BriaClient, value: str) -> None:
    with pytest.raises(ba.ValidationError, match="image"):
        await client.product.cutout(value)
    with pytest.raises(ba.ValidationError, match="reference_image"):
        client.product.lifestyle_shot_by_image(IMAGE_URL, value)
    with pytest.raises(ba.ValidationError, match=r"images\[1\]"):
        client.product.consistent_shots([IMAGE_URL, value], scene_description="x")


async def test_an_object_that_is_no_image_input_is_a_type_error(client: BriaClient) -> None:
    with pytest.raises(TypeError, match="image"):
        await client.product.cutout(42)  # type: ignore[arg-type]


async def test_packshot_sends_the_background_colour(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(f"{BASE_URL}/product/packshot", payload=DIRECT, repeat=True)
    await client.product.packshot(IMAGE_URL, sku="S", background_color="#00ff00")
    result = await client.product.packshot(IMAGE_URL, background_color="transparent")
    calls = mock_api.requests[("POST", URL(f"{BASE_URL}/product/packshot"))]
    assert [c.kwargs["json"] for c in calls] == [
        {"sku": "S", "background_color": "#00ff00", "image_url": IMAGE_URL},
        {"background_color": "transparent", "image_url": IMAGE_URL},
    ]
    assert result.url == DIRECT["result_url"]


@pytest.mark.parametrize("colour", ["white", "#FFF", "FFFFFF", "#GGGGGG", "", 0xFFFFFF])
async def test_packshot_refuses_a_colour_that_is_not_hex_or_transparent(
    client: BriaClient, colour: Any
) -> None:
    with pytest.raises(ba.ValidationError, match="background_color"):
        await client.product.packshot(IMAGE_URL, background_color=colour)


async def test_product_errors_carry_the_status(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(
        f"{BASE_URL}/product/cutout", status=460, payload={"error": "Failed to download image."}
    )
    with pytest.raises(ba.ImageDownloadError, match="download"):
        await client.product.cutout(IMAGE_URL)


# --- lifestyle shot by text (28) -----------------------------------------------------------
async def test_lifestyle_by_text_polls_placeholders_of_objects_and_lists(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{BASE_URL}/product/lifestyle_shot_by_text", payload=SHOTS)
    ready(mock_api, "https://storage.test/s1.png", "https://storage.test/s2.png")
    job = await client.product.lifestyle_shot_by_text(IMAGE_URL, "on a beach").submit()
    assert job.urls == ("https://storage.test/s1.png", "https://storage.test/s2.png")
    result = await job
    assert [(i.url, i.seed, i.sid) for i in result.images] == [
        ("https://storage.test/s1.png", 7, "sid-1"),
        ("https://storage.test/s2.png", 8, None),
    ]
    assert sent(mock_api, "/product/lifestyle_shot_by_text")["json"] == {
        "scene_description": "on a beach",
        "sync": False,
        "image_url": IMAGE_URL,
    }


async def test_lifestyle_by_text_sends_every_parameter(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{BASE_URL}/product/lifestyle_shot_by_text", payload=SHOTS)
    ready(mock_api, "https://storage.test/s1.png", "https://storage.test/s2.png")
    await client.product.lifestyle_shot_by_text(
        picture(),
        "a kitchen",
        sku="S",
        fast=True,
        optimize_description=True,
        num_results=2,
        exclude_elements="people",
        placement_type="manual_placement",
        shot_size=[1200, 800],
        manual_placement_selection=["upper_left", "center_vertical"],
    )
    assert sent(mock_api, "/product/lifestyle_shot_by_text")["json"] == {
        "sku": "S",
        "scene_description": "a kitchen",
        "fast": True,
        "optimize_description": True,
        "exclude_elements": "people",
        "sync": False,
        "num_results": 2,
        "placement_type": "manual_placement",
        "shot_size": [1200, 800],
        "manual_placement_selection": ["upper_left", "center_vertical"],
        "file": base64.b64encode(picture()).decode("ascii"),
    }


async def test_lifestyle_sync_single_shot_is_done_with_the_response(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(
        f"{BASE_URL}/product/lifestyle_shot_by_text",
        payload={"result": [["https://storage.test/s1.png", 1, "sid"]]},
    )
    result = await client.product.lifestyle_shot_by_text(
        IMAGE_URL,
        "a desk",
        sync=True,
        placement_type="manual_padding",
        padding_values=[10, 20, 0, 5],
    )
    body = sent(mock_api, "/product/lifestyle_shot_by_text")["json"]
    assert body["padding_values"] == [10, 20, 0, 5]
    assert body["sync"] is True
    assert result.urls == ("https://storage.test/s1.png",)
    assert len(mock_api.requests) == 1  # no polling with sync=True


LIFESTYLE_INVALID = [
    ({"scene_description": ""}, "scene_description"),
    ({"placement_type": "random"}, "placement_type"),
    ({"num_results": 0}, "num_results"),
    ({"num_results": 1.5}, "num_results"),
    ({"sync": "yes"}, "sync"),
    ({"fast": 1}, "fast"),
    ({"optimize_description": "true"}, "optimize_description"),
    ({"exclude_elements": ""}, "exclude_elements"),
    ({"sku": ""}, "sku"),
    ({"placement_type": "automatic", "sync": True}, "sync"),
    ({"num_results": 2, "sync": True}, "sync"),
    (
        {
            "placement_type": "manual_placement",
            "sync": True,
            "manual_placement_selection": ["upper_left", "upper_right"],
        },
        "sync",
    ),
    (
        {"placement_type": "manual_placement", "manual_placement_selection": ["middle"]},
        "manual_placement_selection[0]",
    ),
    (
        {"placement_type": "manual_placement", "manual_placement_selection": []},
        "manual_placement_selection",
    ),
    (
        {"placement_type": "manual_placement", "manual_placement_selection": "upper_left"},
        "manual_placement_selection",
    ),
    ({"manual_placement_selection": ["upper_left"]}, "manual_placement_selection"),
    ({"placement_type": "manual_padding", "padding_values": [1, 2, 3]}, "padding_values"),
    ({"placement_type": "manual_padding", "padding_values": [1, 2, 3, -4]}, "padding_values[3]"),
    ({"placement_type": "manual_padding", "padding_values": [1, 2, 3, 4.0]}, "padding_values[3]"),
    ({"placement_type": "original", "padding_values": [0, 0, 0, 0]}, "padding_values"),
    ({"placement_type": "automatic", "shot_size": [1000]}, "shot_size"),
    ({"placement_type": "automatic", "shot_size": [1000, 0]}, "shot_size[1]"),
    ({"placement_type": "original", "shot_size": [1000, 1000]}, "shot_size"),
]


@pytest.mark.parametrize(("kwargs", "parameter"), LIFESTYLE_INVALID)
def test_lifestyle_by_text_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    kwargs = {"scene_description": "a beach", **kwargs}
    with pytest.raises(ba.ValidationError) as info:
        client.product.lifestyle_shot_by_text(IMAGE_URL, **kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests


@pytest.mark.parametrize("placement", ["upper_left", "center_horizontal", "bottom_center"])
async def test_lifestyle_accepts_each_documented_placement(
    client: BriaClient, mock_api: MockAPI, placement: Any
) -> None:
    mock_api.post(
        f"{BASE_URL}/product/lifestyle_shot_by_text",
        payload={"result": [["https://storage.test/s1.png", 1, "sid"]]},
    )
    await client.product.lifestyle_shot_by_text(
        IMAGE_URL,
        "a beach",
        sync=True,
        placement_type="manual_placement",
        manual_placement_selection=[placement],
    )
    body = sent(mock_api, "/product/lifestyle_shot_by_text")["json"]
    assert body["manual_placement_selection"] == [placement]


# --- lifestyle shot by image (29, soon) ----------------------------------------------------
async def test_lifestyle_by_image_sends_both_images(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(f"{BASE_URL}/product/lifestyle_shot_by_image", payload=SHOTS)
    ready(mock_api, "https://storage.test/s1.png", "https://storage.test/s2.png")
    result = await client.product.lifestyle_shot_by_image(
        IMAGE_URL, picture("JPEG"), sku="S", num_results=2, placement_type="original"
    )
    assert sent(mock_api, "/product/lifestyle_shot_by_image")["json"] == {
        "sku": "S",
        "sync": False,
        "num_results": 2,
        "placement_type": "original",
        "image_url": IMAGE_URL,
        "reference_image_file": base64.b64encode(picture("JPEG")).decode("ascii"),
    }
    assert len(result.images) == 2


@pytest.mark.parametrize("placement", ["automatic", "manual_placement"])
def test_lifestyle_by_image_needs_one_result_with_generated_placements(
    client: BriaClient, placement: Any
) -> None:
    with pytest.raises(ba.ValidationError, match="num_results"):
        client.product.lifestyle_shot_by_image(
            IMAGE_URL, IMAGE_URL, num_results=2, placement_type=placement
        )


# --- consistent shots (30, soon) and keywords (31, soon) ------------------------------------
async def test_consistent_shots_send_the_group_and_the_scene(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{BASE_URL}/products/consistent_shots", payload=SHOTS, repeat=True)
    ready(mock_api, "https://storage.test/s1.png", "https://storage.test/s2.png")
    ready(mock_api, "https://storage.test/s1.png", "https://storage.test/s2.png")
    await client.product.consistent_shots(
        [IMAGE_URL, "https://cdn.test/b.png"], scene_description="a shelf"
    )
    await client.product.consistent_shots(
        [picture(), picture("WEBP")], reference_image="https://cdn.test/ref.png"
    )
    calls = mock_api.requests[("POST", URL(f"{BASE_URL}/products/consistent_shots"))]
    assert calls[0].kwargs["json"] == {
        "scene_description": "a shelf",
        "image_urls": [IMAGE_URL, "https://cdn.test/b.png"],
    }
    assert calls[1].kwargs["json"] == {
        "files": [base64.b64encode(picture()).decode(), base64.b64encode(picture("WEBP")).decode()],
        "reference_image_url": "https://cdn.test/ref.png",
    }


@pytest.mark.parametrize(
    ("images", "kwargs", "parameter"),
    [
        ([], {"scene_description": "x"}, "images"),
        ([IMAGE_URL, b"raw"], {"scene_description": "x"}, "images"),
        ([IMAGE_URL], {}, "scene_description"),
        (
            [IMAGE_URL],
            {"scene_description": "x", "reference_image": IMAGE_URL},
            "scene_description",
        ),
    ],
)
def test_consistent_shots_refuse_bad_input(
    client: BriaClient, images: Any, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        client.product.consistent_shots(images, **kwargs)
    assert info.value.parameter == parameter


async def test_keyword_extraction_parses_the_keywords(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(
        f"{BASE_URL}/product/contextual_keyword_extraction",
        payload={"keywords": ["shoe", "leather"], "lang": "en"},
    )
    keywords = await client.product.contextual_keyword_extraction(IMAGE_URL)
    assert list(keywords) == ["shoe", "leather"]
    assert keywords.extra == {"lang": "en"}
    assert sent(mock_api, "/product/contextual_keyword_extraction")["json"] == {
        "image_url": IMAGE_URL
    }
