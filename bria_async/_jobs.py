"""Job: what a route that finishes later returns, awaitable, and resumable from a token.

A Job is lazy: nothing is sent until it is awaited or `submit()` is called, and it submits at
most once however often it is awaited. The send runs in a task of its own, which also starts
the route's completion strategy (`_completion.py`), so a submitted job completes on the shared
poller even if nobody waits. A wait that ends first raises JobTimeoutError and leaves the job
as it is; a window that ends leaves it STALLED, and the next wait follows it again. Its states
and how its completion moves it between them: `_job_state.py`; its token: `_job_tokens.py`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import warnings
from collections.abc import AsyncIterator, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ._completion import Direct
from ._direct import PARSE_ERRORS, decode, eager_task
from ._errors import BriaError, InvalidJobTokenError, JobCancelledError, JobError, JobFailedError
from ._events import current_job
from ._forks import forked_error
from ._job_handle import ANSWERED, FollowedJob
from ._job_state import FINAL, JobState, JobStatus
from ._job_tokens import read_token, restore, token_of
from ._request import Deadline

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._runtime import Runtime
    from ._specs import JobSpec
    from ._tokens import TokenData

#: JobStatus is re-exported from `_job_state`: it is read with the Job.
__all__ = ["HasImages", "I", "Job", "JobStatus", "R", "RetiredModelVersionWarning"]

R = TypeVar("R", covariant=True)
I_co = TypeVar("I_co", covariant=True)
I = TypeVar("I")  # noqa: E741 - the image type of a result


class HasImages(Protocol[I_co]):
    """A result that holds images (ImageResult, EditResult): what `as_completed` yields."""

    @property
    def images(self) -> Sequence[I_co]: ...


class RetiredModelVersionWarning(UserWarning):
    """The server answered 209: the requested model version is retired, the latest was used."""


class Job(JobState[R]):
    """An API call and everything that follows it, awaitable any number of times.

    `await job` sends it (once), waits, and returns the typed result. `await job.submit()`
    only sends it, so `job.urls` and `job.to_dict()` are ready to hand out.
    """

    # --- what users read -------------------------------------------------------------
    @property
    def kind(self) -> str:
        """The route this Job calls, for example ``images.generate``."""
        return self._spec.kind

    @property
    def status(self) -> JobStatus:
        return self._status

    @property
    def urls(self) -> tuple[str, ...]:
        """The placeholder URLs the server answered with (empty before the submission)."""
        state = self._completion.state() if self._completion is not None else {}
        return tuple(state.get("urls", ()))

    @property
    def request_id(self) -> str | None:
        """The v2 request id Bria answered with (None for v1 routes, or before it was sent)."""
        state = self._completion.state() if self._completion is not None else {}
        rid = state.get("request_id")
        if rid is None and isinstance(self._body, Mapping):
            rid = self._body.get("request_id")
        return rid if isinstance(rid, str) else None

    @property
    def pending_urls(self) -> tuple[str, ...]:
        return self._completion.pending_urls if self._completion is not None else ()

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self._submitted_time()

    def done(self) -> bool:
        """True once the job has its result, failed, or was cancelled."""
        return self._status in FINAL

    def exception(self) -> BaseException | None:
        """The error the job ended with; for a STALLED job, the JobTimeoutError of its window."""
        return self._error if self._error is not None else self._stalled

    def result(self) -> R:
        """The result of a finished job; raises its error, or JobError if not done yet."""
        error = self._error if self._error is not None else self._stalled
        if error is not None:
            raise error
        if self._status is not JobStatus.DONE:
            raise JobError(f"job {self.id} is {self._status.value}, not done", job_id=self.id)
        return self._result  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"<Job {self.kind} id={self.id} status={self._status.value} images={len(self.urls)}>"

    def __del__(self) -> None:
        if self._status is JobStatus.PENDING and self._send_task is None:
            warnings.warn(
                f"{self!r} was never sent: await it or call submit()",
                RuntimeWarning,
                stacklevel=2,
                source=self,
            )

    # --- sending ---------------------------------------------------------------------
    async def submit(self) -> Self:
        """Send the request if it was not sent yet, and return this Job once it was.

        From then on the job completes on its own (the client's poller follows it), so
        results are ready when awaited later, without a task per job. Cancelling the caller
        does not abort the request, which the server may bill: the job still completes.
        """
        await self._sent(None)
        return self

    async def _sent(self, deadline: float | None) -> bool:
        """Wait until the job was sent (sending it if needed), at most until `deadline`;
        False if that came first. Raises the submission's error, or JobCancelledError."""
        if self._status is JobStatus.CANCELLED:
            raise JobCancelledError(job_id=self.id)
        if self._submitted_at is None:
            task = self._send_task
            if task is None:
                if self._runtime.transport.forked:  # said before asyncio refuses the inherited loop
                    error = forked_error("BriaClient")
                    self._fail(error)
                    raise error
                task = eager_task(self._send())
                task.add_done_callback(self._on_sent)
                self._send_task = task
            if not task.done():
                # A future of the caller's own, not the task: cancelling the caller does not
                # abort a request the server may bill (like asyncio.shield, one step sooner).
                waiter = task.get_loop().create_future()
                self._send_waiters.append(waiter)
                if deadline is None:
                    await waiter  # one event loop iteration sooner than asyncio.wait
                else:
                    await asyncio.wait((waiter,), timeout=max(0.0, deadline - time.monotonic()))
                    if not waiter.done():
                        return False
            if self._error is not None:
                raise self._error
        if self._status not in FINAL:  # (a direct answer is final: nothing to start)
            self._start()
        return True

    def _on_sent(self, task: asyncio.Task[None]) -> None:
        """Wake the submitters, which `_send` did already unless the task was cancelled
        before it ever ran; such a job failed (or was cancelled) without being sent."""
        if task.cancelled():
            self._fail(JobFailedError("the submission was interrupted", job_id=self.id))
        self._wake_senders()

    def _wake_senders(self) -> None:
        waiters, self._send_waiters = self._send_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _send(self) -> None:
        call = self._call
        assert call is not None
        runtime = self._runtime
        if runtime.hooks.on_request is not None:
            current_job.set(self.id)  # this task's own context: its request events name the job
        try:
            if call.prepare is not None:
                call = await call.prepare(call)
            try:
                deadline = Deadline.after(runtime.settings.polling.job_timeout)
                response = await runtime.transport.send(call.sent_with(runtime.options, deadline))
            except BriaError as exc:
                if not self._spec.finish.not_final(exc):
                    raise
                self._accept(205, None)  # the info routes' "call again", spelled as a 400
            else:
                self._accept(response.status, await decode(self._spec, response, runtime))
        except asyncio.CancelledError:
            self._fail(JobFailedError("the submission was interrupted", job_id=self.id))
            raise
        except Exception as exc:
            self._fail(exc)
        finally:  # wake the waiters now rather than from the task's done callback, a step later
            self._wake_senders()
            task = self._send_task
            if task is not None:  # it ran: the callback has nothing left to do
                task.remove_done_callback(self._on_sent)

    def _accept(self, http_status: int, body: Any) -> None:
        """The submission's answer: keep it, and start the route's way of finishing."""
        if http_status == 209:
            version = self._context.get("model_version", "requested")
            warnings.warn(
                f"job {self.id}: model version {version} is retired; Bria answered with its "
                "latest version instead (209)",
                RetiredModelVersionWarning,
                stacklevel=2,
            )
        self._http_status = http_status
        self._body = body
        self._submitted_at = time.time()
        finish = self._spec.finish
        if type(finish) is Direct:  # the answer is the result: no strategy to follow it
            self._completion = ANSWERED
            self._set_status(JobStatus.SUBMITTED)
            self._started = True
            self._complete()
            return
        self._completion = finish.begin(FollowedJob(self), http_status)
        self._set_status(JobStatus.SUBMITTED)
        self._start()

    def _start(self) -> None:
        """Start the completion once; after a window ended, give it a new one."""
        completion = self._completion
        if completion is None or self._status in FINAL:
            return
        if not self._started:
            self._started = True
            self._window_opened = time.monotonic()
            completion.start()
        elif self._status is JobStatus.STALLED:
            self._stalled = None
            self._window_opened = time.monotonic()
            self._set_status(JobStatus.RUNNING)
            completion.rearm()
        if self._status is JobStatus.SUBMITTED:
            self._set_status(JobStatus.RUNNING)

    # --- waiting ---------------------------------------------------------------------
    def __await__(self) -> Generator[Any, None, R]:
        return self.wait().__await__()

    async def wait(self, timeout: float | None = None) -> R:
        """Send if needed, then wait for the result at most `timeout` seconds.

        If the wait ends first, or the job's polling window ends, JobTimeoutError says what
        is still pending; the job goes on (or is STALLED) and can be awaited again. A failed
        job raises its own error. Cancelling the waiting task leaves the job as it was.
        """
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        if not await self._sent(deadline):
            raise self._timeout_error(time.monotonic() - started, submitting=True)
        while self._status not in FINAL:
            if self._status is JobStatus.STALLED:
                raise self._timeout_error(time.monotonic() - started)
            if not await self._next_change(deadline):
                raise self._timeout_error(time.monotonic() - started)
        return self.result()

    async def as_completed(self: Job[HasImages[I]]) -> AsyncIterator[I]:
        """Yield each image of the job the moment it is ready (all at once for routes
        without placeholders); JobTimeoutError if the polling window ends first."""
        started = time.monotonic()
        await self._sent(None)
        given: set[int] = set()
        while True:
            if self._error is not None:
                raise self._error
            ready = self._completion.ready_images() if self._completion is not None else None
            # Done before this pass: the pass gives every image left. Done during it (while
            # the caller held an image), the next pass gives those it went past.
            finished = self.done()
            if self._parsed and (finished or ready is not None):
                images = self._result.images  # type: ignore[union-attr]
                for i, image in enumerate(images):
                    if i not in given and (finished or (ready is not None and ready[i])):
                        given.add(i)
                        yield image
            if self._error is not None:  # it may have failed while the caller held an image
                raise self._error
            if finished:
                return
            if self.done() or (
                ready is not None and any(r and i not in given for i, r in enumerate(ready))
            ):
                continue  # it changed while the caller held an image: another pass
            if self._status is JobStatus.STALLED:
                raise self._timeout_error(time.monotonic() - started)
            await self._next_change(None)

    async def _next_change(self, deadline: float | None) -> bool:
        """Wait for the job's next change (an image ready, done, stalled); False at deadline."""
        changed = self._changed
        if changed is None:
            changed = self._changed = asyncio.get_running_loop().create_future()
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        done, _ = await asyncio.wait((changed,), timeout=left)
        return bool(done)

    def cancel(self) -> bool:
        """Stop the job: no more polling; waiters get JobCancelledError. False if done."""
        if self.done():
            return False
        if self._send_task is not None and not self._send_task.done():
            self._send_task.cancel()
        self._fail(JobCancelledError(job_id=self.id))
        return True

    # --- tokens ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A signed, JSON-able token from which `bria.jobs.resume()` rebuilds this job.

        It holds the server's answer, the request's ids and which images were ready, never
        the API token; its signature makes it resumable only with the same API token (or
        `job_token_key`). Whoever holds it can poll the job's placeholder URLs and read its
        result: hand it only to those who may see the images.
        """
        return token_of(self)

    @classmethod
    def _from_token(
        cls,
        runtime: Runtime,
        token: object,
        specs: Mapping[str, JobSpec[Any]],
        expect: type[Any] | None = None,
    ) -> Job[Any]:
        """The Job a token describes, its kind looked up in `specs` (`_registry.SPECS`),
        checked in full before anything is sent; with `expect`, also that its route gives
        results of that type."""
        spec, data = read_token(runtime, token, specs, expect)
        try:
            return cls._sent_before(runtime, spec, data)
        except (*PARSE_ERRORS, BriaError) as exc:
            raise InvalidJobTokenError(
                f"the job token of {data.kind} is not valid: {exc}"
            ) from None

    @classmethod
    def _sent_before(cls, runtime: Runtime, spec: JobSpec[Any], data: TokenData) -> Job[Any]:
        """The Job `data` describes, sent before (by this process or another), followed
        again by its route's plan from `data.state`, never sent again; raises what the
        plan's `restore` raises when the state is not valid. An empty `data.id`: a new id."""
        job: Job[Any] = cls(runtime, spec, None, context=data.context, job_id=data.id or None)
        restore(job, data)
        return job
