"""RESULTS.md: one table per scenario, each target beside its figure, and the machine."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys

import attrs


@attrs.frozen
class Target:
    """A goal the benchmark shows, never asserts: the figure, the goal, and met or missed."""

    name: str
    figure: str
    goal: str
    met: bool


@attrs.define
class Scenario:
    """One scenario's outcome: a table of clients and the SDK's targets."""

    title: str
    setup: str
    columns: list[str]
    rows: list[list[object]]
    targets: list[Target] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", self.setup, ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "---|" * len(self.columns))
        lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in self.rows)
        if self.targets:
            lines += ["", "| target (bria_async) | figure | goal | |", "|---|---|---|---|"]
            lines.extend(
                f"| {t.name} | {t.figure} | {t.goal} | {'met' if t.met else 'MISSED'} |"
                for t in self.targets
            )
        if self.notes:
            lines.append("")
            lines.extend(f"- {note}" for note in self.notes)
        return "\n".join(lines) + "\n"


def machine() -> str:
    """Cores, CPU model, Python and OS: what the figures depend on."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                model,
            )
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def render(scenarios: list[Scenario], command: str, minutes: float, preamble: str) -> str:
    """The whole RESULTS.md."""
    today = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = [
        "# Benchmark results",
        "",
        f"- Command: `{command}`",
        f"- Date: {today}; the run took {minutes:.1f} minutes",
        f"- Machine: {machine()}",
        f"- Python: {sys.version.split()[0]}",
        "",
        preamble,
        "",
        "## Targets (bria_async)",
        "",
        "| scenario | target | figure | goal | |",
        "|---|---|---|---|---|",
        *(
            f"| {s.title} | {t.name} | {t.figure} | {t.goal} | {'met' if t.met else 'MISSED'} |"
            for s in scenarios
            for t in s.targets
        ),
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(s.markdown() for s in scenarios)
