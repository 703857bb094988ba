"""`bria-async generate "prompt"`: one job, its images saved, their paths printed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import MODEL_HELP, MODELS, USAGE_ERROR, run_command, token_missing

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the generate options to `parser`."""
    parser.add_argument("prompt", help='what to draw, in quotes: "a red fox in fresh snow"')
    parser.add_argument(
        "-n", "--num-results", type=int, default=4, help="how many images, 1 to 4 (default: 4)"
    )
    parser.add_argument("--model", choices=MODELS, default="base", help=MODEL_HELP)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("bria-output"),
        help="folder to save the images in (default: ./bria-output)",
    )


def run(args: argparse.Namespace) -> int:
    """Generate and save; 0 on success, 1 if the job failed, 2 on bad input."""
    if token_missing("generate"):
        return USAGE_ERROR
    return run_command(_generate(args))


async def _generate(args: argparse.Namespace) -> int:
    from .._client import BriaClient
    from .._errors import BriaError, ValidationError

    async with BriaClient() as bria:
        try:
            job = bria.images.generate(args.prompt, num_results=args.num_results, model=args.model)
        except ValidationError as error:
            print(f"bria-async generate: {error}", file=sys.stderr)
            return USAGE_ERROR
        try:
            result = await job
            paths = await result.save(args.out)
        except BriaError as error:
            print(f"bria-async generate: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
    for path in paths:
        print(path)
    return 0
