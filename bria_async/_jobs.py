"""Job: the one awaitable every namespace method returns, and its resumable token.

A Job is lazy: nothing is sent until it is awaited or `submit()` is called, and it submits at
most once however often it is awaited. What happens after the submission depends on the
route (its JobSpec): direct routes are done with their response; `sync=false` routes wait
until every placeholder URL holds its image (the shared poller probes them); onboarding
routes call again while the server answers 205; training follows the model's status.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import time
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._errors import BriaError, JobCancelledError, JobError, JobFailedError, JobTimeoutError
from ._events import JobEvent, emit
from ._poller import EXPIRED, FAILED, READY
from ._retry import Deadline
from ._specs import Call, JobSpec, ResultContext, spec_for
from ._transport import Response

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._runtime import Runtime

R = TypeVar("R")
TOKEN_VERSION = 1


class RetiredModelVersionWarning(UserWarning):
    """The server answered 209: the requested model version is retired, the latest was used."""


class JobStatus(str, enum.Enum):
    """Where a Job stands."""

    PENDING = "pending"
    SUBMITTED = "submitted"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Job(Generic[R]):
    """An API call and everything that follows it, awaitable any number of times.

    `await job` sends it (once), waits, and returns the typed result. `await job.submit()`
    only sends it, so `job.urls` and `job.to_dict()` are ready to hand out.
    """

    def __init__(
        self,
        runtime: Runtime,
        spec: JobSpec[R],
        call: Call | None,
        *,
        context: Mapping[str, Any] | None = None,
        job_id: str | None = None,
    ) -> None:
        self._runtime = runtime
        self._spec = spec
        self._call = call
        self._context = dict(context or {})
        self.id = job_id or uuid.uuid4().hex
        self._status = JobStatus.PENDING
        self._response: Any = None
        self._http_status: int | None = None
        self._submitted_at: float | None = None
        self._urls: tuple[str, ...] = ()
        self._ready: list[bool] = []
        self._expired: list[bool] = []
        self._submit_task: asyncio.Task[None] | None = None
        self._send_waiters: list[asyncio.Future[None]] = []
        self._done: asyncio.Future[None] | None = None
        self._stalled: asyncio.Future[None] | None = None
        self._image_futs: list[asyncio.Future[BaseException | None]] = []
        self._watches: list[Any] = []
        self._result: R | None = None
        self._error: BaseException | None = None
        self._armed = False

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
        return self._urls

    @property
    def pending_urls(self) -> tuple[str, ...]:
        return tuple(u for u, ok in zip(self._urls, self._ready, strict=True) if not ok)

    @property
    def submitted_at(self) -> dt.datetime | None:
        if self._submitted_at is None:
            return None
        return dt.datetime.fromtimestamp(self._submitted_at, tz=dt.timezone.utc)

    def done(self) -> bool:
        """True once the job has its result, failed, or was cancelled."""
        return self._status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)

    def exception(self) -> BaseException | None:
        """The error the job ended with, or None."""
        return self._error

    def result(self) -> R:
        """The result of a finished job; raises its error, or JobError if not done yet."""
        if self._error is not None:
            raise self._error
        if self._status is not JobStatus.DONE:
            raise JobError(f"job {self.id} is {self._status.value}, not done", job_id=self.id)
        return self._result  # type: ignore[return-value]

    def __repr__(self) -> str:
        status = self._status.value
        return f"<Job {self.kind} id={self.id} status={status} images={len(self._urls)}>"

    def __del__(self) -> None:
        if self._status is JobStatus.PENDING and self._submit_task is None:
            warnings.warn(
                f"{self!r} was never sent: await it or call submit()",
                RuntimeWarning,
                stacklevel=2,
                source=self,
            )

    # --- sending ---------------------------------------------------------------------
    async def submit(self) -> Self:
        """Send the request if it was not sent yet, and return this Job once it was.

        From then on the job completes on its own (the client's poller probes its placeholder
        URLs), so results are ready when awaited later, without a task per job.
        """
        if self._status is JobStatus.CANCELLED:
            raise JobCancelledError(job_id=self.id)
        if self._submitted_at is None:
            task = self._submit_task
            if task is None:
                task = asyncio.get_running_loop().create_task(self._send())
                task.add_done_callback(self._on_sent)
                self._submit_task = task
            if not task.done():
                # A future of the caller's own, not the task: cancelling the caller does not
                # abort a request the server may bill (like asyncio.shield, one step sooner).
                waiter = task.get_loop().create_future()
                self._send_waiters.append(waiter)
                await waiter
            if task.cancelled():
                if isinstance(self._error, JobCancelledError):
                    raise JobCancelledError(job_id=self.id)
                raise asyncio.CancelledError
            error = task.exception()
            if error is not None:
                raise error
        self._arm()
        return self

    def _on_sent(self, task: asyncio.Task[None]) -> None:
        """Mark the submission's exception as seen (the Job keeps it) and wake its waiters,
        which `_send` did already unless the task was cancelled before it ever ran."""
        if not task.cancelled():
            task.exception()
        self._wake_senders()

    def _wake_senders(self) -> None:
        waiters, self._send_waiters = self._send_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _send(self) -> None:
        try:
            await self._send_once()
        finally:  # wake the waiters now rather than from the task's done callback, a step later
            self._wake_senders()

    async def _send_once(self) -> None:
        assert self._call is not None
        call = self._call
        runtime = self._runtime
        try:
            if call.prepare is not None:
                call = await call.prepare(call)
            response = await runtime.transport.request(
                call.method,
                call.path,
                params=call.params,
                json=call.json,
                data=call.data,
                kind=call.kind,
                billable=call.billable,
                deadline=Deadline.after(runtime.settings.polling.job_timeout),
            )
            decode = self._spec.decode
            body = response.json() if decode is None else await decode(response, runtime)
        except BaseException as exc:
            self._fail(exc)
            raise
        self._accept(response.status, body, time.time())

    def _accept(self, http_status: int, body: Any, submitted_at: float) -> None:
        if http_status == 209:
            version = self._context.get("model_version", "requested")
            warnings.warn(
                f"job {self.id}: model version {version} is retired; Bria answered with its "
                "latest version instead (209)",
                RetiredModelVersionWarning,
                stacklevel=2,
            )
        self._http_status = http_status
        self._response = body
        self._submitted_at = submitted_at
        if self._spec.placeholders is not None and not self._context.get("sync"):
            try:
                self._urls = tuple(self._spec.placeholders(body))
            except (KeyError, TypeError, ValueError, IndexError) as exc:
                self._submitted_at = submitted_at
                self._fail(JobFailedError(f"unexpected response {body!r:.300}", job_id=self.id,
                                          cause=exc))
                return
        self._ready = [False] * len(self._urls)
        self._expired = [False] * len(self._urls)
        self._set_status(JobStatus.SUBMITTED)
        self._call = None if not self._spec.again_on_205 else self._call

    # --- waiting ---------------------------------------------------------------------
    def __await__(self) -> Generator[Any, None, R]:
        return self.wait().__await__()

    async def wait(self, timeout: float | None = None) -> R:
        """Send if needed, then wait for the result at most `timeout` seconds.

        On timeout, JobTimeoutError names the URLs still pending; the job goes on and can be
        awaited again. Cancelling the waiting task leaves the job as it was.
        """
        started = time.monotonic()
        if timeout is None:
            await self.submit()
        else:
            try:
                await asyncio.wait_for(self.submit(), timeout)
            except TimeoutError:
                raise JobTimeoutError(
                    job_id=self.id, pending_urls=(), waited=time.monotonic() - started
                ) from None
        self._arm()
        assert self._done is not None
        assert self._stalled is not None
        if not self._done.done():
            left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
            await asyncio.wait({self._done, self._stalled}, timeout=left,
                               return_when=asyncio.FIRST_COMPLETED)
        if not self._done.done():
            raise self._timeout_error(time.monotonic() - started)
        return self.result()

    async def as_completed(self) -> AsyncIterator[Any]:
        """Yield each image of the job the moment it is ready (all at once for direct routes)."""
        await self.submit()
        self._arm()
        assert self._done is not None
        assert self._stalled is not None
        if not self._urls:
            await asyncio.wait({self._done, self._stalled}, return_when=asyncio.FIRST_COMPLETED)
            for item in getattr(self.result(), "images", ()):
                yield item
            return
        result = self._result
        pending = {fut: i for i, fut in enumerate(self._image_futs)}
        while pending:
            waiters: set[asyncio.Future[Any]] = {*pending, self._stalled}
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finished = sorted(pending[f] for f in pending if f.done())
            if not finished:
                raise self._timeout_error(0.0)
            for i in finished:
                error = self._image_futs[i].result()
                del pending[self._image_futs[i]]
                if error is not None:
                    raise error
                yield getattr(result, "images")[i]  # noqa: B009 - results with urls have images

    def _timeout_error(self, waited: float) -> JobTimeoutError:
        """The error for a wait that ended first: the URLs still pending, or else the status
        the job is still calling for (an info route's 205, a training's model status)."""
        return JobTimeoutError(job_id=self.id, pending_urls=self.pending_urls, waited=waited,
                               waiting_for=f"{self.kind}, whose status is not final yet")

    def _arm(self) -> None:
        """Create the completion machinery once, and re-open an expired polling window."""
        loop = asyncio.get_running_loop()
        if self._done is None:
            self._done = loop.create_future()
            self._image_futs = [loop.create_future() for _ in self._urls]
            if self.done():
                self._done.set_result(None)
        if self._stalled is None or self._stalled.done():
            self._stalled = loop.create_future()
        if self.done():
            return
        if not self._armed:
            self._armed = True
            self._start()
        elif any(self._expired):
            self._rewatch([i for i, e in enumerate(self._expired) if e])

    def _start(self) -> None:
        runtime = self._runtime
        spec = self._spec
        polling = runtime.settings.polling
        if spec.again_on_205 and self._http_status == 205:
            self._set_status(JobStatus.RUNNING)
            self._watch_calls(self._call_again, polling.info_interval, polling.job_timeout)
        elif spec.follow is not None:
            self._set_status(JobStatus.RUNNING)
            interval = spec.follow_interval(runtime) if spec.follow_interval else 1.0
            window = spec.follow_window(runtime) if spec.follow_window else polling.job_timeout
            self._watch_calls(self._follow, interval, window)
        elif not self._urls:
            self._complete_from_response()
        elif self._parse():
            self._set_status(JobStatus.RUNNING)
            for i, ready in enumerate(self._ready):
                if ready:
                    self._image_futs[i].set_result(None)
            self._rewatch([i for i, ready in enumerate(self._ready) if not ready])
            self._maybe_finish()

    def _rewatch(self, indexes: list[int]) -> None:
        poller = self._runtime.poller
        waited = time.time() - (self._submitted_at or time.time())
        for i in indexes:
            self._expired[i] = False
            self._watches.append(
                poller.watch_placeholder(
                    self._urls[i],
                    route=self.kind,
                    waited=waited,
                    window=self._runtime.settings.polling.job_timeout,
                    on_outcome=self._on_outcome,
                )
            )

    def _watch_calls(self, check: Callable[[], Awaitable[bool]], interval: float,
                     window: float) -> None:
        deadline = time.monotonic() + window

        async def bounded() -> bool:
            if await check():
                return True
            if time.monotonic() >= deadline:
                self._on_stalled()
                return True
            return False

        self._watches.append(
            self._runtime.poller.watch_call(bounded, interval=interval, on_error=self._fail)
        )

    async def _call_again(self) -> bool:
        assert self._call is not None
        call = self._call
        response: Response = await self._runtime.transport.request(
            call.method, call.path, params=call.params, json=call.json, kind=call.kind
        )
        if response.status == 205:
            return False
        self._response = response.json()
        self._http_status = response.status
        self._complete_from_response()
        return True

    async def _follow(self) -> bool:
        assert self._spec.follow is not None
        body = await self._spec.follow(self._runtime, self._context)
        if body is None:
            return False
        self._response = body
        self._complete_from_response()
        return True

    def _parse(self) -> bool:
        try:
            self._result = self._spec.parse(self._response, self._result_context())
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            self._fail(JobFailedError(f"unexpected response ({exc}): {self._response!r:.300}",
                                      job_id=self.id, cause=exc))
            return False
        return True

    def _complete_from_response(self) -> None:
        if self._parse():
            self._finish()

    def _on_outcome(self, url: str, outcome: str, error: BaseException | None) -> None:
        i = self._urls.index(url)
        if outcome == READY:
            self._ready[i] = True
            if not self._image_futs[i].done():
                self._image_futs[i].set_result(None)
            self._maybe_finish()
        elif outcome == EXPIRED:
            self._expired[i] = True
            self._on_stalled()
        elif outcome == FAILED and not self.done():
            reason = str(error) if error is not None else "the image failed"
            self._fail(JobFailedError(reason, job_id=self.id, url=url, cause=error))

    def _on_stalled(self) -> None:
        if self._stalled is not None and not self._stalled.done():
            self._stalled.set_result(None)

    def _maybe_finish(self) -> None:
        if not self.done() and all(self._ready):
            self._finish()

    def _finish(self) -> None:
        if self.done():
            return
        self._set_status(JobStatus.DONE)
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    def _fail(self, error: BaseException) -> None:
        if self.done():
            return
        if isinstance(error, asyncio.CancelledError):
            error = JobFailedError("the submission was interrupted", job_id=self.id)
        self._error = error
        self._set_status(JobStatus.CANCELLED if isinstance(error, JobCancelledError)
                         else JobStatus.FAILED)
        for watch in self._watches:
            watch.cancelled = True
        for fut in self._image_futs:
            if not fut.done():
                fut.set_result(error)
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    def cancel(self) -> bool:
        """Stop the job: no more polling; waiters get JobCancelledError. False if done."""
        if self.done():
            return False
        if self._submit_task is not None and not self._submit_task.done():
            self._submit_task.cancel()
        self._fail(JobCancelledError(job_id=self.id))
        return True

    def _set_status(self, status: JobStatus) -> None:
        self._status = status
        hook = self._runtime.hooks.on_job
        if hook is not None:
            emit(hook, JobEvent(job_id=self.id, kind=self.kind, status=status.value))

    def _result_context(self) -> ResultContext:
        return ResultContext(
            job_id=self.id,
            submitted_at=self.submitted_at or dt.datetime.now(dt.timezone.utc),
            context=self._context,
            runtime=self._runtime,
        )

    # --- tokens ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data from which `bria.jobs.resume()` rebuilds this job.

        It holds the server's answer and which images were ready, never the API token.
        """
        if self._submitted_at is None:
            raise JobError(
                f"job {self.id} has not been sent yet: await job.submit() first", job_id=self.id
            )
        call = self._call
        return {
            "bria_async_job": TOKEN_VERSION,
            "id": self.id,
            "kind": self.kind,
            "status": self._status.value,
            "submitted_at": self._submitted_at,
            "http_status": self._http_status,
            "response": self._response,
            "context": self._context,
            "urls": list(self._urls),
            "ready": list(self._ready),
            "request": None if call is None else {
                "method": call.method, "path": call.path, "params": dict(call.params or {}),
                "kind": call.kind,
            },
        }

    @classmethod
    def _from_dict(cls, runtime: Runtime, data: Mapping[str, Any]) -> Job[Any]:
        if not isinstance(data, Mapping) or data.get("bria_async_job") != TOKEN_VERSION:
            raise BriaError("not a bria_async job token (from Job.to_dict())")
        spec = spec_for(str(data.get("kind")))
        request = data.get("request")
        call = None if not request else Call(
            method=request["method"], path=request["path"], params=request.get("params"),
            kind=request.get("kind", "quick"),
        )
        job: Job[Any] = cls(runtime, spec, call, context=data.get("context"),
                            job_id=str(data["id"]))
        job._http_status = data.get("http_status")
        job._response = data.get("response")
        job._submitted_at = float(data["submitted_at"])
        job._urls = tuple(data.get("urls") or ())
        job._ready = [bool(r) for r in data.get("ready") or [False] * len(job._urls)]
        job._expired = [False] * len(job._urls)
        job._status = JobStatus.SUBMITTED
        return job

