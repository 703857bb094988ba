"""What the subcommands share: running a coroutine as a command, the token and asyncpg
checks, and the summary a batch prints at its end."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Coroutine
from typing import Any, TextIO

from .runner import INTERRUPTED, Report

USAGE_ERROR = 2
MISSING_EXTRA = 1  # as `bria-async` exits when a command's extra is not installed
MODELS = ("base", "fast", "hd")
MODEL_HELP = "base (default; Bria 2.3), fast (2.3, quicker) or hd (2.2, up to 1920x1080)"
MAX_LISTED_FAILURES = 20


def run_command(main: Coroutine[Any, Any, int]) -> int:
    """Run `main` in a new event loop; Ctrl-C before the batch starts exits with 130."""
    try:
        return asyncio.run(main)
    except KeyboardInterrupt:
        return INTERRUPTED


def token_missing(command: str) -> bool:
    """True (and says so on stderr) when BRIA_API_TOKEN is not set."""
    if os.environ.get("BRIA_API_TOKEN"):
        return False
    print(
        f"bria-async {command}: set BRIA_API_TOKEN (and BRIA_BASE_URL for another host), "
        "or try `bria-async demo`, which runs against the built-in emulator",
        file=sys.stderr,
    )
    return True


def asyncpg_missing(command: str) -> bool:
    """True (and says which extra to install) when asyncpg, which --journal needs, is not."""
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        print(
            f"bria-async {command}: --journal needs asyncpg, which is missing; install "
            "bria-async[postgres]: pip install 'bria-async[postgres]'",
            file=sys.stderr,
        )
        return True
    return False


def print_summary(report: Report, *, stream: TextIO | None = None) -> None:
    """Print what the run did, every failure (up to 20) and why, and where to look."""
    stream = stream or sys.stdout
    c = report.counts
    per_image = f"{c.polls / c.images:.2f} per image" if c.images else "no images"
    lines = [
        f"{c.lines} lines in {report.out}: {c.skipped} done earlier, {c.submitted} submitted, "
        f"{c.resumed} resumed from the journal",
        f"images saved: {c.images}; lines failed: {c.failed}; polls: {c.polls} ({per_image}); "
        f"time: {c.elapsed:.1f} s",
    ]
    if report.uncertain:
        lines.append(
            f"lines possibly submitted twice (in flight when a run stopped): "
            f"{', '.join(map(str, report.uncertain))}"
        )
    if report.failures:
        lines.append(f"failures (every one is in {report.manifest}):")
        for failure in report.failures[:MAX_LISTED_FAILURES]:
            image = "" if failure.index is None else f" image {failure.index}"
            lines.append(f"  line {failure.line}{image}: {failure.error}")
        if len(report.failures) > MAX_LISTED_FAILURES:
            lines.append(f"  ... and {len(report.failures) - MAX_LISTED_FAILURES} more")
        lines.append(
            "run the same command again to retry them: accepted jobs are polled "
            "again, not resubmitted"
        )
    if report.interrupted:
        lines.append("interrupted: the journal is intact; run the same command to resume")
    print("\n".join(lines), file=stream, flush=True)
