"""AsyncBria (also BriaClient): settings, the session's life cycle, and the namespaces."""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

import aiohttp
import attrs

from . import _collections, _generic
from ._errors import ClientStateError, ConfigurationError, ValidationError
from ._events import Hooks
from ._headers import check_default_headers, check_session
from ._jobs import Job
from ._jobs_namespace import Jobs
from ._logging import configure_from_env
from ._options import apply_options
from ._poller import Poller
from ._ratelimit import RateLimiter
from ._raw import raw_call
from ._raw_views import AsyncBriaNamespacesWithRawResponse
from ._redact import redact_url
from ._runtime import Runtime
from ._settings import Settings, Timeouts
from ._storage import Storage
from ._tokens import check_key, derive_key
from ._transport import Transport
from ._urls import Secret, check_base_url, versioned_base_urls
from ._validation import is_header_value
from .resources.background import Background
from .resources.datasets import Datasets
from .resources.images import Images
from .resources.models import Models
from .resources.objects import Objects
from .resources.person import Person
from .resources.product import Product
from .resources.search import Search
from .resources.v2 import V2
from .resources.visuals import Visuals
from .types._download import Savable

if TYPE_CHECKING:
    from typing_extensions import Self

R = TypeVar("R")
DEFAULT_BASE_URL = "https://engine.prod.bria-api.com/v1"


class AsyncBria:
    """The asyncio client of the Bria API. Use it as ``async with AsyncBria() as bria:``
    (``BriaClient`` is the same class; ``Bria`` is the synchronous client).

    The token comes from `api_token` or the ``BRIA_API_TOKEN`` environment variable, the base
    URL from `base_url` or ``BRIA_BASE_URL``. One client holds one connection pool and one
    poller: share it across your app (for example from a FastAPI lifespan), in one event loop
    of one process (made before os.fork(), it raises ClientStateError in the child).
    Job tokens are signed with a key derived from the API token, or with `job_token_key`
    (16 bytes at least) for apps whose API token rotates. Requests keep to
    `settings.rate_limits` on `rate_limiter`: by default one of the client's own; pass one
    LocalRateLimiter to share it among clients, or a RedisRateLimiter among processes.

    `timeout` (seconds per attempt, or Timeouts) and `max_retries` are applied on top of
    `settings` and win over its fields; ``with_options()`` sets them for some calls only.
    `default_headers` go with every API request (not to storage hosts; never `api_token`).
    `session`: your own aiohttp.ClientSession for every request, used in its own event loop
    and left open when the client closes; without it the client makes one, which takes
    proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).
    ``BRIA_LOG=debug`` (or ``info``) logs to stderr.
    """

    def __init__(
        self,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        settings: Settings | None = None,
        timeout: float | Timeouts | None = None,
        max_retries: int | None = None,
        hooks: Hooks | None = None,
        allow_insecure_http: bool = False,
        job_token_key: str | bytes | None = None,
        rate_limiter: RateLimiter | None = None,
        default_headers: Mapping[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        configure_from_env()
        token = api_token if api_token is not None else os.environ.get("BRIA_API_TOKEN")
        if token is not None and not (isinstance(token, str) and is_header_value(token)):
            # the value is never shown: it may be a real token with a stray character
            raise ConfigurationError(
                "the Bria API token must be a string of printable ASCII characters (no line "
                "breaks or other control characters): check api_token= or BRIA_API_TOKEN"
            )
        self._token = Secret(token) if token else None
        # The derived key only (never the key given): the client's repr shows neither.
        self._job_token_key = (
            None if job_token_key is None else derive_key(check_key(job_token_key))
        )
        self.base_url, self.v2_base_url = versioned_base_urls(
            check_base_url(
                base_url or os.environ.get("BRIA_BASE_URL") or DEFAULT_BASE_URL,
                allow_insecure_http=allow_insecure_http,
            )
        )
        headers = check_default_headers(default_headers)
        own_session = check_session(session)
        if rate_limiter is not None and not isinstance(rate_limiter, RateLimiter):
            raise ValidationError(
                "rate_limiter", rate_limiter, "a RateLimiter (LocalRateLimiter, RedisRateLimiter)"
            )
        self.settings = apply_options(
            settings or Settings(), timeout=timeout, max_retries=max_retries
        )
        self._view_of: AsyncBria | None = None
        hooks = hooks or Hooks()
        transport = Transport(
            base_url=self.base_url,
            v2_base_url=self.v2_base_url,
            token=self._require_token,
            settings=self.settings,
            hooks=hooks,
            rate_limiter=rate_limiter,
            headers=headers,
            session=own_session,
        )
        self._runtime = Runtime(
            settings=self.settings,
            hooks=hooks,
            transport=transport,
            poller=Poller(transport, self.settings.polling, hooks),
            storage=Storage(transport, self.settings),
            token_key=self._token_key,
            allow_insecure_http=allow_insecure_http,
        )

    def _require_token(self) -> Secret:
        if self._token is None:
            raise ConfigurationError(
                "no Bria API token: pass AsyncBria(api_token=...) or set BRIA_API_TOKEN; "
                "to try the SDK without one, use `async with AsyncBria.emulated() as bria:`"
            )
        return self._token

    def _token_key(self) -> bytes:
        """The key that signs job tokens: the app's `job_token_key`, or one derived from the
        API token (so a token resumes only with the same Bria account)."""
        if self._job_token_key is not None:
            return self._job_token_key
        return derive_key(self._require_token().reveal())

    @classmethod
    def emulated(cls, **options: Any) -> contextlib.AbstractAsyncContextManager[Self]:
        """``async with AsyncBria.emulated() as bria:`` a client on the built-in emulator,
        started on 127.0.0.1 for the block: every route answers, no token or network needed.
        `options` (settings, hooks, ...) go to the client. Needs the ``emulator`` extra."""
        from ._emulated import emulated

        return emulated(cls, **options)

    def __repr__(self) -> str:
        token = "'***'" if self._token is not None else "None"
        return f"{type(self).__name__}(base_url={redact_url(self.base_url)!r}, api_token={token})"

    def with_options(
        self, *, timeout: float | Timeouts | None = None, max_retries: int | None = None
    ) -> AsyncBria:
        """This client with other timeouts or retries for the calls made through it:
        ``await bria.with_options(timeout=900).images.generate(...)``.

        A light view, made per call if you like: it shares this client's connection pool,
        poller, limits, storage and hooks, and is never closed on its own (close the client
        it came from). Every API request the view causes uses its options, its jobs' later
        ones too (calling again, v2 status and training status reads); placeholder probes
        and result downloads, which the shared poller and storage make, keep the client's.
        """
        view = copy.copy(self)
        # the namespaces cached on this client hold this client: the view makes its own
        cls = type(self)
        view.__dict__ = {
            k: v
            for k, v in self.__dict__.items()
            if not isinstance(getattr(cls, k, None), cached_property)
        }
        view.settings = apply_options(self.settings, timeout=timeout, max_retries=max_retries)
        view._runtime = attrs.evolve(self._runtime, settings=view.settings)
        view._view_of = self._view_of or self
        return view

    def _refuse_view(self) -> None:
        if self._view_of is not None:
            raise ClientStateError(
                "a with_options() view is not opened or closed on its own: "
                "open and close the client it came from"
            )

    async def __aenter__(self) -> Self:
        self._refuse_view()
        _ = self._runtime.transport.session  # opened here, in the running loop
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop polling (pending jobs fail with a clear error) and close the connections
        (a `session` given to the client is left open: it is the caller's)."""
        self._refuse_view()
        transport = self._runtime.transport
        if not transport.forked:  # in a forked child, the poller's tasks are the parent's
            await self._runtime.poller.close()
        await transport.close()

    async def close(self) -> None:
        """``await client.close()``: the same as `aclose`, as openai's and anthropic's
        clients name it."""
        await self.aclose()

    @cached_property
    def images(self) -> Images:
        return Images(self)

    @cached_property
    def jobs(self) -> Jobs:
        return Jobs(self._runtime, self._require_token)

    @cached_property
    def datasets(self) -> Datasets:
        return Datasets(self)

    @cached_property
    def models(self) -> Models:
        return Models(self)

    @cached_property
    def objects(self) -> Objects:
        return Objects(self)

    @cached_property
    def product(self) -> Product:
        return Product(self)

    @cached_property
    def search(self) -> Search:
        return Search(self)

    @cached_property
    def visuals(self) -> Visuals:
        return Visuals(self)

    @cached_property
    def background(self) -> Background:
        return Background(self)

    @cached_property
    def person(self) -> Person:
        return Person(self)

    @cached_property
    def v2(self) -> V2:
        """The v2 API: ``bria.v2.image.generate(...)``, its edits, ``bria.v2.status(id)``."""
        return V2(self)

    @cached_property
    def with_raw_response(self) -> AsyncBriaWithRawResponse:
        """This client's calls answered with their HTTP response:
        ``bria.with_raw_response.v2.image.generate(...)`` gives a RawResponse (`status_code`,
        `headers`, `request_id`, `url`; `parse()`: what the plain call returns). For a route
        that finishes later, the response is its submission's."""
        return AsyncBriaWithRawResponse(self)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Any:
        """Send any API request and return the answer's JSON (None when empty):
        ``await bria.request("POST", "/v2/image/edit/rewrite_text", json={...})``.

        The path's ``/v1/`` or ``/v2/`` says which base URL it goes under; a URL, a query
        (use `params`), or ``.``/``..`` segments are refused with ValidationError before
        anything is sent. It goes as the SDK's own calls go: with the token, retries by the
        same rules (a POST is billable: repeated only when the server cannot have done the
        work), the rate limit of its endpoint, the body caps and the redirect rules. A v2
        route's 202 answer is returned too: ``bria.v2.job(answer["request_id"])`` follows it.
        `extra_headers` go with it (never replacing the token); `timeout` bounds each
        attempt (writes get the longest timeout of the API by default).
        """
        return await _generic.request(
            self._runtime,
            method,
            path,
            json=json,
            params=params,
            extra_headers=extra_headers,
            timeout=timeout,
        )

    @overload
    async def gather(
        self,
        jobs: Iterable[Awaitable[R]],
        *,
        limit: int = ...,
        return_exceptions: Literal[False] = ...,
    ) -> list[R]: ...

    @overload
    async def gather(
        self, jobs: Iterable[Awaitable[R]], *, limit: int = ..., return_exceptions: Literal[True]
    ) -> list[R | BaseException]: ...

    async def gather(
        self, jobs: Iterable[Awaitable[R]], *, limit: int = 32, return_exceptions: bool = False
    ) -> list[R] | list[R | BaseException]:
        """Await many jobs or direct calls, at most `limit` at once; results in the order
        given."""
        return await _collections.gather(jobs, limit=limit, return_exceptions=return_exceptions)

    def as_completed(self, jobs: Iterable[Job[R]], *, limit: int = 32) -> AsyncIterator[Job[R]]:
        """Yield jobs as they finish, at most `limit` running at once."""
        # Jobs in, Jobs out (other awaitables would come out as their tasks)
        return cast("AsyncIterator[Job[R]]", _collections.as_completed(jobs, limit=limit))

    async def save(self, result: Savable[R], directory: str | os.PathLike[str]) -> R:
        """Download `result` (an ImageResult, EditResult, V2Result, Image or Masks) into
        `directory` under safe, new names, through this client (so results made by hand save
        too); the path, or the paths in order, written. ``result.save(directory)`` is the
        same for results this client made."""
        save_with = getattr(result, "_save_with", None)
        if save_with is None:
            raise TypeError(
                f"result: {result!r:.100} cannot be saved; pass an ImageResult, EditResult, "
                "V2Result, Image or Masks"
            )
        saved: R = await save_with(self._runtime.storage, directory)
        return saved


class AsyncBriaWithRawResponse(AsyncBriaNamespacesWithRawResponse):
    """``bria.with_raw_response``: the client's namespaces (generated) and `request`, their
    calls answering a RawResponse of what the plain call returns."""

    request = raw_call(AsyncBria.request)


#: The name the SDK had first: the same class as AsyncBria, so isinstance holds either way.
BriaClient = AsyncBria
