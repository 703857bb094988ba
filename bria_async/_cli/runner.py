"""The batch runner: bounded concurrent jobs, a journal that makes restarts resume instead of
paying again, images saved exactly once, and a record of every outcome.

The journal (`work.Journal`: the JSONL files in ``--out`` or a PostgreSQL database many
workers share) hands out lines and is told the intent before each POST and the job's token
right after it; a line with a token is resumed with ``bria.jobs.resume(token)``, never
submitted again. Images go to ``images/line-<line>-<index>.<ext>`` in ``--out``: downloaded to
a staging folder and renamed into place, so a kill never leaves a partial image; an image
already there is never fetched again.

What cannot be guaranteed: Bria v1 has no idempotency key, so a POST the server accepted whose
answer did not reach the journal (a kill in that moment of a few milliseconds, or a dropped
connection after the server acted) is indistinguishable from one the server never saw. The
journal hands such lines out as uncertain; they are named and, unless told not to, submitted
again: at most the submissions that were in flight can be paid twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import APIStatusError, BriaError
from .inputs import Line, build_job
from .owner import claim_folder
from .progress import Counts, Display
from .work import Claim, Journal, LeaseLost

if TYPE_CHECKING:
    from .._client import BriaClient
    from .._jobs import Job
    from ..types.images import Image, ImageResult

INTERRUPTED = 130


@attrs.frozen
class Failure:
    """One line (and image index, when known) that did not end saved, and why."""

    line: int
    index: int | None
    error: str


@attrs.define
class Report:
    """What a run did: the counters, every failure, and the uncertain lines it found."""

    counts: Counts
    out: Path
    manifest: str
    failures: list[Failure] = attrs.Factory(list)
    uncertain: list[int] = attrs.Factory(list)
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return INTERRUPTED
        return 1 if self.failures else 0


def describe(error: BaseException) -> str:
    """An error as one line: its class and message."""
    return f"{type(error).__name__}: {error}".splitlines()[0]


def _answered_not_done(error: BaseException) -> bool:
    """True when the server's answer shows it did not accept the submission."""
    return isinstance(error, APIStatusError) and (error.status < 500 or error.status in (503, 512))


class Batch:
    """Runs the lines `journal` hands out into `out`, at most `concurrency` jobs in flight.

    `staging` is this run's own folder for downloads in progress (workers sharing `out`
    each have one).
    """

    def __init__(
        self,
        bria: BriaClient,
        journal: Journal,
        out: Path,
        *,
        concurrency: int,
        counts: Counts,
        display: Display,
        resubmit_uncertain: bool = True,
        staging: Path | None = None,
    ) -> None:
        self._bria = bria
        self._journal = journal
        self._out = out
        self._images = out / "images"
        self._staging = staging or out / ".staging"
        self._concurrency = concurrency
        self._counts = counts
        self._display = display
        self._resubmit_uncertain = resubmit_uncertain
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()  # a line ended, or a stop: time to look again
        self._submitting: set[asyncio.Task[Job[ImageResult] | None]] = set()
        self._on_disk: dict[str, Path] = {}
        self._line_errors: dict[int, str] = {}
        self.report = Report(counts, out, journal.manifest)

    async def run(self) -> Report:
        """Run every line the journal hands out; Ctrl-C or SIGTERM stop cleanly with the
        journal kept; FolderTaken before anything is sent if `out` is another batch's."""
        claim_folder(self._out, self._journal.batch)
        opened = await self._journal.open()
        try:
            self._counts.lines, self._counts.skipped = opened.lines, opened.done
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging.mkdir(parents=True)
            self._images.mkdir(parents=True, exist_ok=True)
            self._on_disk = {p.stem: p for p in self._images.iterdir() if p.is_file()}
            await self._run_lines()
        finally:
            await self._journal.close()
            shutil.rmtree(self._staging, ignore_errors=True)
            if self._staging.parent != self._out:
                with contextlib.suppress(OSError):  # the folder workers share, once unused
                    self._staging.parent.rmdir()
        return self.report

    async def _run_lines(self) -> None:
        active: set[asyncio.Task[None]] = set()
        errors: list[BaseException] = []

        def done(task: asyncio.Task[None]) -> None:
            active.discard(task)
            if not task.cancelled() and (error := task.exception()) is not None:
                errors.append(error)
            self._wake.set()

        loop = asyncio.get_running_loop()
        with self._signals(active), self._display:
            while not self._stop.is_set() and not errors:
                free = self._concurrency - len(active)
                claims = await self._journal.claim(free) if free else []
                if claims is None:
                    break
                self._note_uncertain(claims)
                for claim in claims:
                    task = loop.create_task(self._line(claim))
                    active.add(task)
                    task.add_done_callback(done)
                self._wake.clear()
                full = len(active) >= self._concurrency
                if full or not claims:  # wait for a free slot, or for others' lines
                    with contextlib.suppress(asyncio.TimeoutError):
                        timeout = None if full else self._journal.recheck
                        await asyncio.wait_for(self._wake.wait(), timeout)
            await asyncio.gather(*active, return_exceptions=True)
            # Submissions the server may be answering now: journal them before leaving.
            await asyncio.gather(*self._submitting, return_exceptions=True)
        for error in errors:
            if isinstance(error, Exception):  # a bug or a full disk: never swallowed
                raise error

    def _note_uncertain(self, claims: list[Claim]) -> None:
        uncertain = [claim.line.number for claim in claims if claim.uncertain]
        if uncertain:
            self.report.uncertain.extend(uncertain)
            action = "submitting them again" if self._resubmit_uncertain else "not resubmitting"
            self._display.note(
                f"{len(uncertain)} line(s) were being submitted when an earlier run "
                f"stopped and Bria may have accepted them; {action}: "
                + ", ".join(map(str, uncertain[:20]))
            )

    @contextlib.contextmanager
    def _signals(self, workers: set[asyncio.Task[None]]) -> Iterator[None]:
        loop = asyncio.get_running_loop()

        def stop() -> None:
            if not self._stop.is_set():
                self._stop.set()
                self.report.interrupted = True
                self._display.note(
                    "stopping: journaling the submissions in flight; "
                    "run the same command again to resume"
                )
                for worker in workers:
                    worker.cancel()
                self._wake.set()

        installed = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, threads
                loop.add_signal_handler(signum, stop)
                installed.append(signum)
        try:
            yield
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)

    async def _line(self, claim: Claim) -> None:
        line = claim.line
        try:
            if claim.token is not None:
                resumed = self._bria.jobs.resume(claim.token)
                saved = bool(resumed.urls) and claim.saved >= set(range(len(resumed.urls)))
                # Every image saved (killed before the line's end): nothing to ask Bria.
                job: Job[ImageResult] | None = None if saved else resumed
                if not saved:
                    self._counts.resumed += 1
            elif claim.uncertain and not self._resubmit_uncertain:
                await self._fail(
                    line,
                    None,
                    "may have been submitted by an earlier run; "
                    "not submitted again (--no-resubmit-uncertain)",
                )
                job = None
            else:
                task = asyncio.get_running_loop().create_task(self._submit(line))
                self._submitting.add(task)
                task.add_done_callback(self._submitting.discard)
                job = await asyncio.shield(task)
            if job is not None:
                await self._collect(line, job, set(claim.saved))
            await self._journal.finish(line, self._line_errors.get(line.number))
        except LeaseLost:
            self._display.note(f"line {line.number}: taken over by another worker")
        self._counts.finished += 1
        self._display.update()

    async def _submit(self, line: Line) -> Job[ImageResult] | None:
        """Submit one line, journaling before and after; None if it failed (recorded)."""
        job = build_job(self._bria, line.params)
        await self._journal.submitting(line)
        try:
            await job.submit()
        except BriaError as error:
            if _answered_not_done(error):
                await self._journal.refused(line, describe(error))
            await self._fail(line, None, describe(error))
            return None
        await self._journal.submitted(line, job.to_dict())
        self._counts.submitted += 1
        self._display.update()
        return job

    async def _collect(self, line: Line, job: Job[ImageResult], saved: set[int]) -> None:
        """Save each image the moment it is ready (unless in `saved` already); record every
        image that is not saved."""
        index_of = {url: i for i, url in enumerate(job.urls)}
        try:
            async for image in job.as_completed():
                index = index_of[image.url]
                if index in saved:
                    continue
                try:
                    path = await self._save(line.number, index, image)
                except (BriaError, OSError) as error:
                    await self._fail(line, index, describe(error), url=image.url)
                    continue
                saved.add(index)
                await self._record(
                    line,
                    index,
                    "saved",
                    url=image.url,
                    seed=image.seed,
                    path=str(path.relative_to(self._out)),
                    job_id=job.id,
                )
                self._counts.images += 1
                self._display.update()
        except BriaError as error:
            for index, url in enumerate(job.urls):
                if index not in saved:
                    await self._fail(line, index, describe(error), url=url)

    async def _save(self, number: int, index: int, image: Image) -> Path:
        """The image's file, downloaded and renamed into place unless it is there already."""
        stem = f"line-{number:06d}-{index}"
        path = self._on_disk.get(stem)
        if path is None:
            staged = await image.save(self._staging, name=stem)
            path = self._images / f"{stem}{staged.suffix}"
            os.replace(staged, path)  # atomic: the file appears whole or not at all
            self._on_disk[stem] = path
        return path

    async def _fail(
        self, line: Line, index: int | None, error: str, *, url: str | None = None
    ) -> None:
        self.report.failures.append(Failure(line.number, index, error))
        if line.number not in self._line_errors:
            self._line_errors[line.number] = error
            self._counts.failed += 1
            self._display.note(f"line {line.number} failed: {error}")
        await self._record(line, index, "failed", url=url, error=error)

    async def _record(self, line: Line, index: int | None, status: str, **fields: Any) -> None:
        record = {
            "line": line.number,
            "index": index,
            "params": line.params,
            "seed": None,
            "url": None,
            "path": None,
            "status": status,
            "error": None,
            **fields,
        }
        await self._journal.record(record)
