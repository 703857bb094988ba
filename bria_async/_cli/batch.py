"""`bria-async batch PROMPTS --out DIR`: generate for every line of PROMPTS, resumably."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import BriaError, short_repr
from .._redact import redact_url
from .._settings import MAX_PROMPT_CHARS
from .common import (
    MISSING_EXTRA,
    MODEL_HELP,
    MODELS,
    USAGE_ERROR,
    asyncpg_missing,
    print_summary,
    run_command,
    token_missing,
)
from .file_journal import FileJournal
from .inputs import InputError, Line, Reader, check_input
from .owner import FolderTaken
from .work import Journal, JournalError

if TYPE_CHECKING:
    from .._client import BriaClient

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the batch options to `parser`."""
    parser.add_argument(
        "prompts",
        type=Path,
        metavar="PROMPTS",
        help="a text file with one prompt a line, or a .jsonl file with one request a line "
        '(like {"prompt": "a red fox", "num_results": 2}; see the README)',
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder for the images and, without --journal, the run's records; "
        "run again with the same folder to resume where it stopped; a folder holds one "
        "batch: another batch (other input, or another --batch-id) is refused in it",
    )
    parser.add_argument("--concurrency", type=int, default=32, help="jobs at once (default: 32)")
    parser.add_argument(
        "--format",
        choices=("auto", "text", "jsonl"),
        default="auto",
        help="how to read PROMPTS (default: auto, JSON Lines for .jsonl or a leading '{')",
    )
    parser.add_argument(
        "-n",
        "--num-results",
        type=int,
        default=None,
        help="images per prompt, 1 to 4, for lines that do not say",
    )
    parser.add_argument(
        "--max-prompt-chars",
        type=int,
        default=None,
        metavar="N",
        help=f"the longest prompt a line may have, in characters (default: "
        f"{MAX_PROMPT_CHARS:,}); a longer one is refused before anything is sent",
    )
    model = parser.add_mutually_exclusive_group()
    model.add_argument(
        "--model",
        choices=MODELS,
        default=None,
        help=MODEL_HELP + ", for lines that name no model",
    )
    model.add_argument(
        "--model-id",
        default=None,
        help="the id of a tailored model you trained, for lines that name no model",
    )
    shared = parser.add_argument_group(
        "batches across machines",
        "keep the journal in PostgreSQL (the postgres extra) instead of --out, and run any "
        "number of workers on the same batch: each takes lines from the database",
    )
    shared.add_argument(
        "--journal",
        metavar="URL",
        default=None,
        help="a postgresql:// URL (?search_path=SCHEMA chooses a schema); the tables are "
        "created and migrated on first use; --out must then be a directory every worker "
        "can reach",
    )
    shared.add_argument(
        "--batch-id",
        metavar="NAME",
        default=None,
        help="the batch in the journal: the first worker loads the input under this name, "
        "workers with the same name share it",
    )
    shared.add_argument(
        "--lease",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long a line stays with a worker that stopped renewing it (60): a killed "
        "worker's lines go to others after this",
    )
    parser.add_argument(
        "--plan",
        choices=("free", "payg", "enterprise"),
        help="keep to the rate limits of this Bria plan, per endpoint (10, 60 or 1000 a "
        "minute); without it or --rate-limit, the rates are learned from 429s",
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N/min",
        help="requests per minute per endpoint (N/min, N/s or N/h), instead of the plan's",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="share the rate limits with every process using this Redis and token "
        "(redis://host:6379/0; needs bria-async[redis])",
    )
    parser.add_argument(
        "--no-resubmit-uncertain",
        dest="resubmit_uncertain",
        action="store_false",
        help="after a crash, report lines that may have been sent already as failed "
        "instead of sending them again",
    )


def run(args: argparse.Namespace) -> int:
    """Run the batch; 0 when every image was saved, 1 on failures, 2 on bad input."""
    if args.concurrency < 1:
        print("bria-async batch: --concurrency must be at least 1", file=sys.stderr)
        return USAGE_ERROR
    problem = _journal_problem(args) or _prompt_cap_problem(args)
    if problem:
        print(f"bria-async batch: {problem}", file=sys.stderr)
        return USAGE_ERROR
    if args.journal is not None and asyncpg_missing("batch"):
        return MISSING_EXTRA
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
        options = rate_options(args)
    except (ValueError, BriaError) as error:
        print(f"bria-async batch: {error}", file=sys.stderr)
        return USAGE_ERROR
    if args.max_prompt_chars is not None:
        options["settings"] = attrs.evolve(
            options["settings"], max_prompt_chars=args.max_prompt_chars
        )
    reader = Reader(
        args.prompts,
        fmt=args.format,
        defaults=defaults,
        max_prompt_chars=options["settings"].max_prompt_chars,
    )
    return run_command(_batch(args, reader, options))


def _journal_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the journal options, if anything."""
    if args.journal is None:
        return "--batch-id needs --journal" if args.batch_id is not None else None
    if not args.journal.startswith(("postgresql://", "postgres://")):
        return f"--journal must be a postgresql:// URL, not {short_repr(redact_url(args.journal))}"
    if not args.batch_id:
        return "--journal needs --batch-id NAME: the batch the workers share"
    if args.lease < 1:
        return f"--lease must be at least 1 second, not {args.lease:g}"
    return None


def _prompt_cap_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with --max-prompt-chars, if anything."""
    if args.max_prompt_chars is not None and args.max_prompt_chars < 1:
        return f"--max-prompt-chars must be at least 1, not {args.max_prompt_chars}"
    return None


def _journal(args: argparse.Namespace, lines: list[Line]) -> tuple[Journal, Path | None]:
    """The journal the options choose, and the worker's own staging folder."""
    if args.journal is None:
        return FileJournal(lines, args.out), None
    from .pg_journal import PostgresJournal

    journal = PostgresJournal(
        args.journal, args.batch_id, lines, source=args.prompts, lease=args.lease
    )
    return journal, args.out / ".staging" / journal.worker.replace(":", "-")


def rate_options(args: argparse.Namespace) -> dict[str, Any]:
    """The BriaClient options that --plan, --rate-limit and --redis ask for."""
    from .._ratelimit import RateLimiter
    from .._redis import RedisRateLimiter
    from .._settings import RateLimits, Settings, parse_rate

    limits = RateLimits.plan(args.plan) if args.plan else RateLimits()
    if args.rate_limit is not None:
        limits = RateLimits(per_minute=parse_rate(args.rate_limit), routes=limits.routes)
    limiter: RateLimiter | None = RedisRateLimiter(args.redis) if args.redis else None
    return {"settings": Settings(rate_limits=limits), "rate_limiter": limiter}


def _checked_lines(bria: BriaClient, reader: Reader) -> list[Line]:
    """The input's requests, once every line of it was checked (InputError if one is bad):
    read twice, as a stream to check it, then to run it."""
    with reader.path.open("rb") as file:
        check_input(bria, reader, file)
    if reader.blank:
        print(
            f"bria-async batch: {reader.blank} blank line(s) in {reader.path} ignored",
            file=sys.stderr,
        )
    return reader.load()


async def _batch(args: argparse.Namespace, reader: Reader, options: dict[str, Any]) -> int:
    from .._client import BriaClient
    from .._events import Hooks
    from .progress import Counts, Display
    from .runner import Batch

    counts = Counts()
    async with BriaClient(hooks=Hooks(on_poll=counts.on_poll), **options) as bria:
        try:
            lines = _checked_lines(bria, reader)
        except (InputError, OSError) as error:
            print(f"bria-async batch: {error}", file=sys.stderr)
            return USAGE_ERROR
        if token_missing("batch"):
            return USAGE_ERROR
        try:
            display = Display(counts, f"batch {args.prompts.name}")
            journal, staging = _journal(args, lines)
            report = await Batch(
                bria,
                journal,
                args.out,
                staging=staging,
                concurrency=args.concurrency,
                counts=counts,
                display=display,
                resubmit_uncertain=args.resubmit_uncertain,
            ).run()
        except (InputError, FolderTaken) as error:
            print(f"bria-async batch: {error}", file=sys.stderr)
            return USAGE_ERROR
        except JournalError as error:
            print(f"bria-async batch: {error}", file=sys.stderr)
            return 1
    print_summary(report)
    return report.exit_code
