"""bria_async: the asyncio-first Python SDK for the Bria image-generation API."""

from ._client import BriaClient, Jobs
from ._converter import configure_converter, make_converter
from ._errors import (
    APIConnectionError,
    APIRedirectError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BriaError,
    ClientStateError,
    ConfigurationError,
    ConflictError,
    ImageDownloadError,
    IncompleteRequestError,
    InsufficientResourcesError,
    JobCancelledError,
    JobError,
    JobFailedError,
    JobTimeoutError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    PreconditionFailedError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    UnavailableForLegalReasonsError,
    UnprocessableEntityError,
    UnsupportedInputError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from ._events import Hooks, JobEvent, PollEvent, RequestEvent, RetryEvent
from ._inputs import ImageInput
from ._jobs import Job, JobStatus, RetiredModelVersionWarning
from ._settings import PollSettings, RetrySettings, Settings, Timeouts
from .resources.search import SearchPages
from .types.datasets import Dataset, DatasetImage, DatasetStatus, UploadOutcome, UseCase
from .types.images import EditResult, Image, ImageResult
from .types.models import Model, ModelStatus
from .types.objects import Mask, Masks, ObjectsInfo, SceneObject
from .types.person import PeopleInfo
from .types.product import ProductKeywords
from .types.search import SearchPage, SearchResult
from .types.visuals import Caption, RegisteredVisual, VisualInfo

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIRedirectError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BriaClient",
    "BriaError",
    "Caption",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "Dataset",
    "DatasetImage",
    "DatasetStatus",
    "EditResult",
    "Hooks",
    "Image",
    "ImageDownloadError",
    "ImageInput",
    "ImageResult",
    "IncompleteRequestError",
    "InsufficientResourcesError",
    "Job",
    "JobCancelledError",
    "JobError",
    "JobEvent",
    "JobFailedError",
    "JobStatus",
    "JobTimeoutError",
    "Jobs",
    "Mask",
    "Masks",
    "MethodNotAllowedError",
    "Model",
    "ModelStatus",
    "NotFoundError",
    "ObjectsInfo",
    "PayloadTooLargeError",
    "PeopleInfo",
    "PollEvent",
    "PollSettings",
    "PreconditionFailedError",
    "ProductKeywords",
    "RateLimitError",
    "RegisteredVisual",
    "RequestEvent",
    "ResponseTooLargeError",
    "RetiredModelVersionWarning",
    "RetryEvent",
    "RetrySettings",
    "SceneObject",
    "SearchPage",
    "SearchPages",
    "SearchResult",
    "ServerError",
    "Settings",
    "Timeouts",
    "UnavailableForLegalReasonsError",
    "UnprocessableEntityError",
    "UnsupportedInputError",
    "UnsupportedMediaTypeError",
    "UploadOutcome",
    "UseCase",
    "ValidationError",
    "VisualInfo",
    "__version__",
    "configure_converter",
    "make_converter",
]
