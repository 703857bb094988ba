"""``bria.models``: tailored models and their training (routes 20-25)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._completion import FollowStatus, StatusEnded
from .._converter import structure
from .._errors import APIConnectionError, RateLimitError, ServerError
from .._events import logger
from .._jobs import Job
from .._request import Call
from .._specs import JobSpec, register
from .._validation import drop_none, require_int, require_numeric_id, require_text
from ..types.datasets import parse_nothing
from ..types.models import Model, ModelStatus, parse_model, parse_models, parse_training_answer
from ._base import Resource

if TYPE_CHECKING:
    from .._runtime import Runtime

_PATH = "/tailored-gen/models"


def _check_context(context: Mapping[str, Any]) -> None:
    require_numeric_id("model_id", context.get("model_id"))


async def _follow_training(runtime: Runtime, context: Mapping[str, Any]) -> Any:
    """One look at the model: its JSON once trained, None while it trains; StatusEnded if it
    ended any other way. A failed look (network, 5xx, 429 after the transport's own retries)
    is not the training's failure: it is logged and the next interval looks again.
    """
    model_id = require_numeric_id("model_id", context.get("model_id"))
    try:
        call = Call("GET", f"{_PATH}/{model_id}", options=runtime.options)
        response = await runtime.transport.send(call)
    except (APIConnectionError, ServerError, RateLimitError) as exc:
        logger.warning("training of model %s: could not read its status (%s)", model_id, exc)
        return None
    body = response.json()
    model = structure(body, Model)
    if model.status is ModelStatus.COMPLETED:
        return body
    if model.status is ModelStatus.FAILED or model.status is ModelStatus.STOPPED:
        raise StatusEnded(
            f"training of model {model_id} ended with status {model.status.value!r}", model
        )
    return None


CREATE = register(JobSpec(kind="models.create", parse=parse_model))
LIST = register(JobSpec(kind="models.list", parse=parse_models))
RETRIEVE = register(JobSpec(kind="models.retrieve", parse=parse_model))
DELETE = register(JobSpec(kind="models.delete", parse=parse_nothing))
STOP_TRAINING = register(JobSpec(kind="models.stop_training", parse=parse_training_answer))
TRAINING = register(
    JobSpec(
        kind="models.start_training",
        parse=parse_model,
        finish=FollowStatus(
            read=_follow_training,
            check_context=_check_context,
            interval=lambda runtime: runtime.settings.polling.training_interval,
            window=lambda runtime: runtime.settings.polling.training_timeout,
        ),
    )
)


class Models(Resource):
    """Tailored models: create one on a dataset, train it, then generate with
    ``bria.images.generate_tailored(model_id, prompt)``. Every method returns a Job.
    """

    def create(self, *, name: str, dataset_id: int, description: str | None = None) -> Job[Model]:
        """Create a model (status ``Created``) that will train on dataset `dataset_id`."""
        body = {
            "name": require_text("name", name),
            "dataset_id": require_int("dataset_id", dataset_id, 1),
            **drop_none(
                description=None
                if description is None
                else require_text("description", description)
            ),
        }
        # Not repeated after a 5xx: a retry could leave a duplicate model behind.
        return self._job(CREATE, Call(method="POST", path=_PATH, json=body, billable=True))

    def list(self) -> Job[tuple[Model, ...]]:
        """Every model of your organisation (an empty tuple when there are none)."""
        return self._job(LIST, Call(method="GET", path=_PATH))

    def retrieve(self, model_id: int | str) -> Job[Model]:
        """One model, with its current status."""
        return self._job(RETRIEVE, Call(method="GET", path=self._path(model_id)))

    def delete(self, model_id: int | str) -> Job[None]:
        """Delete a model."""
        return self._job(DELETE, Call(method="DELETE", path=self._path(model_id)))

    def start_training(self, model_id: int | str) -> Job[Model]:
        """Start training a model; the Job resolves to the trained Model.

        Training takes 1-3 hours: the Job looks at the model every
        ``PollSettings.training_interval`` seconds (60) for at most
        ``PollSettings.training_timeout`` (4 hours); ``job.to_dict()`` lets another process
        resume the wait. If the training fails or is stopped, the Job fails with
        JobFailedError whose ``cause`` is the Model (with its status).

        The server refuses at once, free of charge, with ConflictError (409) when the model
        trains or was trained already, and PreconditionFailedError (412, with its message)
        when the dataset is not completed or has too few images. The SDK does not check that
        beforehand: it would cost two GETs (the model, then its dataset), could race with other
        writers, and would have to guess the minimum image count, which the reference does
        not state.
        """
        path = f"{self._path(model_id)}/start_training"
        call = Call(method="POST", path=path, billable=True)
        return self._job(
            TRAINING, call, context={"model_id": require_numeric_id("model_id", model_id)}
        )

    def stop_training(self, model_id: int | str) -> Job[Model]:
        """Stop a model's training (ConflictError if it is not training); the Model, as the
        server answers (at least its id and status).
        """
        path = f"{self._path(model_id)}/stop_training"
        context = {"model_id": require_numeric_id("model_id", model_id)}
        return self._job(STOP_TRAINING, Call(method="POST", path=path), context=context)

    @staticmethod
    def _path(model_id: int | str) -> str:
        return f"{_PATH}/{require_numeric_id('model_id', model_id)}"
