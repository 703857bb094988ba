"""Scenario 6, rate limits: several processes of one account against the emulator enforcing a
per-endpoint limit, each submitting its jobs as fast as the SDK lets it.

The figures come from the emulator: requests it let through and 429s it answered on the
text-to-image route. Achieved rate = accepted submissions over the span from the first
process's first submission to the last one's last, as a share of the limit. Lost = jobs
whose submission failed; twice = accepted submissions beyond the jobs the clients saw sent.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bria_async import BriaClient, RateLimits, RedisRateLimiter, Settings

from . import _clients
from ._emulator import TOKEN, EmulatorProcess
from ._report import Scenario, Target
from ._worker import run_variant

ENDPOINT = "POST /text-to-image/base/{model_version}"
TARGET_RATIO = 0.95
TARGET_429_SHARE = 0.01


async def sdk_variant(
    base_url: str, jobs: int, limits: str, per_minute: float, prefix: str = ""
) -> dict[str, Any]:
    """Submit `jobs` jobs at once; `limits`: "plan", "learned", "none" or "redis"."""
    rate_limits = {
        "plan": RateLimits(per_minute=per_minute),
        "redis": RateLimits(per_minute=per_minute),
        "learned": RateLimits(),
        "none": None,
    }[limits]
    limiter = RedisRateLimiter(prefix=prefix) if limits == "redis" else None
    warnings = _Count()
    logging.getLogger("bria_async").addHandler(warnings)
    async with BriaClient(
        TOKEN,
        base_url=base_url,
        settings=Settings(rate_limits=rate_limits),
        rate_limiter=limiter,
    ) as bria:
        batch = [_clients.generate(bria, i, 1) for i in range(jobs)]
        started = time.time()
        outcomes = await asyncio.gather(*(job.submit() for job in batch), return_exceptions=True)
        ended = time.time()
    failed = [type(o).__name__ for o in outcomes if isinstance(o, BaseException)]
    return {
        "submitted": jobs - len(failed),
        "failed": failed,
        "started": started,
        "ended": ended,
        "warnings": warnings.messages,
    }


class _Count(logging.Handler):
    """Keeps the SDK's warnings (a Redis outage says so), for the report."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


VARIANTS = {"sdk": sdk_variant}
#: name -> (limits, the share of the plan each process is told)
CLIENTS: dict[str, tuple[str, float]] = {
    "bria_async, RedisRateLimiter, plan": ("redis", 1.0),
    "bria_async, in-process limiter, plan": ("plan", 1.0),
    "bria_async, in-process limiter, plan / processes": ("plan", 0.0),
    "bria_async, learned rate (no plan)": ("learned", 1.0),
    "bria_async, AIMD concurrency only (rate_limits=None)": ("none", 1.0),
}


def _run_client(
    emulator: EmulatorProcess, limits: str, share: float, *, processes: int, jobs: int, limit: int
) -> list[Any]:
    """One variant: `processes` clients at once; a row of figures."""
    per_minute = limit * (share or 1 / processes)
    prefix = f"bria_async:bench:{uuid.uuid4().hex}:"
    emulator.reset()  # full buckets, counters at 0
    with ThreadPoolExecutor(processes) as pool:
        futures = [
            pool.submit(
                run_variant,
                "ratelimit",
                "sdk",
                base_url=emulator.base_url,
                jobs=jobs,
                limits=limits,
                per_minute=per_minute,
                prefix=prefix,
            )
            for _ in range(processes)
        ]
        results = [f.result() for f in futures]
        state = emulator.state()
    for result in results:
        for message in result["warnings"]:
            print(f"{limits}: {message}", file=sys.stderr)
    accepted = sum(state["per_minute"].get(ENDPOINT, {}).values())
    refused = state["rate_limited"].get(ENDPOINT, 0)
    submitted = sum(r["submitted"] for r in results)
    span = max(r["ended"] for r in results) - min(r["started"] for r in results)
    per_min = accepted / span * 60 if span > 0 else 0.0
    return [
        processes * jobs,
        processes * jobs - submitted,
        max(0, accepted - submitted),
        accepted,
        refused,
        f"{100 * refused / max(1, accepted + refused):.2f}",
        f"{per_min:.1f}",
        f"{per_min / limit:.3f}",
        f"{span:.1f}",
    ]


def run(*, jobs: int, limit: int, processes: int = 4) -> Scenario:
    """Every variant once, one after the other, against one emulator reset between them."""
    rows = []
    burst = max(2, limit // 60)  # one second's worth: room for late requests, as at 120/min
    options = ("--rate-limit", f"{limit}/min", "--rate-burst", str(burst), "--seed", "7")
    with EmulatorProcess(*options) as emulator:
        for name, (limits, share) in CLIENTS.items():
            row = _run_client(emulator, limits, share, processes=processes, jobs=jobs, limit=limit)
            rows.append([name, *row])
    shared = rows[0]
    ratio, share_429 = float(shared[8]), float(shared[6]) / 100
    lost_or_twice = sum(int(row[2]) + int(row[3]) for row in rows[:4])
    return Scenario(
        title="6. Rate limits",
        setup=(
            f"{processes} client processes of one account, {jobs} text-to-image jobs each, all "
            f"submitted at once (`job.submit()`); the emulator enforces {limit}/min per token "
            f"and endpoint (bursts of {burst}), answering 429 with Retry-After, reset "
            "between variants"
        ),
        columns=[
            "client",
            "jobs",
            "lost",
            "sent twice",
            "accepted",
            "429s",
            "429s (% of requests)",
            "submissions / min",
            "/ limit",
            "span (s)",
        ],
        rows=rows,
        targets=[
            Target(
                "shared limiter: submissions/min / limit",
                f"{ratio:.3f}",
                f">= {TARGET_RATIO}",
                ratio >= TARGET_RATIO,
            ),
            Target(
                "shared limiter: 429s / requests",
                f"{100 * share_429:.2f}%",
                f"<= {100 * TARGET_429_SHARE:.0f}%",
                share_429 <= TARGET_429_SHARE,
            ),
            Target(
                "jobs lost or sent twice (rate-limited variants)",
                str(lost_or_twice),
                "0",
                lost_or_twice == 0,
            ),
        ],
        notes=[
            f"The issue's setup is 120/min and 200 jobs per process (about 7 minutes per "
            f"variant); the default run raises the limit to {limit}/min so that all five "
            "variants take a few minutes. Ratios do not depend on the scale. The emulator "
            "lets one second's worth of requests go at once, so that a request sent a little "
            "late (a busy machine) does not make the next one, on time, a 429; it is less "
            "than 5% of a variant's requests.",
            "In-process limiters do not share: with the whole plan each, the processes "
            "together send several times the limit and meet 429s (each pausing its own "
            "process); told a share of the plan each, they keep to it without Redis, as long "
            "as the number of processes is fixed and known.",
            "The learned rate starts unlimited and drops by 30% on each burst of 429s, then grows "
            "about 20% a minute; the AIMD-only client (before rate limits) halves its "
            "concurrency, which does not bound its rate: it retries 429s until its attempts "
            "or its retry budget run out, and those jobs fail with RateLimitError ('lost': "
            "never accepted; its rate is that of the few seconds before).",
        ],
    )
