"""Many Jobs at once: `gather` keeps order, `as_completed` yields jobs as they finish."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
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


async def as_completed(jobs: Iterable[Job[R]], *, limit: int = 32) -> AsyncIterator[Job[R]]:
    """Yield each job once it is done or failed, with at most `limit` running at once.

    Read each job's outcome with ``await job`` (returns at once) or ``job.exception()``.
    Breaking out of the loop stops the jobs not yet started; running ones keep their state.
    """
    _check_limit(limit)
    todo = iter(list(jobs))
    running: dict[asyncio.Task[None], Job[R]] = {}
    # Each task reports itself when done: O(1) per job, where asyncio.wait over every running
    # task cost O(limit) per job finished.
    finished: asyncio.Queue[asyncio.Task[None]] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def start_next() -> None:
        for job in todo:
            task = loop.create_task(_settle(job))
            task.add_done_callback(finished.put_nowait)
            running[task] = job
            return

    try:
        for _ in range(limit):
            start_next()
        while running:
            job = running.pop(await finished.get())
            start_next()
            yield job
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        for job in todo:  # never started: close them quietly, they were never sent
            job.cancel()


async def gather(
    jobs: Iterable[Job[R]], *, limit: int = 32, return_exceptions: bool = False
) -> list[R | BaseException]:
    """Run `jobs` with at most `limit` at once and return their results in the given order.

    Every job runs to its end even when one fails; then the first failure (in order) is
    raised, unless `return_exceptions` puts each error in its job's place in the list.
    """
    job_list = list(jobs)
    async for _ in as_completed(job_list, limit=limit):
        pass
    results: list[R | BaseException] = []
    for job in job_list:
        error = job.exception()
        if error is not None:
            if not return_exceptions:
                raise error
            results.append(error)
        else:
            results.append(job.result())
    return results
