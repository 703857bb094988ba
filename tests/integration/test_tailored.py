"""Tailored generation on the emulator: the whole life cycle, bulk uploads, stopping a
training, and the documented conflicts (409, 412).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

import bria_async as ba
from bria_async import BriaClient, DatasetStatus, ModelStatus, UseCase
from bria_async.testing import Emulator


def uploads_seen(emulator: Emulator) -> int:
    """How many image uploads reached the emulator."""
    return sum(
        1 for r in emulator.counters.requests if r.method == "POST" and r.path.endswith("/images")
    )


def png(i: int, size: int = 16) -> bytes:
    """A small, real PNG that differs with `i`."""
    out = io.BytesIO()
    Image.new("RGB", (size, size), (i * 5 % 256, 100, 200)).save(out, format="PNG")
    return out.getvalue()


def png_files(directory: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = directory / f"img-{i:02}.png"
        path.write_bytes(png(i))
        paths.append(path)
    return paths


async def new_dataset(bria: BriaClient, images: int = 0, *, tmp: Path | None = None) -> int:
    dataset = await bria.datasets.create(use_case="illustrative_style", style_description="flat")
    if images:
        assert tmp is not None
        outcomes = await bria.datasets.upload_images(dataset.id, png_files(tmp, images))
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    return dataset.id


async def test_a_dataset_trains_a_model_that_generates_images(
    bria_client: BriaClient, tmp_path: Path
) -> None:
    dataset = await bria_client.datasets.create(
        use_case=UseCase.ILLUSTRATIVE_SINGLE_OBJECT, style_description="flat", name="Shapes"
    )
    assert dataset.status is DatasetStatus.DRAFT
    path = tmp_path / "a.png"
    path.write_bytes(png(1))
    with path.open("rb") as file_object:
        inputs: list[ba.ImageInput] = [
            path,
            png(2),
            "https://example.com/pics/c.png",
            file_object,
            *png_files(tmp_path, 3),
        ]
        outcomes = await bria_client.datasets.upload_images(dataset.id, inputs)
    assert [o.input for o in outcomes] == inputs
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    named = await bria_client.datasets.upload_image(dataset.id, png(9), image_name="nine.png")
    assert named.file_name == "nine.png"

    images = await bria_client.datasets.list_images(dataset.id)
    assert len(images) == 8
    assert (await bria_client.datasets.retrieve_image(dataset.id, named.id)) == named
    assert await bria_client.datasets.delete_image(dataset.id, named.id) is None
    with pytest.raises(ba.NotFoundError):
        await bria_client.datasets.retrieve_image(dataset.id, named.id)

    dataset = await bria_client.datasets.update(dataset.id, name="Flat shapes")
    assert (dataset.name, len(dataset.images)) == ("Flat shapes", 7)
    assert dataset.id in [d.id for d in await bria_client.datasets.list()]

    model = await bria_client.models.create(name="shapes", dataset_id=dataset.id, description="d")
    assert model.status is ModelStatus.CREATED
    assert (await bria_client.datasets.complete(dataset.id)).status is DatasetStatus.COMPLETED
    trained = await bria_client.models.start_training(model.id)
    assert (trained.id, trained.status, trained.trained) == (model.id, ModelStatus.COMPLETED, True)
    assert [m.id for m in await bria_client.models.list()] == [model.id]
    again = await bria_client.models.retrieve(model.id)
    assert (again.id, again.status, again.dataset_id) == (
        model.id,
        ModelStatus.COMPLETED,
        dataset.id,
    )

    result = await bria_client.images.generate_tailored(model.id, "a fox", num_results=2)
    assert len(result.images) == 2

    with pytest.raises(ba.ConflictError, match="Cannot delete a dataset"):
        await bria_client.datasets.delete(dataset.id)
    assert await bria_client.models.delete(model.id) is None
    with pytest.raises(ba.NotFoundError):
        await bria_client.models.retrieve(model.id)
    assert await bria_client.datasets.delete(dataset.id) is None
    with pytest.raises(ba.NotFoundError):
        await bria_client.datasets.retrieve(dataset.id)


async def test_fifty_uploads_with_three_bad_files_upload_the_other_forty_seven(
    bria_client: BriaClient, bria_emulator: Emulator, tmp_path: Path
) -> None:
    dataset_id = await new_dataset(bria_client)
    inputs: list[ba.ImageInput] = list(png_files(tmp_path, 47))
    text = tmp_path / "notes.png"
    text.write_text("not an image at all")
    huge = png(0) + b"\0" * (12 * 1024 * 1024)
    missing = tmp_path / "missing.png"
    inputs[5:5] = [text]
    inputs[20:20] = [huge]
    inputs[40:40] = [missing]
    seen: list[tuple[int, int]] = []

    outcomes = await bria_client.datasets.upload_images(
        dataset_id, inputs, limit=8, on_progress=lambda done, total, _: seen.append((done, total))
    )

    assert [o.input for o in outcomes] == inputs
    bad = {i: o.error for i, o in enumerate(outcomes) if not o.ok}
    assert sorted(bad) == [5, 20, 40]
    assert all(isinstance(e, ba.ValidationError) for e in bad.values())
    assert "notes.png" in str(bad[5])
    assert "12" in str(bad[20])
    assert "missing.png" in str(bad[40])
    assert len(await bria_client.datasets.list_images(dataset_id)) == 47
    assert uploads_seen(bria_emulator) == 47
    assert seen == [(n, 50) for n in range(1, 51)]


async def test_uploading_to_a_completed_dataset_is_refused_before_any_upload(
    bria_client: BriaClient, bria_emulator: Emulator, tmp_path: Path
) -> None:
    dataset_id = await new_dataset(bria_client, 5, tmp=tmp_path)
    await bria_client.datasets.complete(dataset_id)
    before = uploads_seen(bria_emulator)
    with pytest.raises(ba.ValidationError, match="completed"):
        await bria_client.datasets.upload_images(dataset_id, [png(1), png(2)])
    assert uploads_seen(bria_emulator) == before
    with pytest.raises(ba.ConflictError, match="Cannot add images"):
        await bria_client.datasets.upload_image(dataset_id, png(1))


async def test_uploading_to_a_missing_dataset_is_one_not_found_error(
    bria_client: BriaClient,
) -> None:
    with pytest.raises(ba.NotFoundError):
        await bria_client.datasets.upload_images(999_999, [png(1), png(2)])


async def test_stopping_a_training_fails_its_job_with_the_stopped_model(
    bria_client: BriaClient, bria_emulator: Emulator, tmp_path: Path
) -> None:
    bria_emulator.config.training_seconds = 60
    dataset_id = await new_dataset(bria_client, 5, tmp=tmp_path)
    model = await bria_client.models.create(name="m", dataset_id=dataset_id)
    await bria_client.datasets.complete(dataset_id)
    training = await bria_client.models.start_training(model.id).submit()
    stopped = await bria_client.models.stop_training(model.id)
    assert stopped.status is ModelStatus.STOPPED
    with pytest.raises(ba.JobFailedError, match="Stopped") as info:
        await training.wait(timeout=10)
    assert info.value.cause.status is ModelStatus.STOPPED
    with pytest.raises(ba.ConflictError, match="not training"):
        await bria_client.models.stop_training(model.id)


async def test_training_on_a_draft_dataset_is_a_precondition_error(
    bria_client: BriaClient, tmp_path: Path
) -> None:
    dataset_id = await new_dataset(bria_client, 5, tmp=tmp_path)
    model = await bria_client.models.create(name="m", dataset_id=dataset_id)
    with pytest.raises(ba.PreconditionFailedError, match="not completed") as info:
        await bria_client.models.start_training(model.id)
    assert info.value.status == 412


async def test_training_on_too_few_images_is_a_precondition_error(bria_client: BriaClient) -> None:
    dataset_id = await new_dataset(bria_client)
    await bria_client.datasets.upload_image(dataset_id, png(1))
    model = await bria_client.models.create(name="m", dataset_id=dataset_id)
    await bria_client.datasets.complete(dataset_id)
    with pytest.raises(ba.PreconditionFailedError, match="at least 5"):
        await bria_client.models.start_training(model.id)


async def test_conflicts_of_a_completed_dataset_and_a_training_model(
    bria_client: BriaClient, bria_emulator: Emulator, tmp_path: Path
) -> None:
    bria_emulator.config.training_seconds = 60
    dataset_id = await new_dataset(bria_client, 5, tmp=tmp_path)
    (image, *_) = await bria_client.datasets.list_images(dataset_id)
    model = await bria_client.models.create(name="m", dataset_id=dataset_id)
    await bria_client.datasets.complete(dataset_id)
    with pytest.raises(ba.ConflictError, match="completed dataset"):
        await bria_client.datasets.update(dataset_id, style_description="other")
    with pytest.raises(ba.ConflictError, match="Cannot delete images"):
        await bria_client.datasets.delete_image(dataset_id, image.id)

    training = await bria_client.models.start_training(model.id).submit()
    with pytest.raises(ba.ConflictError, match="cannot start training") as info:
        await bria_client.models.start_training(model.id)
    assert info.value.status == 409
    with pytest.raises(ba.ConflictError, match="Cannot delete a dataset"):
        await bria_client.datasets.delete(dataset_id)
    with pytest.raises(ba.ConflictError, match="draft"):
        await bria_client.datasets.update(dataset_id, status="draft")
    training.cancel()
