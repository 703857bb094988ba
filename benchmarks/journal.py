"""Scenario 7, the batch journal: `bria-async batch` on the throughput scenario's jobs, with
the JSONL journal in ``--out`` and with the PostgreSQL journal (one worker), one after the
other against a fresh emulator with the same seed, so both meet the same ready times.

It needs a PostgreSQL server (``--postgres``, default the local one, database `test`): the
journal's tables go to a schema of their own, dropped at the end. Not in the default run:
``python -m benchmarks --only journal``.
"""

from __future__ import annotations

import asyncio
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._emulator import TOKEN, EmulatorProcess
from ._report import Scenario, Target

WITHIN = 0.10
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _batch(base_url: str, prompts: Path, out: Path, in_flight: int, *journal: str) -> list[float]:
    """Run `bria-async batch` to its end: wall and CPU seconds, and the images saved."""
    command = [sys.executable, "-m", "bria_async.cli", "batch", str(prompts), "--out", str(out)]
    command += ["--concurrency", str(in_flight), "-n", "1", *journal]
    env = {**os.environ, "BRIA_API_TOKEN": TOKEN, "BRIA_BASE_URL": base_url}
    cpu, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"bria-async batch failed:\n{done.stdout[-4000:]}{done.stderr[-4000:]}")
    return [wall, cpu, len(list((out / "images").iterdir()))]


async def _schema(server: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def run(
    *, jobs: int, in_flight: int, median: float, p95: float, postgres: str = POSTGRES
) -> Scenario:
    """The same batch with either journal; the PostgreSQL one should be within 10%."""
    options = ("--latency-median", str(median), "--latency-p95", str(p95), "--seed", "11")
    schema = f"bria_bench_{secrets.token_hex(4)}"
    asyncio.run(_schema(postgres, f"CREATE SCHEMA {schema}"))
    figures: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            prompts = Path(tmp) / "prompts.txt"
            prompts.write_text("".join(f"a lighthouse, study {i}\n" for i in range(jobs)))
            variants = {
                "JSONL journal (--out)": (),
                "PostgreSQL journal, 1 worker": (
                    "--journal",
                    f"{postgres}?search_path={schema}",
                    "--batch-id",
                    "benchmark",
                ),
            }
            for name, journal in variants.items():
                with EmulatorProcess(*options) as emulator:
                    out = Path(tmp) / schema / name.split()[0]
                    figures[name] = _batch(emulator.base_url, prompts, out, in_flight, *journal)
    finally:
        asyncio.run(_schema(postgres, f"DROP SCHEMA {schema} CASCADE"))
    rows: list[list[object]] = [
        [name, jobs, in_flight, f"{wall:.1f}", f"{jobs / wall:.1f}", f"{1e3 * cpu / jobs:.2f}", n]
        for name, (wall, cpu, n) in figures.items()
    ]
    (jsonl, _, _), (pg, _, _) = figures.values()
    ratio = pg / jsonl
    return Scenario(
        title="7. Batch journal: PostgreSQL vs JSONL",
        setup=(
            f"`bria-async batch`, {jobs} prompts x 1 image, --concurrency {in_flight}; readiness "
            f"log-normal, median {median:g} s, p95 {p95:g} s; every image downloaded and saved"
        ),
        columns=[
            "client",
            "jobs",
            "in flight",
            "wall (s)",
            "jobs / s",
            "CLI CPU ms / job",
            "images saved",
        ],
        rows=rows,
        targets=[
            Target(
                "wall time, PostgreSQL / JSONL journal",
                f"{ratio:.3f}",
                f"within {WITHIN:.0%} (0.90 to 1.10)",
                abs(ratio - 1) <= WITHIN,
            )
        ],
        notes=[
            "The PostgreSQL journal commits each line's intent, token, images and end with "
            "those of the other lines in flight, to a server on the same machine; the JSONL "
            "journal appends fsynced lines to local files. CPU is the CLI process's own (the "
            "server's is not counted)."
        ],
    )
