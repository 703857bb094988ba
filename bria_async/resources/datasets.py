"""``bria.datasets``: tailored-generation datasets and their images (routes 11-19)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio

from .._errors import APIResponseValidationError, BriaError, ValidationError
from .._extras import CallExtras
from .._inputs import IMAGE_TYPES, ImageInput, check, form_factory, load
from .._request import Call
from .._settings import Timeouts
from .._specs import JobSpec
from .._validation import (
    drop_none,
    require_choice,
    require_int,
    require_numeric_id,
    require_text,
)
from ..types.datasets import (
    Dataset,
    DatasetImage,
    DatasetStatus,
    UploadOutcome,
    UseCase,
    parse_dataset,
    parse_dataset_image,
    parse_dataset_images,
    parse_datasets,
    parse_nothing,
)
from ._base import Resource, call_of

if TYPE_CHECKING:
    from .._runtime import Runtime
    from .._transport import Response

_USE_CASES = tuple(u.value for u in UseCase)
#: A status as update requests spell it: "COMPLETED" as the reference's enum says; for a
#: return to draft the reference gives no value, so the server's own spelling, "draft".
_WIRE_STATUSES = {DatasetStatus.DRAFT.value: "draft", DatasetStatus.COMPLETED.value: "COMPLETED"}

CREATE = JobSpec(kind="datasets.create", parse=parse_dataset)
LIST = JobSpec(kind="datasets.list", parse=parse_datasets)
RETRIEVE = JobSpec(kind="datasets.retrieve", parse=parse_dataset)
UPDATE = JobSpec(kind="datasets.update", parse=parse_dataset)
DELETE = JobSpec(kind="datasets.delete", parse=parse_nothing)


async def _decode_upload(response: Response, runtime: Runtime) -> Any:
    """The upload's answer: JSON, or the url-encoded fields the reference's sample shows."""
    try:
        return response.json()
    except APIResponseValidationError:
        return dict(parse_qsl(response.body.decode("utf-8", "replace")))


UPLOAD_IMAGE = JobSpec(
    kind="datasets.upload_image", parse=parse_dataset_image, decode=_decode_upload
)

LIST_IMAGES = JobSpec(kind="datasets.list_images", parse=parse_dataset_images)
RETRIEVE_IMAGE = JobSpec(kind="datasets.retrieve_image", parse=parse_dataset_image)
DELETE_IMAGE = JobSpec(kind="datasets.delete_image", parse=parse_nothing)


def _use_case(value: UseCase | str) -> str:
    """The wire value of a use case given as the enum or its string."""
    return require_choice(
        "use_case", value.value if isinstance(value, UseCase) else value, _USE_CASES
    )


def _status(value: DatasetStatus | str | None) -> str | None:
    """The wire value of a status given as the enum or its string, in any case."""
    if value is None:
        return None
    text = value.value if isinstance(value, DatasetStatus) else value
    if not isinstance(text, str) or text.lower() not in _WIRE_STATUSES:
        raise ValidationError("status", value, "one of " + ", ".join(map(repr, _WIRE_STATUSES)))
    return _WIRE_STATUSES[text.lower()]


class Datasets(Resource):
    """Datasets that tailored models learn from: a draft gets images, then is completed.

    Every method is a direct call that gives its typed result (no Job).
    """

    async def create(
        self,
        *,
        use_case: UseCase | str,
        style_description: str,
        name: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Dataset:
        """Create a dataset in the ``draft`` status. The reference marks `style_description`
        as required for now; `use_case` is ``illustrative_style`` or
        ``illustrative_single_object``.
        """
        body = {
            "use_case": _use_case(use_case),
            "style_description": require_text("style_description", style_description),
            **drop_none(name=None if name is None else require_text("name", name)),
        }
        # Not repeated after a 5xx: a retry could leave a duplicate dataset behind.
        call = call_of("datasets.create", json=body)
        return await self._direct(
            CREATE, call, extras=CallExtras(extra_headers, extra_query, extra_body, timeout)
        )

    async def list(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> tuple[Dataset, ...]:
        """Every dataset of your organisation (an empty tuple when there are none)."""
        return await self._direct(
            LIST,
            call_of("datasets.list"),
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def retrieve(
        self,
        dataset_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Dataset:
        """One dataset, with its images."""
        path_id = require_numeric_id("dataset_id", dataset_id)
        return await self._direct(
            RETRIEVE,
            call_of("datasets.retrieve", {"id": path_id}),
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def update(
        self,
        dataset_id: int | str,
        *,
        use_case: UseCase | str | None = None,
        style_description: str | None = None,
        name: str | None = None,
        status: DatasetStatus | str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Dataset:
        """Change a dataset; only the options given are sent.

        The server refuses (ConflictError, 409) a new `use_case` or `style_description` on a
        completed dataset, and a return to draft once a model was trained on it.
        """
        path_id = require_numeric_id("dataset_id", dataset_id)
        body = drop_none(
            use_case=None if use_case is None else _use_case(use_case),
            style_description=(
                None
                if style_description is None
                else require_text("style_description", style_description)
            ),
            name=None if name is None else require_text("name", name),
            status=_status(status),
        )
        if not body:
            raise ValidationError(
                "update", {}, "at least one of use_case, style_description, name, status"
            )
        call = call_of("datasets.update", {"id": path_id}, json=body)
        return await self._direct(
            UPDATE, call, extras=CallExtras(extra_headers, extra_query, extra_body, timeout)
        )

    async def complete(
        self,
        dataset_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Dataset:
        """Mark a dataset completed, so that a model can train on it; it takes no more images."""
        return await self.update(
            dataset_id,
            status=DatasetStatus.COMPLETED,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )

    async def delete(
        self,
        dataset_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> None:
        """Delete a dataset (ConflictError while a model trains on it or was trained on it)."""
        path_id = require_numeric_id("dataset_id", dataset_id)
        return await self._direct(
            DELETE,
            call_of("datasets.delete", {"id": path_id}),
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def upload_image(
        self,
        dataset_id: int | str,
        image: ImageInput,
        *,
        image_name: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> DatasetImage:
        """Add one image to a draft dataset: a URL the server fetches, or a path, bytes or
        binary file object, read off the event loop and checked (PNG, JPEG or WEBP, at most
        12 MB) as it is sent, before the upload; a string that is not a URL is refused
        at once. `image_name` names it in the dataset (by default the file's name).
        """
        ids = self._dataset_ids(dataset_id)
        check(image, parameter="image")
        extra = drop_none(
            image_name=None if image_name is None else require_text("image_name", image_name)
        )

        async def prepare(call: Call) -> Call:
            loaded = await load(image, parameter="image", allowed_types=IMAGE_TYPES)
            form = form_factory(loaded, extra=extra, multipart=True)
            return call._replace(data=form, prepare=None)

        # Not repeated after a 5xx: a retry could add the image twice.
        call = call_of("datasets.upload_image", ids, kind="upload", prepare=prepare)
        return await self._direct(
            UPLOAD_IMAGE, call, extras=CallExtras(extra_headers, extra_query, extra_body, timeout)
        )

    async def upload_images(
        self,
        dataset_id: int | str,
        inputs: Iterable[ImageInput],
        *,
        limit: int = 8,
        on_progress: Callable[[int, int, UploadOutcome], object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> builtins.list[UploadOutcome]:
        """Upload many images to a draft dataset, at most `limit` at once; one UploadOutcome
        per input, in input order. A bad input (wrong type, over 12 MB, unreadable, refused by
        the server) is reported in its outcome's `error` and never stops the others.
        `on_progress(done, total, outcome)` is called as each one finishes.

        One GET of the dataset comes first: a missing dataset raises NotFoundError, and one
        that is no longer a draft raises ValidationError, instead of sending every file to
        be refused one by one.
        """
        path_id = require_numeric_id("dataset_id", dataset_id)
        require_int("limit", limit, 1)
        if isinstance(inputs, (str, bytes, bytearray, memoryview, Mapping)) or not isinstance(
            inputs, Iterable
        ):
            raise ValidationError(
                "inputs",
                inputs,
                "an iterable of image inputs (a list of "
                "URLs, paths, bytes or files), not a single one",
            )
        if on_progress is not None and not callable(on_progress):
            raise ValidationError("on_progress", on_progress, "a callable or None")
        _refuse_form_body(extra_body)  # now, not once per upload in the outcomes
        items = builtins.list(inputs)
        dataset = await self.retrieve(path_id)
        if dataset.status in (DatasetStatus.COMPLETED, DatasetStatus.DELETED):
            raise ValidationError(
                "dataset_id",
                dataset_id,
                f"a draft dataset: dataset {dataset.id} is {dataset.status} and takes no images",
            )
        outcomes: builtins.list[UploadOutcome | None] = [None] * len(items)
        queue = iter(enumerate(items))
        done = 0

        async def worker() -> None:  # `limit` workers share the queue: tasks stay bounded
            nonlocal done
            for index, item in queue:
                try:
                    image = await self.upload_image(
                        path_id,
                        item,
                        extra_headers=extra_headers,
                        extra_query=extra_query,
                        extra_body=extra_body,
                        timeout=timeout,
                    )
                except (BriaError, TypeError) as exc:
                    outcome = UploadOutcome(input=item, error=exc)
                else:
                    outcome = UploadOutcome(input=item, image=image)
                outcomes[index] = outcome
                done += 1
                if on_progress is not None:
                    on_progress(done, len(items), outcome)

        async with anyio.create_task_group() as group:
            for _ in range(min(limit, len(items))):
                group.start_soon(worker)
        return [outcome for outcome in outcomes if outcome is not None]

    async def list_images(
        self,
        dataset_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> tuple[DatasetImage, ...]:
        """The images of a dataset."""
        call = call_of("datasets.list_images", self._dataset_ids(dataset_id))
        return await self._direct(
            LIST_IMAGES, call, extras=CallExtras(extra_headers, extra_query, extra_body, timeout)
        )

    async def retrieve_image(
        self,
        dataset_id: int | str,
        image_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> DatasetImage:
        """One image of a dataset."""
        call = call_of("datasets.retrieve_image", self._image_ids(dataset_id, image_id))
        return await self._direct(
            RETRIEVE_IMAGE, call, extras=CallExtras(extra_headers, extra_query, extra_body, timeout)
        )

    async def delete_image(
        self,
        dataset_id: int | str,
        image_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> None:
        """Remove an image from a draft dataset (ConflictError once it is completed)."""
        call = call_of("datasets.delete_image", self._image_ids(dataset_id, image_id))
        return await self._direct(
            DELETE_IMAGE, call, extras=CallExtras(extra_headers, extra_query, extra_body, timeout)
        )

    @staticmethod
    def _dataset_ids(dataset_id: int | str) -> dict[str, str]:
        return {"dataset_id": require_numeric_id("dataset_id", dataset_id)}

    def _image_ids(self, dataset_id: int | str, image_id: int | str) -> dict[str, str]:
        return {
            **self._dataset_ids(dataset_id),
            "image_id": require_numeric_id("image_id", image_id),
        }


def _refuse_form_body(extra_body: object) -> None:
    """An upload is a form: there is no JSON object for an extra body to go into."""
    if extra_body is not None:
        raise ValidationError("extra_body", extra_body, "None: an upload is a form")
