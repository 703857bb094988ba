"""`bria-async batch PROMPTS --out DIR`: generate for every line of PROMPTS, resumably."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import USAGE_ERROR, print_summary, run_command, token_missing
from .inputs import InputError, Line, check_lines, read_lines

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the batch options to `parser`."""
    parser.add_argument(
        "prompts",
        type=Path,
        metavar="PROMPTS",
        help="a text file (one prompt a line) or JSON Lines (one object of "
        "bria.images.generate keyword arguments a line; with model_id, "
        "of bria.images.generate_tailored)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="directory for images, journal.jsonl and manifest.jsonl; "
        "run again with the same one to resume",
    )
    parser.add_argument("--concurrency", type=int, default=32, help="jobs in flight (32)")
    parser.add_argument(
        "--format",
        choices=("auto", "text", "jsonl"),
        default="auto",
        help="input format (auto: JSON Lines for .jsonl or a leading '{')",
    )
    parser.add_argument(
        "-n",
        "--num-results",
        type=int,
        default=None,
        help="images per prompt, for lines that do not set num_results",
    )
    model = parser.add_mutually_exclusive_group()
    model.add_argument(
        "--model",
        choices=("base", "fast", "hd"),
        default=None,
        help="model, for lines that set neither model nor model_id",
    )
    model.add_argument(
        "--model-id",
        default=None,
        help="a tailored model's id, for lines that set neither model nor "
        "model_id (see bria.models)",
    )
    parser.add_argument(
        "--no-resubmit-uncertain",
        dest="resubmit_uncertain",
        action="store_false",
        help="do not resubmit lines an interrupted run may have submitted",
    )


def run(args: argparse.Namespace) -> int:
    """Run the batch; 0 when every image was saved, 1 on failures, 2 on bad input."""
    if args.concurrency < 1:
        print("bria-async batch: --concurrency must be at least 1", file=sys.stderr)
        return USAGE_ERROR
    defaults = {
        k: v
        for k, v in (
            ("num_results", args.num_results),
            ("model", args.model),
            ("model_id", args.model_id),
        )
        if v is not None
    }
    try:
        lines, problems, blank = read_lines(args.prompts, fmt=args.format, defaults=defaults)
    except (InputError, OSError, UnicodeDecodeError) as error:
        print(f"bria-async batch: {error}", file=sys.stderr)
        return USAGE_ERROR
    if blank:
        print(f"bria-async batch: {blank} blank line(s) in {args.prompts} ignored", file=sys.stderr)
    if token_missing("batch"):
        return USAGE_ERROR
    return run_command(_batch(args, lines, problems))


async def _batch(args: argparse.Namespace, lines: list[Line], problems: list[str]) -> int:
    from .._client import BriaClient
    from .._events import Hooks
    from .file_journal import FileJournal
    from .progress import Counts, Display
    from .runner import Batch

    counts = Counts()
    async with BriaClient(hooks=Hooks(on_poll=counts.on_poll)) as bria:
        try:
            check_lines(bria, args.prompts, lines, problems)
            display = Display(counts, f"batch {args.prompts.name}")
            report = await Batch(
                bria,
                FileJournal(lines, args.out),
                args.out,
                concurrency=args.concurrency,
                counts=counts,
                display=display,
                resubmit_uncertain=args.resubmit_uncertain,
            ).run()
        except InputError as error:
            print(f"bria-async batch: {error}", file=sys.stderr)
            return USAGE_ERROR
    print_summary(report)
    return report.exit_code
