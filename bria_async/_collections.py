"""Many Jobs (or other awaitables) at once: `gather` keeps order, `as_completed` yields
them as they finish."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Iterable
from typing import Any, TypeVar

from ._errors import ValidationError
from ._jobs import Job

R = TypeVar("R")


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValidationError("limit", limit, "an integer of at least 1")


async def _settle(job: Job[Any]) -> None:
    """Await a job, leaving its outcome on the job (result or exception)."""
    with contextlib.suppress(Exception):  # the job keeps its error for the caller
        await job


async def as_completed(
    jobs: Iterable[Awaitable[R]], *, limit: int = 32
) -> AsyncIterator[Job[R] | asyncio.Future[R]]:
    """Yield each job once it is done or failed, with at most `limit` running at once; an
    awaitable that is no Job (a direct route's coroutine) runs as a task, which is yielded.

    Read each job's outcome with ``await job`` (returns at once) or ``job.exception()``.
    Breaking out of the loop stops the jobs not yet started; running ones keep their state.
    """
    async for _, outcome in _finished(jobs, limit):
        yield outcome


async def _finished(
    jobs: Iterable[Awaitable[R]], limit: int
) -> AsyncIterator[tuple[int, Job[R] | asyncio.Future[R]]]:
    """(position, the Job or the awaitable's task) of each job as it ends."""
    _check_limit(limit)
    todo = enumerate(list(jobs))
    running: dict[asyncio.Future[Any], tuple[int, Job[R] | asyncio.Future[R]]] = {}
    # Each task reports itself when done: O(1) per job, where asyncio.wait over every running
    # task cost O(limit) per job finished.
    finished: asyncio.Queue[asyncio.Future[Any]] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def start_next() -> None:
        for index, job in todo:
            task = _started(loop, job)
            running[task] = (index, job if isinstance(job, Job) else task)
            task.add_done_callback(finished.put_nowait)
            return

    try:
        for _ in range(limit):
            start_next()
        while running:
            done = running.pop(await finished.get())
            start_next()
            yield done
    finally:
        await _stop(running, todo)


def _started(loop: asyncio.AbstractEventLoop, job: Awaitable[Any]) -> asyncio.Future[Any]:
    """The task that runs `job`: a Job settles in it (and keeps its outcome); any other
    awaitable's task holds the outcome the caller reads."""
    if isinstance(job, Job):
        return loop.create_task(_settle(job))
    return asyncio.ensure_future(job)


async def _stop(running: Iterable[asyncio.Future[Any]], todo: Iterable[Any]) -> None:
    """Cancel what still runs and close what never started, quietly: it was never sent."""
    tasks = list(running)
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
    for _, job in todo:
        if isinstance(job, Job):
            job.cancel()
        elif asyncio.iscoroutine(job):
            job.close()


async def gather(
    jobs: Iterable[Awaitable[R]], *, limit: int = 32, return_exceptions: bool = False
) -> list[R | BaseException]:
    """Run `jobs` (Jobs, or any awaitables such as a direct route's call) with at most
    `limit` at once and return their results in the given order.

    Every job runs to its end even when one fails; then the first failure (in order) is
    raised, unless `return_exceptions` puts each error in its job's place in the list.
    """
    ended = sorted([done async for done in _finished(jobs, limit)], key=lambda done: done[0])
    results: list[R | BaseException] = []
    for _, job in ended:
        error = job.exception()
        if error is not None:
            if not return_exceptions:
                raise error
            results.append(error)
        else:
            results.append(job.result())
    return results
