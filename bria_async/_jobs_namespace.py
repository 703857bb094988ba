"""``bria.jobs``: Jobs brought back from their signed tokens, and v2 Jobs settled by webhook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from ._jobs import Job
from ._registry import SPECS
from ._runtime import EARLY_EVENTS, Runtime
from ._urls import Secret
from .types.v2 import StatusEvent
from .webhooks import parse_event, verify_signature

R = TypeVar("R")


class Jobs:
    """``bria.jobs``: bring back a Job from its signed token; settle v2 Jobs by webhook."""

    def __init__(self, runtime: Runtime, token: Callable[[], Secret]) -> None:
        self._runtime = runtime
        self._token = token

    @overload
    def resume(self, token: Mapping[str, Any]) -> Job[Any]: ...

    @overload
    def resume(self, token: Mapping[str, Any], expect: type[R]) -> Job[R]: ...

    def resume(self, token: Mapping[str, Any], expect: type[Any] | None = None) -> Job[Any]:
        """The Job that `token` (from ``job.to_dict()``) describes, followed again, never
        re-sent. `expect` (for example ImageResult) types the Job and checks its route.

        The token's signature and every field are checked first: a token that was altered,
        made with another API token (or `job_token_key`), or is malformed raises
        InvalidJobTokenError before any request. The requests it leads to are rebuilt from
        the route and its checked ids, never taken from the token.
        """
        return Job._from_token(self._runtime, token, SPECS, expect)

    def receive(
        self, body: bytes, headers: Mapping[str, str], *, tolerance: float | None = 300
    ) -> bool:
        """One webhook delivery as it arrived, whatever the web framework: its signature is
        checked with this client's API token (WebhookVerificationError if it does not hold),
        then its status is delivered (see `deliver`). True if it settled a Job here.
        `tolerance`: see `bria_async.webhooks.check_headers` for what it trades."""
        verify_signature(body, headers, api_token=self._token().reveal(), tolerance=tolerance)
        return self.deliver(parse_event(body))

    def deliver(self, event: StatusEvent) -> bool:
        """Settle the v2 Job this process follows for `event.request_id` with a status a
        webhook delivered (parse and verify it with `bria_async.webhooks` first): a final
        status completes or fails it at once and its polling stops. False if no such Job is
        followed here, or the status is not final. A final status that arrives before its
        job's submission was answered is kept (a few hundred at most) and settles the job
        as soon as it starts following its status."""
        runtime = self._runtime
        completion = runtime.v2_jobs.get(event.request_id)
        if completion is None:
            if event.status.final:
                runtime.early_events[event.request_id] = event.body
                while len(runtime.early_events) > EARLY_EVENTS:
                    runtime.early_events.popitem(last=False)
            return False
        return bool(completion.deliver(event.body))
