"""What every namespace shares: the client's runtime, the Call of a route's row, and the
two ways to answer it: a Job (routes that finish later) or the result (direct routes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .. import _direct
from .._extras import NO_EXTRAS, CallExtras, sent_with
from .._jobs import Job
from .._request import Call, TimeoutKind
from .._routes import ROUTE, Route
from .._specs import JobSpec
from .._validation import check_prompts

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from .._runtime import Runtime
    from .._settings import Settings

R = TypeVar("R")


class Owner(Protocol):
    """What a namespace needs of the client that passes itself down: its settings and
    working parts (the client's layer is above the namespaces: they never import it)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def _runtime(self) -> Runtime: ...


def call_of(
    route: str | Route,
    ids: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Callable[[], Any] | None = None,
    kind: TimeoutKind = "quick",
    prepare: Callable[[Call], Awaitable[Call]] | None = None,
) -> Call:
    """The Call of the route (a row of `_routes.ROUTES`, or its name) with its path `ids`
    filled in (already checked): method, path, version, billing and rate-limit endpoint all
    come from the row. (Its arguments may go positionally: cheaper, and made per call.)"""
    row = ROUTE[route] if isinstance(route, str) else route
    path = row.path.format_map(ids) if ids else row.path
    # positionally: keywords would cost the call of a class a dict (one Call per request)
    return Call(
        row.method,
        path,
        params,
        json,
        data,
        kind,
        row.billable,
        row.version,
        row.repeat,
        prepare,
        None,
        None,
        row.endpoint,
    )


class Resource:
    """A namespace of the client (``bria.images``, ``bria.visuals``, ...)."""

    def __init__(self, client: Owner) -> None:
        self._client = client

    def _job(
        self,
        spec: JobSpec[R],
        call: Call,
        *,
        context: Mapping[str, Any] | None = None,
        extras: CallExtras = NO_EXTRAS,
    ) -> Job[R]:
        """A lazy Job for `call` with the caller's `extras` (checked now: `_extras.sent_with`):
        nothing is sent until it is awaited or submitted. Every prompt of its JSON body is
        checked against `Settings.max_prompt_chars` here, the one place every body passes."""
        runtime, call = sent_with(self._client._runtime, call, extras)
        if type(call.json) is dict:
            check_prompts(call.json, self._client.settings.max_prompt_chars)
        # positionally: keywords would cost the call of a class a dict (one Job per call)
        return Job(runtime, spec, call, context)

    def _direct(
        self,
        spec: JobSpec[R],
        call: Call,
        context: Mapping[str, Any] | None = None,
        extras: CallExtras = NO_EXTRAS,
    ) -> Awaitable[R]:
        """The result of a direct route's `call` with the caller's `extras` (awaited at once
        by the method that makes it): no Job. Checked as a Job's are (`_job`)."""
        client = self._client
        runtime, call = sent_with(client._runtime, call, extras)
        if type(call.json) is dict:
            check_prompts(call.json, client.settings.max_prompt_chars)
        return _direct.run(runtime, spec, call, context)
