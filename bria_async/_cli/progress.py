"""Live batch progress: a rich display on a terminal, plain lines (at most one a second)
elsewhere, for CI logs. Both read the same counters."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO

import attrs


@attrs.define
class Counts:
    """What the batch has done so far (this run), read by the display and the summary."""

    lines: int = 0
    skipped: int = 0
    submitted: int = 0
    resumed: int = 0
    images: int = 0
    failed: int = 0
    finished: int = 0
    polls: int = 0
    started: float = attrs.field(factory=time.monotonic)

    def on_poll(self, _event: Any) -> None:
        """A `Hooks(on_poll=...)` callback: count every probe of a placeholder."""
        self.polls += 1

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def describe(self) -> str:
        rate = self.images / self.elapsed if self.elapsed > 0 else 0.0
        parts = [f"submitted {self.submitted}"]
        if self.resumed:
            parts.append(f"resumed {self.resumed}")
        parts += [f"ready {self.images} images", f"failed {self.failed}", f"{rate:.1f} img/s"]
        return ", ".join(parts)


class Display:
    """Shows `counts` live until closed; `note()` prints a line above it (failures)."""

    def __init__(
        self, counts: Counts, title: str, *, stream: TextIO | None = None, rich: bool | None = None
    ) -> None:
        self.counts = counts
        self.title = title
        self.stream = stream or sys.stdout
        use_rich = self.stream.isatty() if rich is None else rich
        self._live: Any = _RichLive(self) if use_rich else None
        self._last = 0.0
        self._shown = ""

    def __enter__(self) -> Display:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
        else:
            self._plain(force=True)

    def update(self) -> None:
        """Counts changed: refresh (rich refreshes itself; plain prints at most once a second)."""
        if self._live is not None:
            self._live.refresh()
        else:
            self._plain(force=False)

    def note(self, message: str) -> None:
        if self._live is not None:
            self._live.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=self.stream, flush=True)

    def _plain(self, *, force: bool) -> None:
        c = self.counts
        line = f"{self.title}: {c.finished}/{c.lines - c.skipped} jobs, {c.describe()}"
        now = time.monotonic()
        if line != self._shown and (force or now - self._last >= 1.0):
            print(line, file=self.stream, flush=True)
            self._shown, self._last = line, now


class _RichLive:
    """The rich display, two lines that fit 80 columns: the bar with its counter and clock,
    then the counts in words. The task is kept in step with the counts."""

    def __init__(self, display: Display) -> None:
        from rich.console import Console, Group, RenderableType
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.table import Column
        from rich.text import Text

        title = Column(max_width=32, no_wrap=True, overflow="ellipsis")

        class TwoLines(Progress):
            def get_renderable(self) -> RenderableType:
                return Group(self.make_tasks_table(self.tasks), Text(display.counts.describe()))

        self.display = display
        self.console = Console(file=display.stream)
        self.progress = TwoLines(
            SpinnerColumn(),
            TextColumn("{task.description}", table_column=title),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            refresh_per_second=8,
            expand=False,
        )
        counts = display.counts
        self.task = self.progress.add_task(display.title, total=counts.lines - counts.skipped)

    def start(self) -> None:
        self.refresh()
        self.progress.start()

    def refresh(self) -> None:
        counts = self.display.counts
        self.progress.update(
            self.task, completed=counts.finished, total=counts.lines - counts.skipped
        )

    def stop(self) -> None:
        self.refresh()
        self.progress.stop()
