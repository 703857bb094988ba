"""Refusing a big batch input: the time and peak memory `bria-async batch` takes to refuse a
JSON Lines file of a million good lines and a bad last one (nothing is sent).

Standalone, not a scenario of the report: ``python -m benchmarks.big_input [--lines N]
[--code DIR]``; `--code` puts another checkout of bria_async first on the child's path, to
compare two versions on the same file. Each run is a fresh process; its peak RSS comes from
``wait4``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def write_input(path: Path, lines: int) -> None:
    """`lines` good requests, then one whose num_results is out of range."""
    good = json.dumps({"prompt": "a lighthouse at dusk, study", "num_results": 1}) + "\n"
    with path.open("w", encoding="utf-8") as f:
        for start in range(0, lines, 10_000):
            f.write(good * min(10_000, lines - start))
        f.write(json.dumps({"prompt": "a lighthouse", "num_results": 9}) + "\n")


def refuse(path: Path, code: Path) -> tuple[float, float, int, str]:
    """Run the batch on `path` with `code` first on the path: wall seconds, peak RSS in MB,
    the exit code, and the last line of its stderr."""
    env = {
        **os.environ,
        "PYTHONPATH": str(code),
        "BRIA_API_TOKEN": "benchmark-token",
        "BRIA_BASE_URL": "http://127.0.0.1:9",  # never reached: the input is refused first
    }
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "bria_async.cli", "batch", str(path), "--out", out]
        start = time.perf_counter()
        child = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        assert child.stderr is not None
        stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    return wall, usage.ru_maxrss / 1024, child.returncode, last


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.big_input", description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000, help="good lines (1,000,000)")
    parser.add_argument("--code", type=Path, default=HERE, help="the checkout to run (this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "requests.jsonl"
        write_input(path, args.lines)
        size = path.stat().st_size / 2**20
        wall, rss, code, last = refuse(path, args.code)
    print(f"{args.lines + 1:,} lines ({size:.0f} MB), code from {args.code}")
    print(f"exit {code} in {wall:.1f} s, peak RSS {rss:.0f} MB; stderr ends: {last[:160]}")


if __name__ == "__main__":
    main()
