"""Tailored generation: datasets, their images, models and training (routes 11-25).

Statuses follow the reference: datasets "draft" -> "completed" (PUT status "COMPLETED",
any case), deleted datasets vanish (404); models "Created" -> "Training In Progress" ->
"Completed" (or "Failed", by `training_failure_rate`), or "Stopped". Conflicts: 409 for
editing a completed dataset's use_case/style_description, reverting it to draft once a
model was trained on it, changing its images once completed, deleting it while a model
trains or is ready, and training a model that is training or trained, or stopping one that
is not training; 412 for training on a dataset that is not completed or has fewer than
`min_dataset_images` images. Image upload answers 201 with the sample's fields as JSON.
"""

from __future__ import annotations

import time

from aiohttp import web

from ._results import PREFIX, ok, state_of
from ._state import (
    COMPLETED,
    DELETED,
    DRAFT,
    STOPPED,
    TRAINED,
    TRAINING,
    Dataset,
    DatasetImage,
    Model,
    now_iso,
)
from ._validate import Params, check_image_bytes, fail, json_body, read_form

__all__ = ["add_routes"]

USE_CASES = ("illustrative_style", "illustrative_single_object")
_BUSY = (TRAINING, TRAINED)


def _no_content() -> web.Response:
    return web.Response(status=204)


async def _create_dataset(request: web.Request) -> web.Response:
    state = state_of(request)
    params = Params(await json_body(request))
    use_case = params.enum("use_case", None, USE_CASES)
    if use_case is None:
        fail(400, "missing required parameter: use_case")
    style = params.string("style_description", required=True) or ""
    dataset_id = state.next_id()
    name = params.string("name") or f"Dataset {dataset_id}"
    dataset = Dataset(dataset_id, use_case, style, name)
    state.datasets[dataset_id] = dataset
    return ok(dataset.to_dict(), 201)


async def _list_datasets(request: web.Request) -> web.Response:
    datasets = state_of(request).datasets.values()
    return ok([d.to_dict() for d in datasets if d.status != DELETED])


async def _get_dataset(request: web.Request) -> web.Response:
    return ok(state_of(request).dataset(request.match_info["id"]).to_dict())


def _trained_on(request: web.Request, dataset: Dataset, statuses: tuple[str, ...]) -> Model | None:
    for model in state_of(request).models.values():
        model.refresh()
        if model.dataset_id == dataset.id and model.status in statuses:
            return model
    return None


async def _update_dataset(request: web.Request) -> web.Response:
    dataset = state_of(request).dataset(request.match_info["id"])
    params = Params(await json_body(request))
    use_case = params.enum("use_case", None, USE_CASES)
    style = params.string("style_description")
    name = params.string("name")
    status = params.string("status")
    if status is not None and status.lower() not in (COMPLETED, DRAFT):
        fail(400, f"invalid status: {status!r}; allowed: COMPLETED")
    if dataset.status == COMPLETED and (use_case is not None or style is not None):
        fail(409, "Cannot update use_case or style_description of a completed dataset.")
    if status is not None and status.lower() == DRAFT and dataset.status == COMPLETED:
        model = _trained_on(request, dataset, (TRAINING, TRAINED))
        if model is not None:
            fail(409, f"Cannot return the dataset to draft: model {model.id} was trained on it.")
    dataset.use_case = use_case or dataset.use_case
    dataset.style_description = style or dataset.style_description
    dataset.name = name or dataset.name
    dataset.status = status.lower() if status is not None else dataset.status
    dataset.updated_at = now_iso()
    return ok(dataset.to_dict())


async def _delete_dataset(request: web.Request) -> web.Response:
    dataset = state_of(request).dataset(request.match_info["id"])
    if _trained_on(request, dataset, _BUSY) is not None:
        fail(
            409,
            "Cannot delete a dataset that is used by a model that is in training or has the "
            "status 'ready'.",
        )
    dataset.status = DELETED
    return _no_content()


async def _upload_image(request: web.Request) -> web.Response:
    state = state_of(request)
    dataset = state.dataset(request.match_info["dataset_id"])
    fields = await read_form(request)
    params = Params(fields)
    image_url = params.url("image_url")
    image_name = params.string("image_name")
    image_id = state.next_id()
    if image_url is None:
        data = fields.get("file")
        if not isinstance(data, bytes) or not data:
            fail(400, "missing required parameter: file or image_url")
        kind = check_image_bytes("file", data, ("jpeg", "png", "webp"))
        file_name = image_name or f"image_{image_id}.{kind}"
        image_url = state.storage.add_blob(data, f".{kind}", f"image/{kind}").url
    else:
        file_name = image_name or image_url.rstrip("/").rpartition("/")[2] or f"image_{image_id}"
    if dataset.status != DRAFT:
        fail(409, f"Cannot add images to dataset {dataset.id}: its status is {dataset.status!r}.")
    image = DatasetImage(image_id, dataset.id, file_name, image_url)
    dataset.images[image_id] = image
    return ok(image.to_dict(), 201)


async def _list_images(request: web.Request) -> web.Response:
    dataset = state_of(request).dataset(request.match_info["dataset_id"])
    return ok([image.to_dict() for image in dataset.images.values()])


def _image(request: web.Request) -> tuple[Dataset, DatasetImage]:
    dataset = state_of(request).dataset(request.match_info["dataset_id"])
    raw = request.match_info["image_id"]
    image = dataset.images.get(int(raw)) if raw.isdigit() else None
    if image is None:
        fail(404, f"Image with the specified ID does not exist: {raw}")
    return dataset, image


async def _get_image(request: web.Request) -> web.Response:
    return ok(_image(request)[1].to_dict())


async def _delete_image(request: web.Request) -> web.Response:
    dataset, image = _image(request)
    if dataset.status != DRAFT:
        fail(
            409, f"Cannot delete images of dataset {dataset.id}: its status is {dataset.status!r}."
        )
    del dataset.images[image.id]
    return _no_content()


async def _create_model(request: web.Request) -> web.Response:
    state = state_of(request)
    params = Params(await json_body(request))
    name = params.string("name", required=True) or ""
    description = params.string("description") or ""
    dataset_id = params.integer("dataset_id", required=True)
    dataset = state.dataset(str(dataset_id))
    model = Model(state.next_id(), name, description, dataset.id)
    state.models[model.id] = model
    return ok(model.to_dict(), 201)


async def _list_models(request: web.Request) -> web.Response:
    return ok([model.to_dict() for model in state_of(request).models.values()])


async def _get_model(request: web.Request) -> web.Response:
    return ok(state_of(request).model(request.match_info["id"]).to_dict())


async def _delete_model(request: web.Request) -> web.Response:
    state = state_of(request)
    model = state.model(request.match_info["id"])
    del state.models[model.id]
    return _no_content()


async def _start_training(request: web.Request) -> web.Response:
    state = state_of(request)
    model = state.model(request.match_info["id"])
    if model.status in _BUSY:
        fail(409, f"Model {model.id} cannot start training: its status is {model.status!r}.")
    dataset = state.datasets.get(model.dataset_id)
    if dataset is None or dataset.status != COMPLETED:
        status = dataset.status if dataset else "missing"
        fail(412, f"Dataset {model.dataset_id} is not completed (status {status!r}).")
    minimum = state.config.min_dataset_images
    if len(dataset.images) < minimum:
        fail(
            412,
            f"Dataset {dataset.id} has {len(dataset.images)} images; "
            f"at least {minimum} are required.",
        )
    model.status = TRAINING
    model.updated_at = now_iso()
    model.training_done_mono = time.monotonic() + state.config.training_seconds
    failed = state.rng.random() < state.config.training_failure_rate
    model.training_outcome = "Failed" if failed else TRAINED
    return ok({"id": model.id, "status": model.status})


async def _stop_training(request: web.Request) -> web.Response:
    model = state_of(request).model(request.match_info["id"])
    if model.status != TRAINING:
        fail(409, f"Model {model.id} is not training: its status is {model.status!r}.")
    model.status = STOPPED
    model.updated_at = now_iso()
    return ok({"id": model.id, "status": model.status})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes under /v1."""
    datasets = f"{PREFIX}/tailored-gen/datasets"
    router.add_post(datasets, _create_dataset)
    router.add_get(datasets, _list_datasets)
    router.add_get(f"{datasets}/{{id}}", _get_dataset)
    router.add_put(f"{datasets}/{{id}}", _update_dataset)
    router.add_delete(f"{datasets}/{{id}}", _delete_dataset)
    router.add_post(f"{datasets}/{{dataset_id}}/images", _upload_image)
    router.add_get(f"{datasets}/{{dataset_id}}/images", _list_images)
    router.add_get(f"{datasets}/{{dataset_id}}/images/{{image_id}}", _get_image)
    router.add_delete(f"{datasets}/{{dataset_id}}/images/{{image_id}}", _delete_image)
    models = f"{PREFIX}/tailored-gen/models"
    router.add_post(models, _create_model)
    router.add_get(models, _list_models)
    router.add_get(f"{models}/{{id}}", _get_model)
    router.add_delete(f"{models}/{{id}}", _delete_model)
    router.add_post(f"{models}/{{id}}/start_training", _start_training)
    router.add_post(f"{models}/{{id}}/stop_training", _stop_training)
