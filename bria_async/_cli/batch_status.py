"""`bria-async batch-status`: where a batch stands (lines per state, failures per error,
uncertain lines, workers), and its manifest as JSON Lines. ``--out DIR`` reads the JSONL
journal of a folder (`folder_status`); ``--journal URL --batch-id NAME`` a shared batch in
PostgreSQL, and without ``--batch-id`` every batch in that journal, a line each."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from .common import USAGE_ERROR, asyncpg_missing, run_command
from .journal import private_file
from .status_report import StatusReport, export_line

__all__ = ["configure_parser", "run"]

STATES = ("pending", "claimed", "submitting", "submitted", "done", "failed")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the batch-status options to `parser`."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--out", type=Path, metavar="DIR", help="the --out of a batch run without --journal"
    )
    where.add_argument(
        "--journal", metavar="URL", help="a postgresql:// URL (needs bria-async[postgres])"
    )
    parser.add_argument(
        "--batch-id",
        metavar="NAME",
        help="the batch in --journal (without it: every batch, a line each)",
    )
    parser.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        default=None,
        help="write the manifest (the latest record of every image, as batch --out writes "
        "manifest.jsonl, in line and image order) to FILE, owner-only",
    )


def run(args: argparse.Namespace) -> int:
    """Print the batch's state; 0, or 1 when the batch is not in the journal."""
    if args.out is not None:
        if args.batch_id is not None:
            print("bria-async batch-status: --batch-id needs --journal", file=sys.stderr)
            return USAGE_ERROR
        return _folder(args.out, args.export)
    if asyncpg_missing("batch-status"):
        return 1
    from .pg_schema import is_url

    if not is_url(args.journal):
        print("bria-async batch-status: --journal must be a postgresql:// URL", file=sys.stderr)
        return USAGE_ERROR
    if args.export is not None and args.batch_id is None:
        print("bria-async batch-status: --export needs --batch-id", file=sys.stderr)
        return USAGE_ERROR
    return run_command(_status(args))


def _folder(out: Path, export: Path | None) -> int:
    """Print the state of the batch journaled in `out`, and export its manifest."""
    from . import folder_status

    try:
        print(folder_status.describe(out).text())
        if export is not None:
            count = folder_status.export(out, export)
            print(f"manifest: {count} records in {export}")
    except folder_status.NoJournal as error:
        print(f"bria-async batch-status: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"bria-async batch-status: {error}", file=sys.stderr)
        return USAGE_ERROR
    return 0


async def _status(args: argparse.Namespace) -> int:
    from .pg_schema import connect
    from .work import JournalError

    try:
        pool = await connect(args.journal, name="bria-async batch-status", size=2)
    except JournalError as error:
        print(f"bria-async batch-status: {error}", file=sys.stderr)
        return 1
    try:
        async with pool.acquire() as conn:
            if args.batch_id is None:
                print(await _list(conn))
                return 0
            lines = await conn.fetchval(
                "SELECT lines FROM bria_batches WHERE batch_id = $1", args.batch_id
            )
            if lines is None:
                print(f"bria-async batch-status: no batch {args.batch_id!r}", file=sys.stderr)
                return 1
            print(await _describe(conn, args.batch_id, lines))
            if args.export is not None:
                count = await _export(conn, args.batch_id, args.export)
                print(f"manifest: {count} records in {args.export}")
    finally:
        await pool.close()
    return 0


async def _list(conn: Any) -> str:
    """Every batch, oldest first: its lines done, failed and left, and when it was loaded."""
    rows = await conn.fetch(
        "SELECT b.batch_id, b.lines, b.created_at, "
        "count(*) FILTER (WHERE l.state = 'done') AS done, "
        "count(*) FILTER (WHERE l.state = 'failed') AS failed "
        "FROM bria_batches b LEFT JOIN bria_batch_lines l USING (batch_id) "
        "GROUP BY b.batch_id ORDER BY b.created_at, b.batch_id"
    )
    if not rows:
        return "no batches in this journal"
    return "\n".join(
        f"batch {row['batch_id']}: {row['lines']} lines: done {row['done']}, "
        f"failed {row['failed']}, left {row['lines'] - row['done'] - row['failed']} "
        f"(loaded {row['created_at']:%Y-%m-%d %H:%M} UTC)"
        for row in rows
    )


async def _describe(conn: Any, batch_id: str, lines: int) -> str:
    """Counts per state (a claimed line whose lease ended counts as pending), per error,
    the uncertain lines and the workers holding lines."""
    states = dict(
        await conn.fetch(
            "SELECT CASE WHEN state = 'claimed' AND lease_until < now() THEN 'pending' "
            "ELSE state END, count(*) FROM bria_batch_lines WHERE batch_id = $1 GROUP BY 1",
            batch_id,
        )
    )
    errors = await conn.fetch(
        "SELECT error, count(*) FROM bria_batch_lines WHERE batch_id = $1 "
        "AND state = 'failed' GROUP BY error ORDER BY count(*) DESC, error",
        batch_id,
    )
    uncertain = [
        row["line"]
        for row in await conn.fetch(
            "SELECT line FROM bria_batch_lines WHERE batch_id = $1 AND uncertain ORDER BY line",
            batch_id,
        )
    ]
    workers = await conn.fetch(
        "SELECT worker, count(*) FROM bria_batch_lines WHERE batch_id = $1 "
        "AND state IN ('claimed', 'submitting', 'submitted') AND lease_until >= now() "
        "GROUP BY worker ORDER BY worker",
        batch_id,
    )
    return StatusReport(
        title=f"batch {batch_id}",
        lines=f"{lines} lines",
        states=[(state, states.get(state, 0)) for state in STATES],
        errors=[(row["error"], row["count"]) for row in errors],
        uncertain=uncertain,
        stopped="worker",
        workers=[(row["worker"], row["count"]) for row in workers],
    ).text()


async def _export(conn: Any, batch_id: str, path: Path) -> int:
    """Write every image record, with its line's parameters, in line and image order."""
    count = 0
    with private_file(path, os.O_TRUNC) as file:  # it holds result URLs: owner-only
        async with conn.transaction():
            async for row in conn.cursor(
                "SELECT i.record, l.params FROM bria_batch_images i JOIN bria_batch_lines l "
                "USING (batch_id, line) WHERE batch_id = $1 ORDER BY i.line, i.image",
                batch_id,
            ):
                record = json.loads(row["record"])
                record["params"] = json.loads(row["params"])
                file.write(export_line(record))
                count += 1
    return count
