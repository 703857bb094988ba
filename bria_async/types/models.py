"""Tailored models and their training status."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs

from .._converter import structure
from ._serializable import Serializable
from .datasets import WireEnum, structure_items

if TYPE_CHECKING:
    from ._download import ResultContext


class ModelStatus(WireEnum):
    """Where a tailored model stands. Values are the server's spellings; others are accepted
    case- and space-insensitively, and a status this SDK does not know is kept as a string.
    """

    CREATED = "Created"
    TRAINING = "Training In Progress"
    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPED = "Stopped"

    __aliases__ = {  # noqa: RUF012 - read by the converter, not an enum member
        "TRAINING": ("In Progress", "Training", "In Training", "Started"),
        "COMPLETED": ("Ready", "Trained", "Done", "Succeeded"),
        "FAILED": ("Error", "Training Failed"),
        "STOPPED": ("Stopped Training", "Cancelled", "Canceled"),
    }


@attrs.frozen(kw_only=True)
class Model(Serializable):
    """A tailored model: what it is trained on and where its training stands.

    Once `status` is ``ModelStatus.COMPLETED``, generate with
    ``bria.images.generate_tailored(model.id, prompt)``.
    """

    id: int
    status: ModelStatus | str
    name: str | None = None
    description: str | None = None
    dataset_id: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    @property
    def trained(self) -> bool:
        """True when training finished and the model can generate images."""
        return self.status is ModelStatus.COMPLETED


def parse_model(body: Any, ctx: ResultContext) -> Model:
    """A Model from the server's JSON object."""
    return structure(body, Model)


def parse_training_answer(body: Any, ctx: ResultContext) -> Model:
    """The short answer of start/stop training ({"id", "status"}); the id comes from the
    request when the answer leaves it out.
    """
    data = dict(body) if isinstance(body, dict) else {}
    data.setdefault("id", ctx.context["model_id"])
    data.setdefault("status", ModelStatus.STOPPED.value)
    return structure(data, Model)


def parse_models(body: Any, ctx: ResultContext) -> tuple[Model, ...]:
    """The models of a list answer (empty when there are none)."""
    return structure_items(body, Model)
