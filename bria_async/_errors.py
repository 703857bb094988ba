"""The error tree, and the one table that maps an HTTP status to its error class.

BriaError
 ├── ValidationError            (also ValueError) bad input, raised before any request
 ├── ConfigurationError         missing token, insecure base URL
 ├── ClientStateError           (also RuntimeError) closed client, foreign event loop
 ├── InvalidJobTokenError       (also ValueError) a job token that is forged or malformed
 ├── APIResponseValidationError an answer that is not what the route documents
 ├── APIConnectionError         could not reach the server, or it dropped the connection
 │    └── APITimeoutError       (also TimeoutError) no answer in time
 ├── APIRedirectError           the API redirected to another origin: not followed
 ├── ResponseTooLargeError      a body passed its size limit: the rest was not read
 ├── RateLimitTimeoutError      (also TimeoutError) an endpoint's rate limit has no slot in time
 ├── APIResponseValidationError a success whose body is not what it should be
 ├── APIStatusError             the server answered with an error status
 │    ├── IncompleteRequestError          206
 │    ├── BadRequestError                 400
 │    ├── AuthenticationError             401
 │    ├── NotFoundError                   404
 │    ├── MethodNotAllowedError           405
 │    ├── ConflictError                   409
 │    ├── PreconditionFailedError         412
 │    ├── PayloadTooLargeError            413
 │    ├── UnsupportedMediaTypeError       415
 │    ├── UnprocessableEntityError        422
 │    ├── RateLimitError                  429
 │    ├── UnavailableForLegalReasonsError 451
 │    ├── ImageDownloadError              460
 │    ├── UnsupportedInputError           506
 │    └── ServerError                     500, 502, 503, 504 and any other 5xx
 │         └── InsufficientResourcesError 512
 └── JobError                   a Job did not produce its result
      ├── JobFailedError        an image or the job failed: names the job, the URL, why
      ├── JobTimeoutError       (also TimeoutError) still pending; await the job again
      └── JobCancelledError     job.cancel() was called
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping, Sequence
from typing import Any


class _ShortRepr(reprlib.Repr):
    """reprlib's bounded repr, whose fallback for a failing ``__repr__`` names only the type.
    Strings get more room: a file's description (its path, type and size) is one."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = 240
        self.maxother = 80
        self.maxlong = 40

    def repr_instance(self, x: object, level: int) -> str:
        try:
            text = repr(x)
        except Exception:
            return f"<{type(x).__name__} object>"
        return text if len(text) <= self.maxother else text[: self.maxother - 3] + "..."


_SHORT = _ShortRepr()


def short_repr(value: object) -> str:
    """A repr of `value` for a message, of a few hundred characters at most, and never an
    exception (an int too long to print or a failing ``__repr__`` shows as
    ``<TypeName object>``)."""
    try:
        return _SHORT.repr(value)
    except Exception:
        return f"<{type(value).__name__} object>"


class BriaError(Exception):
    """Base class of every error bria_async raises."""


class ValidationError(BriaError, ValueError):
    """A parameter is out of range or of the wrong kind; nothing was sent."""

    def __init__(self, parameter: str, value: object, allowed: str) -> None:
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        super().__init__(f"{parameter}={short_repr(value)} is not allowed: expected {allowed}")


class ConfigurationError(BriaError):
    """The client cannot be used as configured (missing token, insecure base URL)."""


class ClientStateError(BriaError, RuntimeError):
    """The client is closed, or used from an event loop other than its own."""


class InvalidJobTokenError(BriaError, ValueError):
    """A job token is unsigned, altered, of an unknown version or malformed; nothing was sent."""


class APIResponseValidationError(BriaError):
    """The server's answer could not be decoded or parsed: says where, and shows an excerpt.

    Also raised for a placeholder URL that is not an http(s) URL this client may fetch.
    """

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        method: str = "GET",
        url: str | None = None,
        request_id: str | None = None,
        excerpt: str = "",
        job_id: str | None = None,
    ) -> None:
        self.reason = reason
        self.status = status
        self.method = method
        self.url = url
        self.request_id = request_id
        self.excerpt = excerpt
        self.job_id = job_id
        where = " ".join(
            part
            for part in (
                f"job {job_id}" if job_id else "",
                f"{status} from {method} {url}" if status is not None and url else url or "",
                f"(request id {request_id})" if request_id else "",
            )
            if part
        )
        shown = f"; the answer began: {excerpt}" if excerpt else ""
        super().__init__(f"{where + ': ' if where else ''}{reason}{shown}")


class APIConnectionError(BriaError):
    """The server could not be reached, or the connection broke before an answer."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.method = method
        self.url = url
        super().__init__(f"{method} {url}: {message}")


class APITimeoutError(APIConnectionError, TimeoutError):
    """The server did not answer within the timeout."""


class APIRedirectError(BriaError):
    """The API answered with a redirect to another origin (or too many redirects).

    It is not followed, so the API token never reaches another host; `location` is where
    the server pointed.
    """

    def __init__(self, message: str, *, method: str, url: str, status: int, location: str) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.location = location
        super().__init__(f"{method} {url}: {status} redirect to {location!r}: {message}")


class ResponseTooLargeError(BriaError):
    """A body passed the client's limit (`Settings.max_response_bytes` for API answers,
    `Settings.max_download_bytes` for downloads); the rest was not read."""

    def __init__(self, *, method: str, url: str, limit: int) -> None:
        self.method = method
        self.url = url
        self.limit = limit
        super().__init__(
            f"{method} {url}: the body is larger than {limit} bytes, the limit for it; "
            "not read further"
        )


class RateLimitTimeoutError(BriaError, TimeoutError):
    """The request's slot under its endpoint's rate limit comes after the call's deadline:
    nothing was sent. Names the endpoint and how long the wait would have been."""

    def __init__(self, *, endpoint: str, wait: float, left: float) -> None:
        self.endpoint = endpoint
        self.wait = wait
        super().__init__(
            f"not sent: the rate limit of {endpoint} has its next slot in {wait:.1f}s, "
            f"after the call's deadline ({max(0.0, left):.1f}s left)"
        )


class APIStatusError(BriaError):
    """The server answered with an error status; carries the status (as `status_code` too),
    the answer's `headers` (None for an error made without an answer), its body and request
    id."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        url: str,
        body: Any = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.body = body
        self.request_id = request_id
        self.headers = headers
        self.message = message
        #: Seconds the server asked to wait (its Retry-After), if it said.
        self.retry_after: float | None = None
        rid = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{status} from {method} {url}{rid}: {message}")

    @property
    def status_code(self) -> int:
        """The HTTP status, named as openai's and anthropic's errors name it."""
        return self.status


class IncompleteRequestError(APIStatusError):
    """206: the request was incomplete (for example no file value was provided)."""


class BadRequestError(APIStatusError):
    """400: the server refused the request's parameters."""


class AuthenticationError(APIStatusError):
    """401: the API token is missing or not valid; never retried."""


class NotFoundError(APIStatusError):
    """404: the visual, dataset, model or image URL does not exist."""


class RequestExpiredError(NotFoundError):
    """A v2 status read answered 404: the request id is unknown to Bria, or has expired."""

    @classmethod
    def of(cls, error: NotFoundError, request_id: str) -> RequestExpiredError:
        """The error for the 404 `error` of the status read of `request_id`."""
        return cls(
            f"the v2 request {request_id} does not exist or has expired",
            status=error.status,
            method=error.method,
            url=error.url,
            body=error.body,
            request_id=error.request_id,
            headers=error.headers,
        )


class MethodNotAllowedError(APIStatusError):
    """405: the route does not take this method."""


class ConflictError(APIStatusError):
    """409: the resource's state forbids this (dataset in use, training state)."""


class PreconditionFailedError(APIStatusError):
    """412: a precondition failed (dataset not completed, too few images)."""


class PayloadTooLargeError(APIStatusError):
    """413: the upload is over the server's size limit."""


class UnsupportedMediaTypeError(APIStatusError):
    """415: the file type is not supported."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried with backoff, honouring Retry-After."""


class UnavailableForLegalReasonsError(APIStatusError):
    """451: the content cannot be processed for legal reasons; never retried."""


class ImageDownloadError(APIStatusError):
    """460: the server failed to download the image at image_url."""


class UnsupportedInputError(APIStatusError):
    """506: the given input is not supported by the Bria API."""


class ServerError(APIStatusError):
    """5xx: the server failed; retried where the request is safe to repeat."""


class InsufficientResourcesError(ServerError):
    """512: the server lacks resources right now; retried with backoff."""


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    206: IncompleteRequestError,
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    451: UnavailableForLegalReasonsError,
    460: ImageDownloadError,
    506: UnsupportedInputError,
    512: InsufficientResourcesError,
}


def error_class_for(status: int) -> type[APIStatusError]:
    """The error class for an error status, from the one table above."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    if status >= 500:
        return ServerError
    return APIStatusError


class JobError(BriaError):
    """A Job did not produce its result; names the job."""

    def __init__(self, message: str, *, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(message)


class JobFailedError(JobError):
    """An image of the job, or the job itself, failed: says which job, which URL and why."""

    def __init__(
        self,
        reason: str,
        *,
        job_id: str,
        url: str | None = None,
        cause: Any = None,
        code: int | None = None,
        details: str | None = None,
    ) -> None:
        self.url = url
        self.reason = reason
        self.cause = cause
        #: A v2 job's error object: its code and details (`reason` is its message).
        self.code = code
        self.details = details
        where = f" at {url}" if url else ""
        super().__init__(f"job {job_id} failed{where}: {reason}", job_id=job_id)


class JobTimeoutError(JobError, TimeoutError):
    """The job was still pending when the wait ended; it keeps its state, await it again."""

    def __init__(
        self,
        *,
        job_id: str,
        pending_urls: Sequence[str],
        waited: float,
        waiting_for: str = "its submission",
    ) -> None:
        self.pending_urls = tuple(pending_urls)
        self.waited = waited
        pending = ", ".join(self.pending_urls) or waiting_for
        super().__init__(
            f"job {job_id} not done after {waited:.1f}s; still pending: {pending}", job_id=job_id
        )


class JobCancelledError(JobError):
    """The job was cancelled with job.cancel(); it polls no more."""

    def __init__(self, *, job_id: str) -> None:
        super().__init__(f"job {job_id} was cancelled", job_id=job_id)


class WebhookVerificationError(BriaError):
    """A webhook delivery is not signed by Bria for this API token: a header is missing, the
    signature does not match, or its timestamp is outside the tolerance. Do not deliver it."""
