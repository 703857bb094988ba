"""`python -m benchmarks [--quick]`: every scenario, SDK beside its baselines, to RESULTS.md.

Only a full run (every scenario at full size) replaces the committed RESULTS.md; a `--quick`,
`--size` or `--only` run writes to the temp folder unless `--output` names a file.

The emulator runs in its own process on 127.0.0.1 and every client variant in a fresh
process, so CPU and memory figures belong to one client. Targets are shown, never asserted.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import journal, overhead, poll, ratelimit, scale, throughput, v2
from ._report import Scenario, render

HERE = Path(__file__).parent
ALL_SCENARIOS = "poll,throughput,overhead,scale,v2,ratelimit"
PREAMBLE = (
    "Each scenario runs bria_async and its baselines in the same run. The emulator runs in "
    "its own process on 127.0.0.1 (`bria-async emulator`, 64 px PNGs), restarted with the "
    "same seed for each client where ready times must match; every client runs in a fresh "
    "process, so CPU and peak RSS are that client's alone. Targets are shown, never asserted "
    "in tests."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes (CI smoke)")
    parser.add_argument("--size", type=float, help="scale every size by this factor (1 = full)")
    parser.add_argument(
        "--only",
        default=ALL_SCENARIOS,
        help="comma-separated scenarios to run (journal, which needs PostgreSQL, on demand)",
    )
    parser.add_argument(
        "--postgres",
        default=journal.POSTGRES,
        help=f"the server for the journal scenario ({journal.POSTGRES})",
    )
    parser.add_argument("--latency-median", type=float, default=3.0, help="seconds (3)")
    parser.add_argument("--latency-p95", type=float, default=10.0, help="seconds (10)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds in poll (2)")
    parser.add_argument("--in-flight", type=int, help="throughput's bound (500, scaled by size)")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=2400,
        help="ratelimit's emulator limit per minute (2400: the issue's 120 sped up 20 times)",
    )
    parser.add_argument("--processes", type=int, default=4, help="ratelimit's client processes (4)")
    parser.add_argument(
        "--output",
        type=Path,
        help="the report's file (a full run: benchmarks/RESULTS.md; "
        "any other run: bria-benchmarks.md in the temp folder)",
    )
    return parser


def output_path(args: argparse.Namespace) -> Path:
    """Where the report goes: `--output`; else the committed RESULTS.md for a full run, and
    the temp folder for a smaller or partial one, so a smoke run never replaces its figures."""
    if args.output is not None:
        output: Path = args.output
        return output
    full = not args.quick and args.size in (None, 1.0) and args.only == ALL_SCENARIOS
    return HERE / "RESULTS.md" if full else Path(tempfile.gettempdir()) / "bria-benchmarks.md"


def scenarios(args: argparse.Namespace) -> dict[str, Callable[[], Scenario]]:
    """Each scenario at the chosen size, not yet run."""
    size = args.size if args.size is not None else (0.1 if args.quick else 1.0)

    def n(full: int) -> int:
        return max(1, round(full * size))

    latency = {"median": args.latency_median, "p95": args.latency_p95}
    return {
        "poll": lambda: poll.run(jobs=n(500), images=4, rounds=args.rounds, **latency),
        "throughput": lambda: throughput.run(
            jobs=n(5000),
            images=1,
            in_flight=args.in_flight or n(500),
            requests_jobs=n(640),
            **latency,
        ),
        "overhead": lambda: overhead.run(calls=n(5000)),
        "scale": lambda: scale.run(jobs=n(5000), images=4),
        "v2": lambda: v2.run(jobs=n(500), **latency),
        "ratelimit": lambda: ratelimit.run(
            jobs=n(200), limit=args.rate_limit, processes=args.processes
        ),
        "journal": lambda: journal.run(
            jobs=n(5000), in_flight=args.in_flight or n(500), postgres=args.postgres, **latency
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    available = scenarios(args)
    unknown = set(chosen) - set(available)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    done = []
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        done.append(available[name]())
        print(done[-1].markdown(), file=sys.stderr, flush=True)
    command = shlex.join(
        ["python", "-m", "benchmarks", *(argv if argv is not None else sys.argv[1:])]
    )
    text = render(done, command, (time.monotonic() - started) / 60, PREAMBLE)
    output = output_path(args)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
