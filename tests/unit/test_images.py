"""bria.images.generate / generate_tailored: exact requests, parsing, and every validation rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

import bria_async as ba
from bria_async import BriaClient
from tests.conftest import BASE_URL, TOKEN, MockAPI

SYNC_ANSWER = {
    "result": [
        {"urls": ["https://storage.test/1.png"], "seed": 11, "uuid": "a", "new_field": 1},
        {"urls": ["https://storage.test/2.png"], "seed": 12, "uuid": "b"},
    ],
    "request_id": "r-1",
}


def sent(mock_api: MockAPI, url: str) -> Any:
    (call,) = mock_api.requests[("POST", URL(url))]
    return call.kwargs


async def test_generate_sends_every_parameter_as_documented(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/text-to-image/base/2.3"
    mock_api.post(url, payload=SYNC_ANSWER)
    result = await client.images.generate(
        "a red fox in snow",
        num_results=2,
        aspect_ratio="16:9",
        sync=True,
        seed=11,
        negative_prompt="people",
        steps_num=40,
        text_guidance_scale=7.5,
        medium="photography",
        prompt_enhancement=True,
    )
    kwargs = sent(mock_api, url)
    assert kwargs["json"] == {
        "prompt": "a red fox in snow",
        "sync": True,
        "num_results": 2,
        "aspect_ratio": "16:9",
        "seed": 11,
        "steps_num": 40,
        "negative_prompt": "people",
        "text_guidance_scale": 7.5,
        "medium": "photography",
        "prompt_enhancement": True,
    }
    assert kwargs["headers"]["api_token"] == TOKEN
    assert [(i.url, i.seed, i.uuid) for i in result.images] == [
        ("https://storage.test/1.png", 11, "a"),
        ("https://storage.test/2.png", 12, "b"),
    ]
    assert result.images[0].extra == {"new_field": 1}
    assert result.extra == {"request_id": "r-1"}


async def test_generate_leaves_unset_options_to_the_api(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/text-to-image/fast/2.3"
    mock_api.post(url, payload=SYNC_ANSWER)
    mock_api.get("https://storage.test/1.png", status=206, body=b"\x89")
    mock_api.get("https://storage.test/2.png", status=206, body=b"\x89")
    await client.images.generate("a fox", model="fast")
    assert sent(mock_api, url)["json"] == {"prompt": "a fox", "sync": False}


@pytest.mark.parametrize(("model", "version"), [("base", "2.3"), ("fast", "2.3"), ("hd", "2.2")])
async def test_each_model_uses_its_route_and_version(
    client: BriaClient, mock_api: MockAPI, model: Any, version: str
) -> None:
    url = f"{BASE_URL}/text-to-image/{model}/{version}"
    mock_api.post(url, payload=SYNC_ANSWER)
    await client.images.generate("a fox", model=model, sync=True, num_results=1)
    assert sent(mock_api, url)["json"]["num_results"] == 1


async def test_generate_tailored_puts_the_model_id_in_the_path(
    client: BriaClient, mock_api: MockAPI
) -> None:
    url = f"{BASE_URL}/text-to-image/tailored/77"
    mock_api.post(url, payload=SYNC_ANSWER)
    await client.images.generate_tailored(77, "an icon of a cat", steps_num=12, sync=True)
    assert sent(mock_api, url)["json"] == {
        "prompt": "an icon of a cat",
        "sync": True,
        "steps_num": 12,
    }


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"prompt": ""}, "prompt"),
    ({"prompt": 3}, "prompt"),
    ({"num_results": 0}, "num_results"),
    ({"num_results": 5}, "num_results"),
    ({"num_results": 2.0}, "num_results"),
    ({"aspect_ratio": "2:1"}, "aspect_ratio"),
    ({"steps_num": 19}, "steps_num"),
    ({"steps_num": 51}, "steps_num"),
    ({"model": "fast", "steps_num": 11}, "steps_num"),
    ({"model": "fast", "steps_num": 3}, "steps_num"),
    ({"model": "fast", "negative_prompt": "x"}, "negative_prompt"),
    ({"model": "fast", "text_guidance_scale": 5}, "text_guidance_scale"),
    ({"text_guidance_scale": 0.5}, "text_guidance_scale"),
    ({"text_guidance_scale": 10.5}, "text_guidance_scale"),
    ({"medium": "oil"}, "medium"),
    ({"seed": -1}, "seed"),
    ({"seed": True}, "seed"),
    ({"sync": "yes"}, "sync"),
    ({"prompt_enhancement": 1}, "prompt_enhancement"),
    ({"model": "ultra"}, "model"),
    ({"model": "fast", "model_version": "2.2"}, "model_version"),
    ({"model": "hd", "model_version": "2.3"}, "model_version"),
    ({"model": "hd", "sync": True, "num_results": 2}, "num_results"),
]


@pytest.mark.parametrize(("kwargs", "parameter"), INVALID)
async def test_generate_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    kwargs = {"prompt": "a fox", **kwargs}
    prompt = kwargs.pop("prompt")
    with pytest.raises(ba.ValidationError) as info:
        client.images.generate(prompt, **kwargs)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.parameter == parameter
    assert parameter in str(error)
    assert repr(kwargs.get(parameter, prompt)) in str(error)
    assert "expected" in str(error)
    assert not mock_api.requests


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"steps_num": 21}, "steps_num"),
        ({"steps_num": 3}, "steps_num"),
        ({"num_results": 9}, "num_results"),
    ],
)
def test_generate_tailored_refuses_bad_input(
    client: BriaClient, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError, match=parameter):
        client.images.generate_tailored("m1", "a cat", **kwargs)


@pytest.mark.parametrize("model_id", ["", " ", "../x", "a/b", None])
def test_generate_tailored_refuses_an_empty_or_unsafe_model_id(
    client: BriaClient, model_id: Any
) -> None:
    with pytest.raises(ba.ValidationError, match="model_id"):
        client.images.generate_tailored(model_id, "a cat")


async def test_save_writes_unique_safe_names_inside_the_directory(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    evil = "https://storage.test/..%2F..%2Fetc%2Fpasswd"
    answer = {"result": [{"urls": [evil], "seed": 1}, {"urls": [evil], "seed": 1}]}
    mock_api.post(f"{BASE_URL}/text-to-image/base/2.3", payload=answer)
    mock_api.get(evil, status=200, body=b"\x89PNG\r\n\x1a\nfake", repeat=True)
    result = await client.images.generate("a fox", sync=True, num_results=2)
    target = tmp_path / "out"
    (target / "existing").mkdir(parents=True)
    first = await result.save(target)
    second = await result.save(target)
    paths = first + second
    assert len(set(paths)) == 4
    for path in paths:
        assert path.parent == target.resolve()
        assert path.suffix == ".png"
        assert path.read_bytes() == b"\x89PNG\r\n\x1a\nfake"
    assert sorted(p.name for p in target.iterdir() if p.is_file()) == sorted(p.name for p in paths)


async def _one_image(
    client: BriaClient, mock_api: MockAPI, url: str, body: bytes
) -> ba.ImageResult:
    """A sync generation of one image at `url`, whose download answers `body`."""
    mock_api.post(
        f"{BASE_URL}/text-to-image/base/2.3", payload={"result": [{"urls": [url], "seed": 1}]}
    )
    mock_api.get(url, status=200, body=body)
    return await client.images.generate("a fox", sync=True, num_results=1)


async def test_image_save_with_a_hostile_name_stays_in_the_directory(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    result = await _one_image(client, mock_api, "https://storage.test/x", b"\xff\xd8\xffjpeg")
    path = await result.images[0].save(tmp_path, name="../../../../tmp/evil")
    assert path.parent == tmp_path.resolve()
    assert path.suffix == ".jpg"


async def test_save_leaves_no_temporary_or_partial_file(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    result = await _one_image(
        client, mock_api, "https://storage.test/y.png", b"\x89PNG\r\n\x1a\n" + b"x" * 1000
    )
    (path,) = await result.save(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


async def test_results_made_by_hand_say_they_cannot_download(tmp_path: Path) -> None:
    image = ba.Image(url="https://storage.test/a.png")
    now = dt.datetime.now(dt.timezone.utc)
    result = ba.ImageResult(images=(image,), job_id="j", created_at=now)
    for download in (image.read(), image.save(tmp_path), result.save(tmp_path)):
        with pytest.raises(ba.ClientStateError, match="not made by a BriaClient"):
            await download
