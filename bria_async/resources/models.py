"""``bria.models``: tailored models and their training (routes 20-25)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._completion import FollowStatus, StatusEnded
from .._converter import structure
from .._errors import APIConnectionError, RateLimitError, ServerError
from .._events import logger
from .._extras import CallExtras
from .._jobs import Job
from .._settings import Timeouts
from .._specs import JobSpec
from .._validation import drop_none, require_int, require_numeric_id, require_text
from ..types.datasets import parse_nothing
from ..types.models import Model, ModelStatus, parse_model, parse_models, parse_training_answer
from ._base import Resource, call_of

if TYPE_CHECKING:
    from .._runtime import Runtime


def _check_context(context: Mapping[str, Any]) -> None:
    require_numeric_id("model_id", context.get("model_id"))


async def _follow_training(runtime: Runtime, context: Mapping[str, Any]) -> Any:
    """One look at the model: its JSON once trained, None while it trains; StatusEnded if it
    ended any other way. A failed look (network, 5xx, 429 after the transport's own retries)
    is not the training's failure: it is logged and the next interval looks again.
    """
    model_id = require_numeric_id("model_id", context.get("model_id"))
    try:
        call = call_of("models.retrieve", {"id": model_id}).sent_with(runtime.options, None)
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


CREATE = JobSpec(kind="models.create", parse=parse_model)
LIST = JobSpec(kind="models.list", parse=parse_models)
RETRIEVE = JobSpec(kind="models.retrieve", parse=parse_model)
DELETE = JobSpec(kind="models.delete", parse=parse_nothing)
STOP_TRAINING = JobSpec(kind="models.stop_training", parse=parse_training_answer)
TRAINING = JobSpec(
    kind="models.start_training",
    parse=parse_model,
    finish=FollowStatus(
        read=_follow_training,
        check_context=_check_context,
        interval=lambda runtime: runtime.settings.polling.training_interval,
        window=lambda runtime: runtime.settings.polling.training_timeout,
    ),
)


class Models(Resource):
    """Tailored models: create one on a dataset, train it, then generate with
    ``bria.images.generate_tailored(model_id, prompt)``. ``start_training`` returns a
    training Job; the other methods are direct calls.
    """

    async def create(
        self,
        *,
        name: str,
        dataset_id: int,
        description: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Model:
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
        return await self._direct(
            CREATE,
            call_of("models.create", json=body),
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def list(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> tuple[Model, ...]:
        """Every model of your organisation (an empty tuple when there are none)."""
        return await self._direct(
            LIST,
            call_of("models.list"),
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def retrieve(
        self,
        model_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Model:
        """One model, with its current status."""
        return await self._direct(
            RETRIEVE,
            call_of("models.retrieve", self._ids(model_id)),
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def delete(
        self,
        model_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> None:
        """Delete a model."""
        return await self._direct(
            DELETE,
            call_of("models.delete", self._ids(model_id)),
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def start_training(
        self,
        model_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[Model]:
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
        call = call_of("models.start_training", self._ids(model_id))
        return self._job(
            TRAINING,
            call,
            context={"model_id": require_numeric_id("model_id", model_id)},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def stop_training(
        self,
        model_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Model:
        """Stop a model's training (ConflictError if it is not training); the Model, as the
        server answers (at least its id and status).
        """
        context = {"model_id": require_numeric_id("model_id", model_id)}
        call = call_of("models.stop_training", self._ids(model_id))
        return await self._direct(
            STOP_TRAINING,
            call,
            context=context,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    @staticmethod
    def _ids(model_id: int | str) -> dict[str, str]:
        return {"id": require_numeric_id("model_id", model_id)}
