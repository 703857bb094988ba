"""The benchmark harness runs end to end at a tiny size: a smoke test of the harness only.

It checks that every scenario produced its figures; it never asserts a timing or a target.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = (
    "1. Poll efficiency",
    "2. Throughput",
    "3. Overhead per direct call",
    "4. Scale: pending images in one client",
    "5. v2 status calls",
    "6. Rate limits",
)


def _table_rows(text: str, title: str) -> list[list[str]]:
    """The rows of the first table under the heading `title`."""
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    header, *rows = lines
    assert header.startswith("| client |")
    first_table = []
    for line in rows:
        if line.startswith("| target"):
            break
        first_table.append([cell.strip() for cell in line.strip("|").split("|")])
    return first_table


#: The scenarios in two groups of about equal time, run side by side on the two cores.
GROUPS = ("poll,v2,overhead", "throughput,scale,ratelimit")
OPTIONS = (
    "--size",
    "0.01",
    "--in-flight",
    "25",
    "--rounds",
    "1",
    "--latency-median",
    "0.2",
    "--latency-p95",
    "0.5",
    "--processes",
    "1",
)


def test_quick_run_writes_every_scenario_with_its_figures(tmp_path: Path) -> None:
    outputs = [tmp_path / f"RESULTS-{n}.md" for n in range(len(GROUPS))]
    runs = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "benchmarks", *OPTIONS, "--only", group, "--output", str(out)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for group, out in zip(GROUPS, outputs, strict=True)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=240)
        assert run.returncode == 0, stderr[-3000:]

    texts = [out.read_text(encoding="utf-8") for out in outputs]
    text = "\n".join(texts)
    for one in texts:
        assert "- Command: `python -m benchmarks --size 0.01" in one
        assert re.search(r"- Machine: \d+ cores", one)
    for title in SCENARIOS:
        rows = _table_rows(text, title)
        assert len(rows) >= 2, title  # bria_async and at least one baseline
        assert rows[0][0].startswith("bria_async")
        for row in rows:
            figures = row[1:]
            assert figures, row
            assert all(re.fullmatch(r"-?\d+(\.\d+)?", cell) for cell in figures), row
    assert text.count("| met |") + text.count("| MISSED |") == 18  # each target, twice
