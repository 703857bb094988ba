"""Everything the emulator remembers between requests: visuals and their sids, datasets,
models and their training, v2 jobs, and the result storage.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import secrets
import time
from typing import Any

import attrs
from aiohttp import web

from ._config import EmulatorConfig
from ._counters import Counters
from ._jobs import Jobs
from ._limits import RateLimiting
from ._storage import Storage
from ._validate import fail

__all__ = ["STATE_KEY", "Dataset", "DatasetImage", "Model", "State", "Visual"]

NOMINAL_SIZE = (1024, 1024)  # the emulator never downloads image_url; it assumes this size
_LABELS = ["chair", "lamp", "plant", "table", "cup", "book", "bag", "bicycle", "dog", "sofa"]

DRAFT, COMPLETED, DELETED = "draft", "completed", "deleted"
CREATED, TRAINING, TRAINED, FAILED, STOPPED = (
    "Created",
    "Training In Progress",
    "Completed",
    "Failed",
    "Stopped",
)


def now_iso() -> str:
    """The current UTC time as the reference writes it: 2024-05-26T12:00:00Z."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.define
class Visual:
    """A registered image and the results of edits on it, by sid."""

    visual_id: str
    image_url: str | None
    org_image_key: str | None
    registered_mono: float
    width: int = NOMINAL_SIZE[0]
    height: int = NOMINAL_SIZE[1]
    sids: dict[str, tuple[int, int]] = attrs.Factory(dict)

    def digest(self) -> bytes:
        """Bytes that fix everything the emulator invents about this visual."""
        return hashlib.sha256(self.visual_id.encode()).digest()

    def object_labels(self) -> list[str]:
        """The labels of the visual's objects (3 or 4 of them)."""
        digest = self.digest()
        return [_LABELS[(digest[i] + i) % len(_LABELS)] for i in range(3 + digest[9] % 2)]

    def size_for(self, sid: str | None) -> tuple[int, int]:
        """The size of the original (no sid) or of the edit `sid`; unknown sid: 404."""
        if sid is None or sid == "":
            return self.width, self.height
        if sid not in self.sids:
            fail(404, f"unknown sid: {sid!r} for visual {self.visual_id}")
        return self.sids[sid]

    def new_sid(self, width: int, height: int) -> str:
        """Record a new edit result of the given size and return its sid."""
        sid = secrets.token_hex(16)
        self.sids[sid] = (width, height)
        return sid


@attrs.define
class DatasetImage:
    """One image of a tailored-generation dataset."""

    id: int
    dataset_id: int
    file_name: str
    image_url: str
    created_at: str = attrs.Factory(now_iso)

    def to_dict(self) -> dict[str, Any]:
        """The reference's image fields."""
        return {
            "id": self.id,
            "dataset_id": self.dataset_id,
            "caption": f"An illustration named {self.file_name}.",
            "file_name": self.file_name,
            "image_url": self.image_url,
            "thumbnail_url": self.image_url,
            "created_at": self.created_at,
        }


@attrs.define
class Dataset:
    """A tailored-generation dataset."""

    id: int
    use_case: str
    style_description: str
    name: str
    status: str = DRAFT
    images: dict[int, DatasetImage] = attrs.Factory(dict)
    created_at: str = attrs.Factory(now_iso)
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The reference's dataset object."""
        return {
            "id": self.id,
            "use_case": self.use_case,
            "style_description": self.style_description,
            "name": self.name,
            "status": self.status,
            "images_count": len(self.images),
            "images": [image.to_dict() for image in self.images.values()],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@attrs.define
class Model:
    """A tailored model; its training status advances with the clock."""

    id: int
    name: str
    description: str
    dataset_id: int
    status: str = CREATED
    created_at: str = attrs.Factory(now_iso)
    updated_at: str | None = None
    training_done_mono: float = 0.0
    training_outcome: str = TRAINED

    def refresh(self) -> None:
        """Finish the training if its time has come."""
        if self.status == TRAINING and time.monotonic() >= self.training_done_mono:
            self.status = self.training_outcome
            self.updated_at = now_iso()

    def to_dict(self) -> dict[str, Any]:
        """The reference's model object."""
        self.refresh()
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "dataset_id": self.dataset_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


class State:
    """The emulator's memory, shared by the API and storage applications."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.counters = Counters(max_requests=config.max_recorded_requests)
        self.storage = Storage(config, self.counters, self.rng)
        self.visuals: dict[str, Visual] = {}
        self.datasets: dict[int, Dataset] = {}
        self.models: dict[int, Model] = {}
        self.v2 = Jobs()
        self.limits = RateLimiting()
        self._next_id = 100

    def next_id(self) -> int:
        """A fresh integer id for datasets, images and models."""
        self._next_id += 1
        return self._next_id

    def random_seed(self) -> int:
        """A seed for a result that was asked without one."""
        return self.rng.randrange(2**31)

    def visual(self, visual_id: str) -> Visual:
        """The registered visual `visual_id`, else 404."""
        visual = self.visuals.get(visual_id)
        if visual is None:
            fail(404, f"Specified Image does not exist: visual_id {visual_id!r}")
        return visual

    def dataset(self, raw_id: str) -> Dataset:
        """The live dataset `raw_id`, else 404."""
        dataset = self.datasets.get(int(raw_id)) if raw_id.isdigit() else None
        if dataset is None or dataset.status == DELETED:
            fail(404, f"Dataset with the specified ID does not exist: {raw_id}")
        return dataset

    def model(self, raw_id: str) -> Model:
        """The model `raw_id`, else 404."""
        model = self.models.get(int(raw_id)) if raw_id.isdigit() else None
        if model is None:
            fail(404, f"Model with the specified ID does not exist: {raw_id}")
        model.refresh()
        return model


STATE_KEY = web.AppKey("state", State)
