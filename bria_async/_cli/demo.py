"""`bria-async demo`: a real batch (8 prompts x 2 images) with live progress, saved under
./bria-demo-output/. Against Bria when BRIA_API_TOKEN is set (BRIA_BASE_URL respected),
otherwise against the emulator started in this process on 127.0.0.1."""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from .._redact import redact_url
from .common import print_summary, run_command
from .inputs import Line

if TYPE_CHECKING:
    from .._client import BriaClient
    from .._events import Hooks

__all__ = ["PROMPTS", "configure_parser", "run"]

PROMPTS = (
    "a red fox in fresh snow, morning light",
    "a lighthouse at dusk above a stormy sea",
    "a bowl of ramen on a wooden table, steam rising",
    "a vintage bicycle leaning on a blue door in Lisbon",
    "a hummingbird drinking from a hibiscus flower, macro",
    "a cozy reading nook with a window onto rain",
    "a glass perfume bottle on white marble, studio light",
    "an astronaut tending a tomato garden on Mars",
)
IMAGES_PER_PROMPT = 2


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the demo's options to `parser`."""
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("bria-demo-output"),
        help="where each run gets its own folder (default: ./bria-demo-output)",
    )
    parser.add_argument(
        "--latency-median",
        type=float,
        default=1.5,
        help="on the emulator: typical seconds until an image is ready (default: 1.5)",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="jobs at once (default: 8)")


def run(args: argparse.Namespace) -> int:
    """Run the demo batch; 0 when every image was saved."""
    return run_command(_demo(args))


@contextlib.asynccontextmanager
async def _client(args: argparse.Namespace, hooks: Hooks) -> AsyncIterator[BriaClient]:
    from .._client import BriaClient

    if os.environ.get("BRIA_API_TOKEN"):
        async with BriaClient(hooks=hooks) as bria:
            print(f"bria-async demo: against {redact_url(bria.base_url)} (BRIA_API_TOKEN is set)")
            yield bria
        return
    from ..testing import Emulator, EmulatorConfig, Latency

    config = EmulatorConfig(
        placeholder_latency=Latency.lognormal(median=args.latency_median), seed=None
    )
    async with (
        Emulator(config, host="127.0.0.1", port=0, storage_port=0) as emulator,
        BriaClient(emulator.api_token, base_url=emulator.base_url, hooks=hooks) as bria,
    ):
        print(
            f"bria-async demo: no BRIA_API_TOKEN, so against the built-in emulator at "
            f"{emulator.base_url} (images ready after ~{args.latency_median:g} s)"
        )
        yield bria


def _run_dir(root: Path) -> Path:
    """A new folder under `root` for this run, named by the time."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = root / (stamp if n == 0 else f"{stamp}-{n}")
        if not path.exists():
            return path
    raise FileExistsError(f"no free run folder under {root}")


async def _demo(args: argparse.Namespace) -> int:
    from .._events import Hooks
    from .file_journal import FileJournal
    from .progress import Counts, Display
    from .runner import Batch

    lines = [
        Line(n, {"prompt": prompt, "num_results": IMAGES_PER_PROMPT})
        for n, prompt in enumerate(PROMPTS, start=1)
    ]
    counts = Counts()
    async with _client(args, Hooks(on_poll=counts.on_poll)) as bria:
        display = Display(counts, "demo")
        out = _run_dir(args.out)
        report = await Batch(
            bria,
            FileJournal(lines, out),
            out,
            concurrency=args.concurrency,
            counts=counts,
            display=display,
        ).run()
    print_summary(report)
    if report.counts.images:
        print(f"images: {report.out / 'images'}")
    return report.exit_code
