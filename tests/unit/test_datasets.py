"""bria.datasets: the exact requests of routes 11-19 and their parsing."""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
from pathlib import Path
from typing import Any

import pytest
from aioresponses import CallbackResult
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, Dataset, DatasetImage, DatasetStatus, UseCase
from tests.conftest import BASE_URL, TOKEN, MockAPI, _StandInStreamWriterResponse

DATASETS = f"{BASE_URL}/tailored-gen/datasets"
IMAGE: dict[str, Any] = {
    "id": 501,
    "dataset_id": 123,
    "caption": "A vibrant 2D illustration of a sunny day with children playing in a park.",
    "file_name": "Illustration1.png",
    "image_url": "https://example.com/image1.png",
    "thumbnail_url": "https://example.com/image1_thumbnail.png",
    "created_at": "2024-05-26T12:00:00Z",
}
DATASET = {
    "id": 123,
    "use_case": "illustrative_style",
    "style_description": "A 2d vibrant and colorful flat illustration.",
    "name": "My Illustrations",
    "status": "draft",
    "images_count": 0,
    "images": [],
    "created_at": "2024-05-26T12:00:00Z",
    "updated_at": None,
}


def sent(mock_api: MockAPI, method: str, url: str) -> Any:
    (call,) = mock_api.requests[(method, URL(url))]
    return call.kwargs


async def test_create_posts_the_documented_fields(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.post(DATASETS, status=201, payload=DATASET)
    dataset = await client.datasets.create(
        use_case=UseCase.ILLUSTRATIVE_STYLE,
        style_description="A 2d vibrant and colorful flat illustration.",
        name="My Illustrations",
    )
    kwargs = sent(mock_api, "POST", DATASETS)
    assert kwargs["json"] == {
        "use_case": "illustrative_style",
        "style_description": "A 2d vibrant and colorful flat illustration.",
        "name": "My Illustrations",
    }
    assert kwargs["headers"]["api_token"] == TOKEN
    assert isinstance(dataset, Dataset)
    assert (dataset.id, dataset.status, dataset.use_case) == (
        123,
        DatasetStatus.DRAFT,
        UseCase.ILLUSTRATIVE_STYLE,
    )
    assert (dataset.images_count, dataset.images, dataset.updated_at) == (0, (), None)


async def test_create_takes_the_use_case_as_a_string_and_no_name(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(DATASETS, status=201, payload=DATASET)
    await client.datasets.create(use_case="illustrative_single_object", style_description="flat")
    assert sent(mock_api, "POST", DATASETS)["json"] == {
        "use_case": "illustrative_single_object",
        "style_description": "flat",
    }


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"use_case": "photo", "style_description": "x"}, "use_case"),
        ({"use_case": "illustrative_style", "style_description": ""}, "style_description"),
        ({"use_case": "illustrative_style", "style_description": "x", "name": ""}, "name"),
    ],
)
async def test_create_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        await client.datasets.create(**kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests


async def test_list_parses_datasets_and_keeps_unknown_fields_and_statuses(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(
        DATASETS,
        payload=[
            DATASET,
            {**DATASET, "id": 124, "status": "COMPLETED", "owner": "me"},
            {**DATASET, "id": 125, "status": "archived", "use_case": "icons"},
        ],
    )
    datasets = await client.datasets.list()
    assert [(d.id, d.status) for d in datasets] == [
        (123, DatasetStatus.DRAFT),
        (124, DatasetStatus.COMPLETED),
        (125, "archived"),
    ]
    assert datasets[1].extra == {"owner": "me"}
    assert datasets[2].use_case == "icons"


async def test_list_of_no_datasets_is_empty(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(DATASETS, payload=[])
    assert await client.datasets.list() == ()


async def test_retrieve_parses_the_dataset_with_its_images(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(f"{DATASETS}/123", payload={**DATASET, "images_count": 1, "images": [IMAGE]})
    dataset = await client.datasets.retrieve(123)
    (image,) = dataset.images
    assert image.id == 501
    assert image.file_name == "Illustration1.png"
    assert image.thumbnail_url == "https://example.com/image1_thumbnail.png"
    assert image.created_at is not None


async def test_update_sends_only_the_options_given(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.put(f"{DATASETS}/123", payload={**DATASET, "name": "New"})
    dataset = await client.datasets.update(123, name="New", style_description="flat")
    assert sent(mock_api, "PUT", f"{DATASETS}/123")["json"] == {
        "name": "New",
        "style_description": "flat",
    }
    assert dataset.name == "New"


async def test_complete_sends_the_status_as_the_reference_spells_it(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.put(f"{DATASETS}/123", payload={**DATASET, "status": "completed"})
    dataset = await client.datasets.complete(123)
    assert sent(mock_api, "PUT", f"{DATASETS}/123")["json"] == {"status": "COMPLETED"}
    assert dataset.status is DatasetStatus.COMPLETED


@pytest.mark.parametrize("status", [DatasetStatus.DRAFT, "draft", "DRAFT"])
async def test_a_return_to_draft_sends_the_status_as_the_server_spells_it(
    client: BriaClient, mock_api: MockAPI, status: Any
) -> None:
    mock_api.put(f"{DATASETS}/123", payload=DATASET)
    dataset = await client.datasets.update(123, status=status)
    assert sent(mock_api, "PUT", f"{DATASETS}/123")["json"] == {"status": "draft"}
    assert dataset.status is DatasetStatus.DRAFT


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({}, "update"),
        ({"status": "deleted"}, "status"),
        ({"use_case": "x"}, "use_case"),
        ({"name": ""}, "name"),
    ],
)
async def test_update_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        await client.datasets.update(123, **kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests


async def test_update_of_a_completed_dataset_is_a_conflict_with_the_server_message(
    client: BriaClient, mock_api: MockAPI
) -> None:
    message = "Cannot update use_case or style_description of a completed dataset."
    mock_api.put(f"{DATASETS}/123", status=409, payload={"error": message})
    with pytest.raises(ba.ConflictError, match=message) as info:
        await client.datasets.update(123, style_description="other")
    assert info.value.status == 409


async def test_delete_sends_delete_and_returns_none(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.delete(f"{DATASETS}/123", status=204)
    assert await client.datasets.delete(123) is None


async def test_a_missing_dataset_is_a_not_found_error(
    client: BriaClient, mock_api: MockAPI
) -> None:
    message = "Dataset with the specified ID does not exist."
    mock_api.get(f"{DATASETS}/9", status=404, payload={"error": message})
    with pytest.raises(ba.NotFoundError, match=message):
        await client.datasets.retrieve(9)


async def test_list_images_parses_every_image(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(f"{DATASETS}/123/images", payload=[IMAGE, {**IMAGE, "id": 502}])
    images = await client.datasets.list_images(123)
    assert [i.id for i in images] == [501, 502]
    assert all(isinstance(i, DatasetImage) for i in images)


async def test_retrieve_image_gets_it_by_both_ids(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(f"{DATASETS}/123/images/501", payload=IMAGE)
    image = await client.datasets.retrieve_image(123, 501)
    assert (image.id, image.dataset_id) == (501, 123)


async def test_delete_image_sends_delete_and_returns_none(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.delete(f"{DATASETS}/123/images/501", status=204)
    assert await client.datasets.delete_image(123, 501) is None


@pytest.mark.parametrize("bad", ["", " ", "a/b", None, 1.5])
@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("retrieve", ()),
        ("delete", ()),
        ("complete", ()),
        ("list_images", ()),
        ("retrieve_image", (1,)),
        ("delete_image", (1,)),
    ],
)
async def test_path_methods_refuse_an_empty_or_unsafe_dataset_id(
    client: BriaClient, mock_api: MockAPI, method: str, args: tuple[Any, ...], bad: Any
) -> None:
    with pytest.raises(ba.ValidationError, match="dataset_id"):
        await getattr(client.datasets, method)(bad, *args)
    assert not mock_api.requests


@pytest.mark.parametrize("method", ["retrieve_image", "delete_image"])
async def test_image_methods_refuse_an_empty_image_id(
    client: BriaClient, mock_api: MockAPI, method: str
) -> None:
    with pytest.raises(ba.ValidationError, match="image_id"):
        await getattr(client.datasets, method)(123, "")
    assert not mock_api.requests


PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + (16).to_bytes(4, "big") * 2 + b"\x08\x02" + b"\0" * 40


async def form_parts(form: Any) -> dict[str, tuple[str | None, str, bytes]]:
    """The parts of a multipart body: name -> (filename, content type, bytes)."""
    writer = form()
    assert writer.content_type.startswith("multipart/form-data")
    raw = b"Content-Type: " + writer.content_type.encode() + b"\r\n\r\n" + await writer.as_bytes()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str)
        assert isinstance(payload, bytes)
        parts[name] = (part.get_filename(), part.get_content_type(), payload)
    return parts


async def test_upload_image_sends_a_file_as_a_multipart_part(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    mock_api.post(f"{DATASETS}/123/images", status=201, payload=IMAGE)
    image = await client.datasets.upload_image(123, path)
    kwargs = sent(mock_api, "POST", f"{DATASETS}/123/images")
    assert kwargs["headers"]["api_token"] == TOKEN
    assert await form_parts(kwargs["data"]) == {"file": ("cat.png", "image/png", PNG)}
    assert image == DatasetImage(
        id=501,
        dataset_id=123,
        caption=IMAGE["caption"],
        file_name="Illustration1.png",
        image_url=IMAGE["image_url"],
        thumbnail_url=IMAGE["thumbnail_url"],
        created_at=image.created_at,
    )


async def test_upload_image_sends_a_url_and_its_name_as_multipart_fields(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{DATASETS}/123/images", status=201, payload=IMAGE)
    await client.datasets.upload_image(123, "https://example.com/a.png", image_name="A")
    parts = await form_parts(sent(mock_api, "POST", f"{DATASETS}/123/images")["data"])
    assert {name: value for name, (_, _, value) in parts.items()} == {
        "image_url": b"https://example.com/a.png",
        "image_name": b"A",
    }


async def test_upload_image_reads_the_url_encoded_answer_of_the_reference_sample(
    client: BriaClient, mock_api: MockAPI
) -> None:
    body = (
        "id=123&dataset_id=123&caption=A%20vibrant%202D%20illustration.&file_name="
        "Illustration1.png&image_url=https%3A%2F%2Fexample.com%2Fimage1.png&thumbnail_url="
        "https%3A%2F%2Fexample.com%2Fimage1_thumbnail.png&created_at=2024-05-26T12%3A00%3A00Z"
    )
    mock_api.post(
        f"{DATASETS}/123/images",
        status=201,
        body=body,
        content_type="application/x-www-form-urlencoded",
    )
    image = await client.datasets.upload_image(123, PNG)
    assert (image.id, image.dataset_id, image.caption) == (123, 123, "A vibrant 2D illustration.")
    assert image.image_url == "https://example.com/image1.png"
    assert image.created_at is not None


@pytest.mark.parametrize(
    ("image", "why"),
    [
        (b"GIF89a....", "not a PNG, JPEG or WEBP"),
        (b"", "empty"),
        (PNG + b"\0" * (12 * 1024 * 1024), "12.0 MB"),
        ("not/a/url.png", "http"),
        (Path("/nonexistent/cat.png"), "readable"),
    ],
)
async def test_upload_image_refuses_a_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, image: Any, why: str
) -> None:
    with pytest.raises(ba.ValidationError, match=why) as info:
        await client.datasets.upload_image(123, image)
    assert info.value.parameter == "image"
    assert not mock_api.requests


async def test_upload_images_reports_a_server_refusal_and_keeps_the_others(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(f"{DATASETS}/123", payload=DATASET)
    url = f"{DATASETS}/123/images"
    mock_api.post(url, status=201, payload=IMAGE)
    mock_api.post(url, status=415, payload={"error": "Unsupported Media Type: CMYK"})
    mock_api.post(url, status=201, payload={**IMAGE, "id": 502})
    progress: list[tuple[int, int, bool]] = []
    outcomes = await client.datasets.upload_images(
        123,
        [PNG, PNG, PNG],
        limit=1,
        on_progress=lambda done, total, outcome: progress.append((done, total, outcome.ok)),
    )
    assert [(o.ok, o.image.id if o.image else None) for o in outcomes] == [
        (True, 501),
        (False, None),
        (True, 502),
    ]
    error = outcomes[1].error
    assert isinstance(error, ba.UnsupportedMediaTypeError)
    assert "CMYK" in str(error)
    assert progress == [(1, 3, True), (2, 3, False), (3, 3, True)]


async def test_upload_images_of_nothing_only_checks_the_dataset(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(f"{DATASETS}/123", payload=DATASET)
    assert await client.datasets.upload_images(123, []) == []


async def test_upload_image_refuses_what_is_not_an_image_input_at_once(
    client: BriaClient, mock_api: MockAPI
) -> None:
    with pytest.raises(ba.ValidationError, match="http"):
        await client.datasets.upload_image(123, "cat.png")
    with pytest.raises(TypeError, match="binary file"):
        await client.datasets.upload_image(123, 42)  # type: ignore[arg-type]
    assert not mock_api.requests


@pytest.mark.parametrize(
    ("dataset_id", "inputs", "options", "parameter"),
    [
        ("", [PNG], {}, "dataset_id"),
        (123, [PNG], {"limit": 0}, "limit"),
        (123, "https://img.test/a.png", {}, "inputs"),
        (123, PNG, {}, "inputs"),
        (123, {"a.png": PNG}, {}, "inputs"),
        (123, [PNG], {"on_progress": "print"}, "on_progress"),
    ],
)
async def test_upload_images_refuses_bad_arguments_before_sending(
    client: BriaClient,
    mock_api: MockAPI,
    dataset_id: Any,
    inputs: Any,
    options: dict[str, Any],
    parameter: str,
) -> None:
    """A single input where an iterable of them belongs, or an on_progress that cannot be
    called, is refused before the dataset is even read."""
    with pytest.raises(ba.ValidationError) as info:
        await client.datasets.upload_images(dataset_id, inputs, **options)
    assert info.value.parameter == parameter
    assert not mock_api.requests


async def test_upload_images_keeps_at_most_limit_uploads_in_flight(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(f"{DATASETS}/123", payload=DATASET)
    in_flight = peak = 0

    async def answer(url: URL, **kwargs: Any) -> CallbackResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return CallbackResult(
            status=201, payload=IMAGE, response_class=_StandInStreamWriterResponse
        )

    mock_api.post(f"{DATASETS}/123/images", callback=answer, repeat=True)
    outcomes = await client.datasets.upload_images(123, [PNG] * 10, limit=3)
    assert all(o.ok for o in outcomes)
    assert peak == 3
