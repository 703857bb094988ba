"""bria.models: the exact requests of routes 20-25, their parsing, and the training Job."""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

import bria_async as ba
from bria_async import BriaClient, Model, ModelStatus
from tests.conftest import BASE_URL, TOKEN, MockAPI

MODELS = f"{BASE_URL}/tailored-gen/models"
MODEL: dict[str, Any] = {
    "id": 123,
    "name": "My Model",
    "description": "This model is designed for generating illustrative style images.",
    "status": "Created",
    "dataset_id": 77,
    "created_at": "2024-05-26T12:00:00Z",
}


def sent(mock_api: MockAPI, method: str, url: str) -> Any:
    (call,) = mock_api.requests[(method, URL(url))]
    return call.kwargs


async def test_create_posts_name_dataset_and_description(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(MODELS, status=201, payload=MODEL)
    model = await client.models.create(name="My Model", dataset_id=77, description="illustrations")
    kwargs = sent(mock_api, "POST", MODELS)
    assert kwargs["json"] == {"name": "My Model", "dataset_id": 77, "description": "illustrations"}
    assert kwargs["headers"]["api_token"] == TOKEN
    assert model == Model(
        id=123,
        name="My Model",
        description=MODEL["description"],
        status=ModelStatus.CREATED,
        dataset_id=77,
        created_at=model.created_at,
    )
    assert model.created_at is not None
    assert model.created_at.isoformat() == "2024-05-26T12:00:00+00:00"
    assert not model.trained


async def test_create_leaves_out_a_missing_description(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(MODELS, status=201, payload=MODEL)
    await client.models.create(name="m", dataset_id=77)
    assert sent(mock_api, "POST", MODELS)["json"] == {"name": "m", "dataset_id": 77}


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"name": "", "dataset_id": 1}, "name"),
        ({"name": "m", "dataset_id": None}, "dataset_id"),
        ({"name": "m", "dataset_id": "7"}, "dataset_id"),
        ({"name": "m", "dataset_id": -1}, "dataset_id"),
        ({"name": "m", "dataset_id": 1, "description": " "}, "description"),
    ],
)
async def test_create_refuses_bad_input_before_sending(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ba.ValidationError) as info:
        await client.models.create(**kwargs)
    assert info.value.parameter == parameter
    assert not mock_api.requests


async def test_list_parses_every_model_and_keeps_unknown_fields(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(MODELS, payload=[MODEL, {**MODEL, "id": 124, "status": "Ready", "new": 1}])
    models = await client.models.list()
    assert [(m.id, m.status) for m in models] == [
        (123, ModelStatus.CREATED),
        (124, ModelStatus.COMPLETED),
    ]
    assert models[1].extra == {"new": 1}
    assert models[1].trained


async def test_list_of_no_models_is_empty(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.get(MODELS, payload=[])
    assert await client.models.list() == ()


async def test_retrieve_gets_the_model_by_id_and_keeps_an_unknown_status(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": "Queued"})
    model = await client.models.retrieve(123)
    assert model.status == "Queued"
    assert sent(mock_api, "GET", f"{MODELS}/123")["json"] is None


@pytest.mark.parametrize(
    ("spelling", "status"),
    [
        ("Training In Progress", ModelStatus.TRAINING),
        ("IN_PROGRESS", ModelStatus.TRAINING),
        ("completed", ModelStatus.COMPLETED),
        ("Failed", ModelStatus.FAILED),
        ("stopped", ModelStatus.STOPPED),
        ("Created", ModelStatus.CREATED),
    ],
)
async def test_model_status_accepts_the_server_spellings(
    client: BriaClient, mock_api: MockAPI, spelling: str, status: ModelStatus
) -> None:
    mock_api.get(f"{MODELS}/5", payload={"id": 5, "status": spelling})
    assert (await client.models.retrieve(5)).status is status


async def test_delete_sends_delete_and_returns_none(client: BriaClient, mock_api: MockAPI) -> None:
    mock_api.delete(f"{MODELS}/123", status=204)
    assert await client.models.delete(123) is None


async def test_a_missing_model_is_a_not_found_error_with_the_server_message(
    client: BriaClient, mock_api: MockAPI
) -> None:
    message = "Model with the specified ID does not exist."
    mock_api.get(f"{MODELS}/9", status=404, payload={"error": message})
    with pytest.raises(ba.NotFoundError, match=message):
        await client.models.retrieve(9)


@pytest.mark.parametrize("method", ["retrieve", "delete", "start_training", "stop_training"])
@pytest.mark.parametrize("model_id", ["", " ", "a/b", None, True])
async def test_path_methods_refuse_an_empty_or_unsafe_model_id(
    client: BriaClient, mock_api: MockAPI, method: str, model_id: Any
) -> None:
    with pytest.raises(ba.ValidationError, match="model_id"):
        await getattr(client.models, method)(model_id)
    assert not mock_api.requests


async def test_start_training_follows_the_model_until_it_is_trained(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(
        f"{MODELS}/123/start_training", payload={"id": 123, "status": "Training In Progress"}
    )
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": "Training In Progress"})
    mock_api.get(f"{MODELS}/123", status=503)
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": "Completed"})
    model = await client.models.start_training(123)
    assert model.status is ModelStatus.COMPLETED
    assert model.name == "My Model"
    assert sent(mock_api, "POST", f"{MODELS}/123/start_training")["json"] is None
    assert len(mock_api.requests[("GET", URL(f"{MODELS}/123"))]) == 3


async def test_training_outlives_a_status_look_that_fails_after_every_retry(
    client: BriaClient, mock_api: MockAPI, caplog: pytest.LogCaptureFixture
) -> None:
    mock_api.post(
        f"{MODELS}/123/start_training", payload={"id": 123, "status": "Training In Progress"}
    )
    for _ in range(client.settings.retries.max_attempts):
        mock_api.get(f"{MODELS}/123", status=503)
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": "Completed"})
    model = await client.models.start_training(123)
    assert model.status is ModelStatus.COMPLETED
    assert "could not read its status" in caplog.text


async def test_a_wait_that_ends_during_training_says_the_status_is_not_final_yet(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(
        f"{MODELS}/123/start_training", payload={"id": 123, "status": "Training In Progress"}
    )
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": "Training In Progress"}, repeat=True)
    job = client.models.start_training(123)
    with pytest.raises(ba.JobTimeoutError) as info:
        await job.wait(timeout=0.3)
    assert str(info.value).startswith(f"job {job.id} not done after 0.3s")
    assert "still pending: models.start_training, whose status is not final yet" in str(info.value)
    assert info.value.pending_urls == ()
    job.cancel()


@pytest.mark.parametrize("status", ["Failed", "Stopped"])
async def test_training_that_ends_badly_fails_the_job_with_the_model(
    client: BriaClient, mock_api: MockAPI, status: str
) -> None:
    mock_api.post(
        f"{MODELS}/123/start_training", payload={"id": 123, "status": "Training In Progress"}
    )
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": status})
    job = client.models.start_training(123)
    with pytest.raises(ba.JobFailedError, match=f"model 123 ended with status '{status}'") as info:
        await job
    assert info.value.job_id == job.id
    assert isinstance(info.value.cause, Model)
    assert info.value.cause.status == status


async def test_training_job_resumes_from_its_token_without_starting_again(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(
        f"{MODELS}/123/start_training", payload={"id": 123, "status": "Training In Progress"}
    )
    mock_api.get(f"{MODELS}/123", payload={**MODEL, "status": "Completed"}, repeat=True)
    job = await client.models.start_training(123).submit()
    token = job.to_dict()
    job.cancel()
    resumed = client.jobs.resume(token)
    assert resumed.kind == "models.start_training"
    assert (await resumed).status is ModelStatus.COMPLETED
    assert len(mock_api.requests[("POST", URL(f"{MODELS}/123/start_training"))]) == 1


@pytest.mark.parametrize(
    ("status", "error"), [(409, ba.ConflictError), (412, ba.PreconditionFailedError)]
)
async def test_start_training_conflicts_carry_the_server_message(
    client: BriaClient, mock_api: MockAPI, status: int, error: type[Exception]
) -> None:
    message = "Dataset 77 is not completed."
    mock_api.post(f"{MODELS}/123/start_training", status=status, payload={"error": message})
    with pytest.raises(error, match=message):
        await client.models.start_training(123)
    assert len(mock_api.requests[("POST", URL(f"{MODELS}/123/start_training"))]) == 1


def test_training_waits_by_the_training_settings() -> None:
    polling = ba.PollSettings()
    assert polling.training_timeout >= 3 * 3600
    assert polling.training_interval <= 120


async def test_stop_training_posts_and_returns_the_stopped_model(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{MODELS}/123/stop_training", payload={"id": 123, "status": "Stopped"})
    model = await client.models.stop_training(123)
    assert (model.id, model.status) == (123, ModelStatus.STOPPED)


async def test_stop_training_answer_without_fields_still_names_the_model(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(f"{MODELS}/123/stop_training", payload={})
    model = await client.models.stop_training("123")
    assert (model.id, model.status) == (123, ModelStatus.STOPPED)


async def test_stop_training_of_an_idle_model_is_a_conflict(
    client: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(
        f"{MODELS}/123/stop_training", status=409, payload={"error": "Model 123 is not training"}
    )
    with pytest.raises(ba.ConflictError, match="not training"):
        await client.models.stop_training(123)
