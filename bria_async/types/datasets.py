"""Tailored-generation datasets, their images, and the outcome of uploading one image."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .._converter import structure
from ._serializable import Serializable

if TYPE_CHECKING:
    from ._download import ResultContext

T = TypeVar("T")


class WireEnum(str, enum.Enum):
    """An enum of the API's own strings; ``str()`` and f-strings show the server's spelling."""

    def __str__(self) -> str:
        return str(self.value)


class DatasetStatus(WireEnum):
    """Where a dataset stands: images are added while it is a draft, training needs it completed.

    The reference writes "draft" and "completed" in answers and "COMPLETED" in requests; any
    case is accepted, and a status this SDK does not know is kept as a plain string.
    """

    DRAFT = "draft"
    COMPLETED = "completed"
    DELETED = "deleted"


class UseCase(WireEnum):
    """What a dataset teaches a tailored model: a visual style, or one object drawn in it."""

    ILLUSTRATIVE_STYLE = "illustrative_style"
    ILLUSTRATIVE_SINGLE_OBJECT = "illustrative_single_object"


@attrs.frozen(kw_only=True)
class DatasetImage(Serializable):
    """One image of a dataset, as the server describes it; unknown fields in `extra`."""

    id: int
    dataset_id: int | None = None
    file_name: str | None = None
    image_url: str | None = None
    thumbnail_url: str | None = None
    caption: str | None = None
    created_at: dt.datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Dataset(Serializable):
    """A tailored-generation dataset; `images` is filled by ``retrieve`` (lists may omit it)."""

    id: int
    status: DatasetStatus | str
    use_case: UseCase | str | None = None
    style_description: str | None = None
    name: str | None = None
    images_count: int | None = None
    images: tuple[DatasetImage, ...] = ()
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class UploadOutcome(Serializable):
    """What became of one input of ``datasets.upload_images``: its image, or why it failed.

    `input` is what was given (a URL, path, bytes or file object), so failures can be retried.
    """

    input: Any
    image: DatasetImage | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when the image was uploaded."""
        return self.image is not None


def parse_dataset(body: Any, ctx: ResultContext) -> Dataset:
    """A Dataset from the server's JSON object."""
    return structure(body, Dataset)


def parse_datasets(body: Any, ctx: ResultContext) -> tuple[Dataset, ...]:
    """The datasets of a list answer (empty when there are none)."""
    return structure_items(body, Dataset)


def parse_dataset_image(body: Any, ctx: ResultContext) -> DatasetImage:
    """A DatasetImage from the server's JSON object."""
    return structure(body, DatasetImage)


def parse_dataset_images(body: Any, ctx: ResultContext) -> tuple[DatasetImage, ...]:
    """The images of a list answer."""
    return structure_items(body, DatasetImage)


def parse_nothing(body: Any, ctx: ResultContext) -> None:
    """Deletions answer 204 with no body (or a small status object): there is no result."""


def structure_items(body: Any, cls: type[T]) -> tuple[T, ...]:
    """The items of a list answer: a JSON array, or one wrapped as {"data"|"result": [...]}."""
    if isinstance(body, dict):
        body = body.get("data", body.get("result"))
    if not isinstance(body, list):
        raise TypeError(f"expected a JSON list, got {type(body).__name__}")
    return tuple(structure(item, cls) for item in body)
