"""Job: the one awaitable every namespace method returns, and its signed, resumable token.

The life cycle, one status at a time::

    PENDING --send--> SUBMITTED --completion starts--> RUNNING --> DONE
       |                  |                             |  ^  \\-> FAILED / CANCELLED
       |                  \\--(answer is the result)--> DONE |
       \\-- the send fails --> FAILED          window ends v  | awaited again: rearm()
                                                        STALLED

A Job is lazy: nothing is sent until it is awaited or `submit()` is called, and it submits at
most once however often it is awaited. The send runs in a task of its own, which also starts
the route's completion strategy (`_completion.py`), so a submitted job completes on the shared
poller even if nobody waits. A wait that ends first raises JobTimeoutError and leaves the job
as it is; a window that ends leaves it STALLED, and the next wait follows it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import time
import warnings
from collections.abc import AsyncIterator, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from ._completion import Completion, Direct
from ._direct import PARSE_ERRORS, decode, eager_task, new_id, parse
from ._errors import (
    APIResponseValidationError,
    BriaError,
    InvalidJobTokenError,
    JobCancelledError,
    JobError,
    JobFailedError,
    JobTimeoutError,
)
from ._events import JobEvent, current_job, emit
from ._forks import forked_error
from ._request import Call, Deadline
from ._specs import JobSpec, result_type
from ._tokens import TokenData, sign, verify
from .types._download import ResultContext

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._runtime import Runtime

R = TypeVar("R", covariant=True)
I_co = TypeVar("I_co", covariant=True)
I = TypeVar("I")  # noqa: E741 - the image type of a result


class HasImages(Protocol[I_co]):
    """A result that holds images (ImageResult, EditResult): what `as_completed` yields."""

    @property
    def images(self) -> Sequence[I_co]: ...


class RetiredModelVersionWarning(UserWarning):
    """The server answered 209: the requested model version is retired, the latest was used."""


class JobStatus(str, enum.Enum):
    """Where a Job stands. STALLED: its polling window ended; awaiting it polls again."""

    PENDING = "pending"
    SUBMITTED = "submitted"
    RUNNING = "running"
    STALLED = "stalled"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


_FINAL = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(Generic[R]):
    """An API call and everything that follows it, awaitable any number of times.

    `await job` sends it (once), waits, and returns the typed result. `await job.submit()`
    only sends it, so `job.urls` and `job.to_dict()` are ready to hand out.
    """

    # Where every Job starts: class attributes (immutable values), not set per instance, as
    # a batch makes thousands of Jobs and a direct call pays for each assignment.
    _status = JobStatus.PENDING
    _http_status: int | None = None
    _body: Any = None
    _submitted_at: float | None = None
    _completion: Completion | None = None
    _started = False
    _window_opened = 0.0
    _send_task: asyncio.Task[None] | None = None
    _changed: asyncio.Future[None] | None = None
    _parsed = False
    _result: R | None = None
    _error: BaseException | None = None
    _stalled: JobTimeoutError | None = None

    def __init__(
        self,
        runtime: Runtime,
        spec: JobSpec[R],
        call: Call | None,
        context: Mapping[str, Any] | None = None,
        *,
        job_id: str | None = None,
    ) -> None:
        self._runtime = runtime
        self._spec = spec
        self._call = call
        self._context: Mapping[str, Any] = dict(context) if context else {}
        self.id = job_id or new_id()
        self._send_waiters: list[asyncio.Future[None]] = []

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
        if self._submitted_at is None:
            return None
        # tz positionally: the keyword costs datetime more than the conversion itself
        return dt.datetime.fromtimestamp(self._submitted_at, dt.timezone.utc)

    def done(self) -> bool:
        """True once the job has its result, failed, or was cancelled."""
        return self._status in _FINAL

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
        if self._status not in _FINAL:  # (a direct answer is final: nothing to start)
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
            self._completion = _ANSWERED
            self._set_status(JobStatus.SUBMITTED)
            self._started = True
            self._complete()
            return
        self._completion = finish.begin(_Followed(self), http_status)
        self._set_status(JobStatus.SUBMITTED)
        self._start()

    def _start(self) -> None:
        """Start the completion once; after a window ended, give it a new one."""
        completion = self._completion
        if completion is None or self._status in _FINAL:
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
        while self._status not in _FINAL:
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

    def _notify(self) -> None:
        changed, self._changed = self._changed, None
        if changed is not None and not changed.done():
            changed.set_result(None)

    def _timeout_error(self, waited: float, *, submitting: bool = False) -> JobTimeoutError:
        """The error for a wait that ended first: the URLs still pending, or else what the
        job is still waiting for (its submission, a 205 info route, a training's status)."""
        completion = self._completion
        if submitting or completion is None:
            waiting_for = f"its submission ({self.kind})"
        else:
            waiting_for = f"{self.kind}, {completion.waiting_for}"
        return JobTimeoutError(
            job_id=self.id, pending_urls=self.pending_urls, waited=waited, waiting_for=waiting_for
        )

    # --- what completions report (through _Followed) ---------------------------------------
    def _parse_early(self) -> bool:
        """Parse the answer before the images are ready (for `as_completed`); False if the
        job failed because the answer could not be parsed."""
        if not self._parsed:
            try:
                self._result = parse(
                    self._spec, self._body, self._result_context(), self._http_status
                )
            except APIResponseValidationError as error:
                self._fail(error)
                return False
            self._parsed = True
        return True

    def _complete(self, body: Any = None, http_status: int | None = None) -> None:
        """The job's result is here: `body` (when given) replaces the submission's answer."""
        if self._status in _FINAL:
            return
        if body is not None:
            self._body, self._parsed = body, False
        if http_status is not None:
            self._http_status = http_status
        if self._parse_early():
            self._set_status(JobStatus.DONE)
            self._notify()

    def _stall(self) -> None:
        """The completion's window ended: the job waits to be awaited again."""
        if self.done() or self._status is JobStatus.STALLED:
            return
        self._stalled = self._timeout_error(time.monotonic() - self._window_opened)
        self._set_status(JobStatus.STALLED)
        self._notify()

    def _fail(self, error: BaseException) -> None:
        if self.done():
            return
        self._error = error
        self._stalled = None
        self._set_status(
            JobStatus.CANCELLED if isinstance(error, JobCancelledError) else JobStatus.FAILED
        )
        if self._completion is not None:
            self._completion.cancel()
        self._notify()

    def cancel(self) -> bool:
        """Stop the job: no more polling; waiters get JobCancelledError. False if done."""
        if self.done():
            return False
        if self._send_task is not None and not self._send_task.done():
            self._send_task.cancel()
        self._fail(JobCancelledError(job_id=self.id))
        return True

    def _set_status(self, status: JobStatus) -> None:
        self._status = status
        hook = self._runtime.hooks.on_job
        if hook is not None:
            emit(hook, self._event())

    def _event(self) -> JobEvent:
        """The JobEvent of the job's status now, with what a metric needs of it."""
        model = self._context.get("model")
        version = self._context.get("model_version")
        if model is not None and version is not None:
            model = f"{model}/{version}"
        done = self._status is JobStatus.DONE
        images = getattr(self._result, "images", None) if done else None
        error = self.exception()
        body = self._call.json if self._call is not None else None
        prompt = body.get("prompt") if isinstance(body, Mapping) else None
        return JobEvent(
            job_id=self.id,
            kind=self.kind,
            status=self._status.value,
            model=None if model is None else str(model),
            images=len(images) if isinstance(images, Sequence) else None,
            error=None if error is None else type(error).__name__,
            prompt=prompt if isinstance(prompt, str) else None,
        )

    def _result_context(self) -> ResultContext:
        # job_id, submitted_at, context, downloader: positionally, as keywords would cost the
        # call of a class a dict (one is made per result)
        return ResultContext(
            self.id,
            self.submitted_at or dt.datetime.now(dt.timezone.utc),
            self._context,
            self._runtime.storage,
        )

    # --- tokens ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A signed, JSON-able token from which `bria.jobs.resume()` rebuilds this job.

        It holds the server's answer, the request's ids and which images were ready, never
        the API token; its signature makes it resumable only with the same API token (or
        `job_token_key`). Whoever holds it can poll the job's placeholder URLs and read its
        result: hand it only to those who may see the images.
        """
        if self._submitted_at is None or self._http_status is None:
            raise JobError(
                f"job {self.id} has not been sent yet: await job.submit() first", job_id=self.id
            )
        data = TokenData(
            id=self.id,
            kind=self.kind,
            submitted_at=self._submitted_at,
            http_status=self._http_status,
            response=self._body,
            context=self._context,
            state=self._completion.state() if self._completion is not None else {},
        )
        return sign(data, self._runtime.token_key())

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
        data = verify(token, runtime.token_key)
        spec = specs.get(data.kind)
        if spec is None:
            raise InvalidJobTokenError(f"unknown job kind {data.kind!r} in the job token")
        produces = result_type(spec)
        if expect is not None and produces is not None and not issubclass(produces, expect):
            raise InvalidJobTokenError(
                f"the job token is of {data.kind}, whose result is {produces.__name__}, "
                f"not {expect.__name__}"
            )
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
        job._status = JobStatus.SUBMITTED  # sent long ago: never "never sent", even if refused
        job._http_status = data.http_status
        job._body = data.response
        job._submitted_at = data.submitted_at
        job._completion = spec.finish.restore(_Followed(job), data.state)
        return job


class _Followed:
    """A job as its completion strategy sees it (`_followed.Followed`): the submission,
    and the four ways to report (complete, fail, stall, progress)."""

    __slots__ = ("_job",)

    def __init__(self, job: Job[Any]) -> None:
        self._job = job

    @property
    def id(self) -> str:
        return self._job.id

    @property
    def kind(self) -> str:
        return self._job.kind

    @property
    def context(self) -> Mapping[str, Any]:
        return self._job._context

    @property
    def body(self) -> Any:
        return self._job._body

    @property
    def http_status(self) -> int | None:
        return self._job._http_status

    @property
    def submitted_at(self) -> float:
        submitted = self._job._submitted_at
        return submitted if submitted is not None else time.time()

    @property
    def runtime(self) -> Runtime:
        return self._job._runtime

    def complete(self, body: Any = None, http_status: int | None = None) -> None:
        self._job._complete(body, http_status)

    def fail(self, error: BaseException) -> None:
        self._job._fail(error)

    def stall(self) -> None:
        self._job._stall()

    def progress(self) -> bool:
        job = self._job
        if not job._parse_early():
            return False
        job._notify()
        return True

    def succeeded(self) -> bool:
        return self._job._status is JobStatus.DONE


class _Answered(Completion):
    """The completion of a job whose answer was its result: nothing to follow."""

    def __init__(self) -> None:
        pass


#: Shared by every job a Direct route answered.
_ANSWERED = _Answered()
