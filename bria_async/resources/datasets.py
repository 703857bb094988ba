"""``bria.datasets``: tailored-generation datasets and their images (routes 11-19)."""

from __future__ import annotations

from .._errors import ValidationError
from .._jobs import Call, Job, JobSpec, register
from .._validation import check_choice, drop_none, require_id, require_text
from ..types.datasets import (
    Dataset,
    DatasetImage,
    DatasetStatus,
    UseCase,
    parse_dataset,
    parse_dataset_image,
    parse_dataset_images,
    parse_datasets,
    parse_nothing,
)
from ._base import Resource

_PATH = "/tailored-gen/datasets"
_USE_CASES = tuple(u.value for u in UseCase)
_STATUSES = tuple(s.value for s in (DatasetStatus.DRAFT, DatasetStatus.COMPLETED))

CREATE = register(JobSpec(kind="datasets.create", parse=parse_dataset))
LIST = register(JobSpec(kind="datasets.list", parse=parse_datasets))
RETRIEVE = register(JobSpec(kind="datasets.retrieve", parse=parse_dataset))
UPDATE = register(JobSpec(kind="datasets.update", parse=parse_dataset))
DELETE = register(JobSpec(kind="datasets.delete", parse=parse_nothing))
UPLOAD_IMAGE = register(JobSpec(kind="datasets.upload_image", parse=parse_dataset_image))
LIST_IMAGES = register(JobSpec(kind="datasets.list_images", parse=parse_dataset_images))
RETRIEVE_IMAGE = register(JobSpec(kind="datasets.retrieve_image", parse=parse_dataset_image))
DELETE_IMAGE = register(JobSpec(kind="datasets.delete_image", parse=parse_nothing))


def _use_case(value: UseCase | str | None) -> str | None:
    """The wire value of a use case given as the enum or its string."""
    text = value.value if isinstance(value, UseCase) else value
    return check_choice("use_case", text, _USE_CASES)


class Datasets(Resource):
    """Datasets that tailored models learn from: a draft gets images, then is completed.

    Every method returns a Job; ``await`` it for the typed result.
    """

    def create(
        self,
        *,
        use_case: UseCase | str,
        style_description: str,
        name: str | None = None,
    ) -> Job[Dataset]:
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
        call = Call(method="POST", path=_PATH, json=body, billable=True)
        return self._job(CREATE, call)

    def list(self) -> Job[tuple[Dataset, ...]]:
        """Every dataset of your organisation (an empty tuple when there are none)."""
        return self._job(LIST, Call(method="GET", path=_PATH))

    def retrieve(self, dataset_id: int | str) -> Job[Dataset]:
        """One dataset, with its images."""
        path_id = require_id("dataset_id", dataset_id)
        return self._job(RETRIEVE, Call(method="GET", path=f"{_PATH}/{path_id}"))

    def update(
        self,
        dataset_id: int | str,
        *,
        use_case: UseCase | str | None = None,
        style_description: str | None = None,
        name: str | None = None,
        status: DatasetStatus | str | None = None,
    ) -> Job[Dataset]:
        """Change a dataset; only the options given are sent.

        The server refuses (ConflictError, 409) a new `use_case` or `style_description` on a
        completed dataset, and a return to draft once a model was trained on it.
        """
        path_id = require_id("dataset_id", dataset_id)
        text = status.value if isinstance(status, DatasetStatus) else status
        wire_status = check_choice("status", None if text is None else str(text).lower(),
                                   _STATUSES)
        body = drop_none(
            use_case=_use_case(use_case),
            style_description=(
                None if style_description is None
                else require_text("style_description", style_description)
            ),
            name=None if name is None else require_text("name", name),
            # The reference spells the value "COMPLETED"; answers say "completed".
            status=None if wire_status is None else wire_status.upper(),
        )
        if not body:
            raise ValidationError(
                "update", {}, "at least one of use_case, style_description, name, status"
            )
        call = Call(method="PUT", path=f"{_PATH}/{path_id}", json=body)
        return self._job(UPDATE, call)

    def complete(self, dataset_id: int | str) -> Job[Dataset]:
        """Mark a dataset completed, so that a model can train on it; it takes no more images."""
        return self.update(dataset_id, status=DatasetStatus.COMPLETED)

    def delete(self, dataset_id: int | str) -> Job[None]:
        """Delete a dataset (ConflictError while a model trains on it or was trained on it)."""
        path_id = require_id("dataset_id", dataset_id)
        return self._job(DELETE, Call(method="DELETE", path=f"{_PATH}/{path_id}"))

    def list_images(self, dataset_id: int | str) -> Job[tuple[DatasetImage, ...]]:
        """The images of a dataset."""
        path = self._images_path(dataset_id)
        return self._job(LIST_IMAGES, Call(method="GET", path=path))

    def retrieve_image(self, dataset_id: int | str, image_id: int | str) -> Job[DatasetImage]:
        """One image of a dataset."""
        path = self._image_path(dataset_id, image_id)
        return self._job(RETRIEVE_IMAGE, Call(method="GET", path=path))

    def delete_image(self, dataset_id: int | str, image_id: int | str) -> Job[None]:
        """Remove an image from a draft dataset (ConflictError once it is completed)."""
        path = self._image_path(dataset_id, image_id)
        return self._job(DELETE_IMAGE, Call(method="DELETE", path=path))

    @staticmethod
    def _images_path(dataset_id: int | str) -> str:
        return f"{_PATH}/{require_id('dataset_id', dataset_id)}/images"

    def _image_path(self, dataset_id: int | str, image_id: int | str) -> str:
        return f"{self._images_path(dataset_id)}/{require_id('image_id', image_id)}"
