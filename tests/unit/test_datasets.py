"""bria.datasets: the exact requests of routes 11-19 and their parsing."""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, Dataset, DatasetImage, DatasetStatus, UseCase
from tests.conftest import BASE_URL, TOKEN, MockAPI

DATASETS = f"{BASE_URL}/tailored-gen/datasets"
IMAGE = {
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
        123, DatasetStatus.DRAFT, UseCase.ILLUSTRATIVE_STYLE,
    )
    assert (dataset.images_count, dataset.images, dataset.updated_at) == (0, (), None)


async def test_create_takes_the_use_case_as_a_string_and_no_name(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(DATASETS, status=201, payload=DATASET)
    await client.datasets.create(use_case="illustrative_single_object", style_description="flat")
    assert sent(mock_api, "POST", DATASETS)["json"] == {
        "use_case": "illustrative_single_object", "style_description": "flat",
    }


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"use_case": "photo", "style_description": "x"}, "use_case"),
        ({"use_case": "illustrative_style", "style_description": ""}, "style_description"),
        ({"use_case": "illustrative_style", "style_description": "x", "name": ""}, "name"),
    ],
)
def test_create_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        client.datasets.create(**kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests


async def test_list_parses_datasets_and_keeps_unknown_fields_and_statuses(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(DATASETS, payload=[
        DATASET, {**DATASET, "id": 124, "status": "COMPLETED", "owner": "me"},
        {**DATASET, "id": 125, "status": "archived", "use_case": "icons"},
    ])
    datasets = await client.datasets.list()
    assert [(d.id, d.status) for d in datasets] == [
        (123, DatasetStatus.DRAFT), (124, DatasetStatus.COMPLETED), (125, "archived"),
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
        "name": "New", "style_description": "flat",
    }
    assert dataset.name == "New"


async def test_complete_sends_the_status_as_the_reference_spells_it(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.put(f"{DATASETS}/123", payload={**DATASET, "status": "completed"})
    dataset = await client.datasets.complete(123)
    assert sent(mock_api, "PUT", f"{DATASETS}/123")["json"] == {"status": "COMPLETED"}
    assert dataset.status is DatasetStatus.COMPLETED


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [({}, "update"), ({"status": "deleted"}, "status"), ({"use_case": "x"}, "use_case"),
     ({"name": ""}, "name")],
)
def test_update_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        client.datasets.update(123, **kwargs)
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
    [("retrieve", ()), ("delete", ()), ("complete", ()), ("list_images", ()),
     ("retrieve_image", (1,)), ("delete_image", (1,))],
)
def test_path_methods_refuse_an_empty_or_unsafe_dataset_id(
    client: BriaClient, mock_api: MockAPI, method: str, args: tuple[Any, ...], bad: Any
) -> None:
    with pytest.raises(ba.ValidationError, match="dataset_id"):
        getattr(client.datasets, method)(bad, *args)
    assert not mock_api.requests


@pytest.mark.parametrize("method", ["retrieve_image", "delete_image"])
def test_image_methods_refuse_an_empty_image_id(
    client: BriaClient, mock_api: MockAPI, method: str
) -> None:
    with pytest.raises(ba.ValidationError, match="image_id"):
        getattr(client.datasets, method)(123, "")
    assert not mock_api.requests
