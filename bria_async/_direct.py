"""Direct routes: the answer is the result. One request, decoded and parsed exactly as a
Job's answer is (`decode`, `parse`: the Job's own code), with no Job, token or poll.

A billable call runs in a task of its own whose outcome the caller awaits (shielded):
cancelling the caller does not abort a request the server may bill; the task ends it and
logs that its result was dropped. Other calls run in the caller's own task, no task made.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import os
import sys
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ._errors import APIResponseValidationError
from ._request import Call, Deadline
from .types._download import ResultContext

if TYPE_CHECKING:
    from ._runtime import Runtime
    from ._specs import JobSpec
    from ._transport import Response

R = TypeVar("R")
T = TypeVar("T")
#: Job and result ids: random per process, then counted (unique without a system call).
_ID_PREFIX = os.urandom(8).hex()
_ID_COUNTER = itertools.count()
#: What a parser raises on an answer of another shape than it expects.
PARSE_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)
_UTC = dt.timezone.utc
_EMPTY: Mapping[str, Any] = {}
_log = logging.getLogger("bria_async")
#: Billable calls whose caller was cancelled, held until they end (the loop keeps only weak
#: references to tasks).
_ORPHANS: set[asyncio.Task[Any]] = set()


if sys.version_info >= (3, 12):

    def eager_task(coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """A task for `coro` that starts at once where asyncio can (3.12+): the request goes
        out in this event loop iteration instead of the next one."""
        return asyncio.Task(coro, loop=asyncio.get_running_loop(), eager_start=True)

else:

    def eager_task(coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """A task for `coro` (asyncio starts it in the next event loop iteration); made as on
        3.12+, without going through the loop's task factory."""
        return asyncio.Task(coro, loop=asyncio.get_running_loop())


def new_id() -> str:
    """A new job (or direct result) id."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


async def decode(spec: JobSpec[Any], response: Response, runtime: Runtime) -> Any:
    """The JSON-able body of a success `response` that `spec` parses (its JSON by default)."""
    decoder = spec.decode
    return response.json() if decoder is None else await decoder(response, runtime)


def parse(spec: JobSpec[R], body: Any, context: ResultContext, http_status: int | None) -> R:
    """`spec`'s result of `body`; APIResponseValidationError (with an excerpt) when the
    answer does not have the shape the parser expects."""
    try:
        return spec.parse(body, context)
    except PARSE_ERRORS as exc:
        error = APIResponseValidationError(
            f"unexpected answer ({exc})",
            job_id=context.job_id,
            status=http_status,
            excerpt=repr(body)[:200],
        )
        raise error from exc


async def run(
    runtime: Runtime, spec: JobSpec[R], call: Call, context: Mapping[str, Any] | None
) -> R:
    """The result of a direct route's `call`, sent with the runtime's options and the job
    deadline (``polling.job_timeout``)."""
    if not call.billable:
        return await _send(runtime, spec, call, context)
    # Shielded, as asyncio.shield does, one event loop iteration sooner: the task hands its
    # outcome to a future of the caller's own, whose cancellation leaves the task running.
    answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
    task = eager_task(_settle(answer, _send(runtime, spec, call, context)))
    try:
        return await answer
    except asyncio.CancelledError:
        if not task.done():
            _ORPHANS.add(task)  # held until it ends
        raise


async def _settle(answer: asyncio.Future[R], work: Coroutine[Any, Any, R]) -> None:
    """Run `work` and hand its outcome to `answer`, or say it was dropped when the caller
    was cancelled meanwhile."""
    try:
        result = await work
    except Exception as exc:
        if not answer.done():
            answer.set_exception(exc)
        else:
            _dropped(exc)
    except BaseException:  # the task was cancelled (the loop closes): so is the caller's wait
        answer.cancel()
        _ORPHANS.discard(asyncio.current_task())
        raise
    else:
        if not answer.done():
            answer.set_result(result)
        else:
            _dropped(None)


async def _send(
    runtime: Runtime, spec: JobSpec[R], call: Call, context: Mapping[str, Any] | None
) -> R:
    if call.prepare is not None:
        call = await call.prepare(call)
    deadline = Deadline.after(runtime.settings.polling.job_timeout)
    response = await runtime.transport.send(call.sent_with(runtime.options, deadline))
    body = await decode(spec, response, runtime)
    # job_id, submitted_at, context, downloader: positionally (keywords cost a dict)
    result_context = ResultContext(
        new_id(), dt.datetime.now(_UTC), _EMPTY if context is None else context, runtime.storage
    )
    return parse(spec, body, result_context, response.status)


def _dropped(error: BaseException | None) -> None:
    """A billable call ended after its caller was cancelled: say so, and how."""
    _ORPHANS.discard(asyncio.current_task())
    _log.warning(
        "a billable direct call completed after its caller was cancelled (result dropped)%s",
        "" if error is None else f"; it failed: {type(error).__name__}: {error}",
    )
