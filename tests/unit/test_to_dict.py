"""Every public result type answers `to_dict()`: JSON-safe plain data (datetimes as ISO
strings, enums as their values, bytes as base64), unknown server fields merged back in."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import bria_async
from bria_async import (
    Caption,
    Dataset,
    DatasetImage,
    DatasetStatus,
    EditResult,
    Image,
    ImageResult,
    Mask,
    Masks,
    Model,
    ModelStatus,
    ObjectsInfo,
    PeopleInfo,
    ProductKeywords,
    RegisteredVisual,
    SceneObject,
    SearchPage,
    SearchResult,
    StatusEvent,
    UploadOutcome,
    UseCase,
    V2Error,
    V2Result,
    V2Status,
    VisualInfo,
)
from bria_async._converter import structure
from bria_async.types._serializable import Serializable

WHEN = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
IMAGE = Image(url="https://cdn.example.com/a.png", seed=7, sid="s1", extra={"nsfw": False})
OBJECT = SceneObject(id="o1", labels=("cat",), rect=(1, 2, 3, 4), actions={"remove": True})
V2 = V2Result(image_url="https://cdn.example.com/b.png", seed=3, request_id="r1", created_at=WHEN)
PNG = b"\x89PNG\r\n\x1a\n"

SAMPLES: dict[type, Any] = {
    Image: IMAGE,
    ImageResult: ImageResult(images=(IMAGE,), job_id="j1", created_at=WHEN, extra={"k": 1}),
    EditResult: EditResult(image=IMAGE, job_id="j2", created_at=WHEN),
    V2Result: V2,
    V2Error: V2Error(code=422, message="bad", details="no"),
    StatusEvent: StatusEvent(request_id="r1", status=V2Status.COMPLETED, result=V2),
    DatasetImage: DatasetImage(id=1, dataset_id=2, created_at=WHEN),
    Dataset: Dataset(
        id=2,
        status=DatasetStatus.DRAFT,
        use_case=UseCase.ILLUSTRATIVE_STYLE,
        images=(DatasetImage(id=1),),
        created_at=WHEN,
    ),
    UploadOutcome: UploadOutcome(input=Path("a.png"), error=ValueError("not a PNG")),
    Model: Model(id=3, status=ModelStatus.TRAINING, created_at=WHEN),
    SceneObject: OBJECT,
    ObjectsInfo: ObjectsInfo(visual_id="v1", objects=(OBJECT,)),
    PeopleInfo: PeopleInfo(visual_id="v1", people=(OBJECT,)),
    Mask: Mask(mask_id=1, png=PNG, label="cat", bbox=(0, 0, 2, 2)),
    Masks: Masks(
        visual_id="v1",
        masks=(Mask(mask_id=1, png=PNG),),
        panoptic_map=PNG,
        job_id="j3",
        created_at=WHEN,
    ),
    ProductKeywords: ProductKeywords(keywords=("shoe",), job_id="j4", created_at=WHEN),
    SearchResult: SearchResult(visual_id="v1", url="https://cdn.example.com/c.png", score=0.5),
    SearchPage: SearchPage(page=1, num_results_per_page=10, results=(SearchResult(),)),
    RegisteredVisual: RegisteredVisual(visual_id="v1", already_registered=True),
    VisualInfo: VisualInfo(visual_id="v1", org_width=10, org_height=20, scene=(OBJECT,)),
    Caption: Caption(visual_id="v1", caption="a cat"),
}


def test_every_public_result_type_is_serializable_and_sampled() -> None:
    results = {
        obj
        for name in bria_async.__all__
        if attrs.has(obj := getattr(bria_async, name))
        and obj.__module__.startswith("bria_async.types.")
    }
    assert results == set(SAMPLES)
    assert all(issubclass(cls, Serializable) for cls in results)


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda cls: cls.__name__)
def test_to_dict_survives_json(cls: type) -> None:
    data = SAMPLES[cls].to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert "_storage" not in data
    assert "storage" not in data


def test_what_to_dict_holds() -> None:
    result = SAMPLES[ImageResult].to_dict()
    assert result == {
        "images": [
            {
                "url": "https://cdn.example.com/a.png",
                "seed": 7,
                "uuid": None,
                "sid": "s1",
                "nsfw": False,
            }
        ],
        "job_id": "j1",
        "created_at": "2026-11-25T12:00:00+00:00",
        "k": 1,
    }
    dataset = SAMPLES[Dataset].to_dict()
    assert dataset["status"] == "draft"
    assert type(dataset["status"]) is str
    assert dataset["use_case"] == "illustrative_style"
    assert SAMPLES[Model].to_dict()["status"] == "Training In Progress"
    assert SAMPLES[StatusEvent].to_dict()["status"] == "COMPLETED"
    masks = SAMPLES[Masks].to_dict()
    assert base64.b64decode(masks["panoptic_map"]) == PNG
    assert base64.b64decode(masks["masks"][0]["png"]) == PNG
    outcome = SAMPLES[UploadOutcome].to_dict()
    assert outcome["input"] == "a.png"
    assert outcome["error"] == {"type": "ValueError", "message": "not a PNG"}


@pytest.mark.parametrize("cls", [Image, Dataset, Model, DatasetImage, VisualInfo])
def test_to_dict_structures_back_to_an_equal_result(cls: type) -> None:
    sample = SAMPLES[cls]
    assert structure(json.loads(json.dumps(sample.to_dict())), cls) == sample
