"""The batch runner: bounded concurrent jobs, a journal that makes restarts resume instead of
paying again, images saved exactly once, and a manifest of every outcome.

Files in the output directory:

- ``journal.jsonl``: before each submission a ``submitting`` record, after it a ``submitted``
  record with the job's token (``job.to_dict()``), both fsynced; the token is on disk before
  the job is polled. A restart resumes journaled jobs with ``bria.jobs.resume(token)``.
- ``manifest.jsonl``: one record per image (``saved`` or ``failed``), with the input line,
  parameters, seed, URL, path and error; a later record for the same line and image wins.
- ``images/line-<line>-<index>.<ext>``: downloaded to ``.staging/`` and renamed into place, so
  a kill never leaves a partial image; an image already there is never fetched again.

What cannot be guaranteed: Bria v1 has no idempotency key, so a POST the server accepted whose
answer did not reach the journal (a kill in that moment of a few milliseconds, or a dropped
connection after the server acted) is indistinguishable from one the server never saw. Such
lines are left with a ``submitting`` record only; the next run names them and, unless told
not to, submits them again: at most the submissions that were in flight can be paid twice.
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
from .inputs import InputError, Line, build_job
from .journal import JsonLines, read_records
from .progress import Counts, Display

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


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on `out` so two runs never share a journal."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        yield
        return
    with (out / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(out, ["another batch run is using this directory"]) from None
        yield


class Batch:
    """Runs `lines` into `out` with at most `concurrency` jobs in flight."""

    def __init__(
        self,
        bria: BriaClient,
        lines: list[Line],
        out: Path,
        *,
        concurrency: int,
        counts: Counts,
        display: Display,
        resubmit_uncertain: bool = True,
    ) -> None:
        self._bria = bria
        self._lines = lines
        self._out = out
        self._images = out / "images"
        self._staging = out / ".staging"
        self._slots = asyncio.Semaphore(concurrency)
        self._counts = counts
        self._display = display
        self._resubmit_uncertain = resubmit_uncertain
        self._stop = asyncio.Event()
        self._submitting: set[asyncio.Task[Job[ImageResult] | None]] = set()
        self._tokens: dict[int, dict[str, Any]] = {}
        self._saved: dict[int, set[int]] = {}
        self._on_disk: dict[str, Path] = {}
        self._failed_lines: set[int] = set()
        self.report = Report(counts, out)

    async def run(self) -> Report:
        """Run every unfinished line; Ctrl-C or SIGTERM stop cleanly with the journal kept."""
        self._out.mkdir(parents=True, exist_ok=True)
        with _locked(self._out):
            self._load()
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging.mkdir()
            self._images.mkdir(exist_ok=True)
            self._on_disk = {p.stem: p for p in self._images.iterdir() if p.is_file()}
            self._journal = JsonLines(self._out / "journal.jsonl")
            self._manifest = JsonLines(self._out / "manifest.jsonl")
            try:
                await self._run_lines()
            finally:
                await self._journal.aclose()
                await self._manifest.aclose()
                shutil.rmtree(self._staging, ignore_errors=True)
        return self.report

    def _load(self) -> None:
        """Read what earlier runs did: tokens, uncertain lines, saved images."""
        intents: set[int] = set()
        journaled: dict[int, Any] = {}
        for record in read_records(self._out / "journal.jsonl"):
            number, event = record.get("line"), record.get("event")
            if not isinstance(number, int):
                continue
            journaled[number] = record.get("params", journaled.get(number))
            if event == "submitting":
                intents.add(number)
            elif event == "submitted":
                self._tokens[number] = record["job"]
                intents.discard(number)
            elif event == "refused":
                intents.discard(number)
        for record in read_records(self._out / "manifest.jsonl"):
            number, index = record.get("line"), record.get("index")
            if isinstance(number, int) and isinstance(index, int):
                if record.get("status") == "saved":
                    self._saved.setdefault(number, set()).add(index)
                else:
                    self._saved.get(number, set()).discard(index)
        current = {line.number: line.params for line in self._lines}
        changed = [
            f"line {n}: journaled as {params!r}, now {current.get(n)!r}"
            for n, params in sorted(journaled.items())
            if current.get(n) != params
        ]
        if changed:
            raise InputError(
                self._out / "journal.jsonl",
                ["the input changed since this directory's journal was written", *changed],
            )
        self.report.uncertain = sorted(intents)

    def _finished(self, number: int) -> bool:
        token = self._tokens.get(number)
        if token is None or not token.get("urls"):
            return False
        return self._saved.get(number, set()) >= set(range(len(token["urls"])))

    async def _run_lines(self) -> None:
        todo = []
        for line in self._lines:
            self._counts.lines += 1
            if self._finished(line.number):
                self._counts.skipped += 1
            else:
                todo.append(line)
        if self.report.uncertain:
            action = "submitting them again" if self._resubmit_uncertain else "not resubmitting"
            self._display.note(
                f"{len(self.report.uncertain)} line(s) were being submitted when an earlier run "
                f"stopped and Bria may have accepted them; {action}: "
                + ", ".join(map(str, self.report.uncertain[:20]))
            )
        loop = asyncio.get_running_loop()
        workers = [loop.create_task(self._line(line)) for line in todo]
        with self._signals(workers), self._display:
            outcomes = await asyncio.gather(*workers, return_exceptions=True)
            # Submissions the server may be answering now: journal them before leaving.
            await asyncio.gather(*self._submitting, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):  # a bug or a full disk: never swallowed
                raise outcome

    @contextlib.contextmanager
    def _signals(self, workers: list[asyncio.Task[None]]) -> Iterator[None]:
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

    async def _line(self, line: Line) -> None:
        async with self._slots:
            token = self._tokens.get(line.number)
            if token is not None:
                job: Job[ImageResult] | None = self._bria.jobs.resume(token)
                self._counts.resumed += 1
            elif line.number in self.report.uncertain and not self._resubmit_uncertain:
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
                await self._collect(line, job)
            self._counts.finished += 1
            self._display.update()

    async def _submit(self, line: Line) -> Job[ImageResult] | None:
        """Submit one line, journaling before and after; None if it failed (recorded)."""
        job = build_job(self._bria, line.params)
        await self._journal.append(
            {"line": line.number, "event": "submitting", "params": line.params}
        )
        try:
            await job.submit()
        except BriaError as error:
            if _answered_not_done(error):
                await self._journal.append(
                    {"line": line.number, "event": "refused", "error": describe(error)}
                )
            await self._fail(line, None, describe(error))
            return None
        await self._journal.append(
            {"line": line.number, "event": "submitted", "params": line.params, "job": job.to_dict()}
        )
        self._counts.submitted += 1
        self._display.update()
        return job

    async def _collect(self, line: Line, job: Job[ImageResult]) -> None:
        """Save each image the moment it is ready; record every image that is not saved."""
        index_of = {url: i for i, url in enumerate(job.urls)}
        saved = self._saved.setdefault(line.number, set())
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
        if line.number not in self._failed_lines:
            self._failed_lines.add(line.number)
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
        await self._manifest.append(record)
