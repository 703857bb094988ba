"""The PostgreSQL journal: one batch shared by any number of workers on any machines.

Each line of ``bria_batch_lines`` moves through ``pending -> claimed -> submitting ->
submitted -> done | failed``. A worker claims lines with ``SELECT ... FOR UPDATE SKIP LOCKED``
and a lease it renews; a line whose lease ended is handed out again: a ``claimed`` one as
pending, a ``submitted`` one with its job token (resumed, never resubmitted), one with an
open intent (``submitting``: the worker died around its POST) as uncertain. Every write is
conditional on this worker still holding the line, committed together with the writes of
the other lines in flight (`Grouped`), and retried on a new connection when the server
restarts or drops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import attrs

from .._redact import redact_url
from .grouped import Grouped
from .inputs import InputError, Line
from .pg_schema import TRANSIENT, connect
from .work import Claim, JournalError, LeaseLost, Opened

T = TypeVar("T")
# The steps of a group of lines, one statement: $1 batch, $2 worker, $3 lease; per line its
# number, step and value. Only lines this worker still holds change; they are returned.
_STEPS_SQL = """
UPDATE bria_batch_lines l SET
    state = CASE s.step WHEN 'submitting' THEN 'submitting' WHEN 'submitted' THEN 'submitted'
        WHEN 'finish' THEN CASE WHEN s.value IS NULL THEN 'done' ELSE 'failed' END
        ELSE l.state END,
    intent = CASE s.step WHEN 'submitting' THEN true WHEN 'submitted' THEN false
        WHEN 'refused' THEN false ELSE l.intent END,
    job = CASE s.step WHEN 'submitted' THEN s.value::jsonb ELSE l.job END,
    error = CASE s.step WHEN 'submitted' THEN l.error ELSE s.value END,
    lease_until = now() + make_interval(secs => $3),
    updated_at = now()
FROM unnest($4::int[], $5::text[], $6::text[]) AS s(line, step, value)
WHERE l.batch_id = $1 AND l.worker = $2 AND l.line = s.line
RETURNING l.line
"""
# Image records of a group: a saved image stays saved.
_IMAGES_SQL = """
INSERT INTO bria_batch_images (batch_id, line, image, status, record)
SELECT $1, i.line, i.image, i.status, i.record::jsonb
FROM unnest($2::int[], $3::int[], $4::text[], $5::text[]) AS i(line, image, status, record)
ON CONFLICT (batch_id, line, image) DO UPDATE
SET status = excluded.status, record = excluded.record, updated_at = now()
WHERE bria_batch_images.status <> 'saved' OR excluded.status = 'saved'
"""


@attrs.frozen
class _Step:
    """One line's step (submitting, submitted, refused, finish) and its value."""

    line: int
    step: str
    value: str | None = None


@attrs.frozen
class _Image:
    """One image's manifest record (index -1: the whole line)."""

    line: int
    image: int
    status: str
    record: str


def worker_name() -> str:
    """A name for this worker, unique across machines: host, process and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def input_digest(lines: list[Line]) -> str:
    """A digest of the input: the same lines with the same parameters give the same one."""
    data = json.dumps([[line.number, line.params] for line in lines], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def application_name(batch_id: str) -> str:
    """The ``application_name`` of a batch's connections (what `pg_stat_activity` shows)."""
    return f"bria-async batch {batch_id}"[:63]


class PostgresJournal:
    """Batch `batch_id` (loaded from `lines` by the first worker) in the database `dsn`."""

    def __init__(
        self,
        dsn: str,
        batch_id: str,
        lines: list[Line],
        *,
        source: Path,
        lease: float = 60.0,
        reconnect_for: float = 300.0,
    ) -> None:
        self._dsn = dsn
        self._batch = batch_id
        self._lines = lines
        self._source = source
        self._lease = lease
        self._reconnect_for = reconnect_for
        self.worker = worker_name()
        self.batch = f"batch {batch_id!r}"
        self.manifest = (
            f"the journal at {redact_url(dsn)}, batch {batch_id} "
            "(bria-async batch-status --export FILE)"
        )
        self.recheck = min(1.0, lease / 4)
        self._held: set[int] = set()
        self._pool: Any = None
        self._renewing: asyncio.Task[None] | None = None
        self._broken: JournalError | None = None
        self._writes: Grouped[_Step | _Image, bool] = Grouped(self._write)

    async def open(self) -> Opened:
        self._pool = await connect(self._dsn, name=application_name(self._batch))
        try:
            lines, done = await self._retry(self._load)
        except BaseException:
            await self._pool.close()
            raise
        self._renewing = asyncio.get_running_loop().create_task(self._renew())
        return Opened(lines, done)

    async def _load(self, conn: Any) -> tuple[int, int]:
        """Load the input unless a worker did; retry the failed lines, as a rerun does."""
        digest = input_digest(self._lines)
        async with conn.transaction():
            loaded = await conn.fetchval(
                "INSERT INTO bria_batches (batch_id, input_digest, lines) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING RETURNING true",
                self._batch,
                digest,
                len(self._lines),
            )
            if loaded:
                await conn.copy_records_to_table(
                    "bria_batch_lines",
                    columns=("batch_id", "line", "params"),
                    records=[(self._batch, ln.number, json.dumps(ln.params)) for ln in self._lines],
                )
            elif digest != await conn.fetchval(
                "SELECT input_digest FROM bria_batches WHERE batch_id = $1", self._batch
            ):
                raise InputError(
                    self._source,
                    [
                        f"batch {self._batch!r} in the journal was loaded from another input; "
                        "use the same file, or another --batch-id"
                    ],
                )
            await conn.execute(
                "UPDATE bria_batch_lines SET state = CASE WHEN job IS NOT NULL THEN "
                "'submitted' WHEN intent THEN 'submitting' ELSE 'pending' END, "
                "worker = NULL, lease_until = '-infinity', error = NULL, updated_at = now() "
                "WHERE batch_id = $1 AND state = 'failed'",
                self._batch,
            )
            done = await conn.fetchval(
                "SELECT count(*) FROM bria_batch_lines WHERE batch_id = $1 AND state = 'done'",
                self._batch,
            )
        return len(self._lines), int(done)

    async def claim(self, limit: int) -> list[Claim] | None:
        if self._broken is not None:
            raise self._broken
        claims = await self._retry(lambda conn: self._claim(conn, limit))
        if claims:
            self._held.update(claim.line.number for claim in claims)
            return claims
        left = await self._retry(
            lambda conn: conn.fetchval(
                "SELECT count(*) FROM bria_batch_lines WHERE batch_id = $1 "
                "AND state NOT IN ('done', 'failed') AND NOT line = ANY($2::int[])",
                self._batch,
                list(self._held),
            )
        )
        return [] if left else None

    async def _claim(self, conn: Any, limit: int) -> list[Claim]:
        async with conn.transaction():
            rows = list(
                await conn.fetch(
                    "SELECT line, params, job, intent FROM bria_batch_lines WHERE batch_id = $1 "
                    "AND state IN ('claimed', 'submitting', 'submitted') AND lease_until < now() "
                    "ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED",
                    self._batch,
                    limit,
                )
            )
            if len(rows) < limit:
                rows += await conn.fetch(
                    "SELECT line, params, job, intent FROM bria_batch_lines WHERE batch_id = $1 "
                    "AND state = 'pending' ORDER BY line LIMIT $2 FOR UPDATE SKIP LOCKED",
                    self._batch,
                    limit - len(rows),
                )
            if not rows:
                return []
            numbers = [row["line"] for row in rows]
            await conn.execute(
                "UPDATE bria_batch_lines SET worker = $2, lease_until = now() + "
                "make_interval(secs => $3), state = CASE WHEN state = 'pending' THEN 'claimed' "
                "ELSE state END, uncertain = uncertain OR (intent AND job IS NULL), "
                "updated_at = now() WHERE batch_id = $1 AND line = ANY($4::int[])",
                self._batch,
                self.worker,
                self._lease,
                numbers,
            )
            saved: dict[int, set[int]] = {}
            for row in await conn.fetch(
                "SELECT line, image FROM bria_batch_images WHERE batch_id = $1 "
                "AND line = ANY($2::int[]) AND status = 'saved' AND image >= 0",
                self._batch,
                numbers,
            ):
                saved.setdefault(row["line"], set()).add(row["image"])
        return [
            Claim(
                Line(row["line"], json.loads(row["params"])),
                token=None if row["job"] is None else json.loads(row["job"]),
                saved=frozenset(saved.get(row["line"], ())),
                uncertain=row["intent"] and row["job"] is None,
            )
            for row in rows
        ]

    async def _renew(self) -> None:
        """Extend the lease of every line this worker holds, a third of a lease apart."""
        while True:
            await asyncio.sleep(self._lease / 3)
            held = list(self._held)
            if not held:
                continue
            try:
                await self._retry(functools.partial(self._extend, held=held))
            except JournalError as error:
                self._broken = error
                return

    async def _extend(self, conn: Any, *, held: list[int]) -> None:
        await conn.execute(
            "UPDATE bria_batch_lines SET lease_until = now() + make_interval(secs => $3) "
            "WHERE batch_id = $1 AND worker = $2 AND line = ANY($4::int[])",
            self._batch,
            self.worker,
            self._lease,
            held,
        )

    async def _write(self, group: list[_Step | _Image]) -> list[bool]:
        """Write a group of steps and image records in one transaction; for each, whether
        it applied (a step does not when another worker took the line over)."""
        steps = [item for item in group if isinstance(item, _Step)]
        images = [item for item in group if isinstance(item, _Image)]

        async def write(conn: Any) -> set[int]:
            applied: set[int] = set()
            async with conn.transaction():
                if steps:
                    rows = await conn.fetch(
                        _STEPS_SQL,
                        self._batch,
                        self.worker,
                        self._lease,
                        [step.line for step in steps],
                        [step.step for step in steps],
                        [step.value for step in steps],
                    )
                    applied = {row["line"] for row in rows}
                if images:
                    await conn.execute(
                        _IMAGES_SQL,
                        self._batch,
                        [image.line for image in images],
                        [image.image for image in images],
                        [image.status for image in images],
                        [image.record for image in images],
                    )
            return applied

        applied = await self._retry(write)
        return [isinstance(item, _Image) or item.line in applied for item in group]

    async def _step(self, line: Line, step: str, value: str | None = None) -> None:
        """Write `step` of `line` (and renew its lease); LeaseLost if another worker took
        the line over."""
        if not await self._writes.put(_Step(line.number, step, value)):
            self._held.discard(line.number)
            raise LeaseLost(line.number)

    async def submitting(self, line: Line) -> None:
        await self._step(line, "submitting")

    async def submitted(self, line: Line, token: dict[str, Any]) -> None:
        await self._step(line, "submitted", json.dumps(token))

    async def refused(self, line: Line, error: str) -> None:
        await self._step(line, "refused", error)

    async def record(self, record: dict[str, Any]) -> None:
        fields = {k: v for k, v in record.items() if k != "params"}  # the line holds them
        index = -1 if record["index"] is None else record["index"]
        await self._writes.put(_Image(record["line"], index, record["status"], json.dumps(fields)))

    async def finish(self, line: Line, error: str | None) -> None:
        try:
            await self._step(line, "finish", error)
        finally:
            self._held.discard(line.number)

    async def close(self) -> None:
        """Give back the lines still held: claimed ones pending again at once, submitted
        ones for another worker to resume, open intents as uncertain."""
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing
        if self._pool is None:
            return
        try:
            with contextlib.suppress(JournalError):
                await self._writes.aclose()
            with contextlib.suppress(JournalError):
                await self._retry(
                    lambda conn: conn.execute(
                        "UPDATE bria_batch_lines SET worker = NULL, lease_until = '-infinity', "
                        "state = CASE WHEN state = 'claimed' THEN 'pending' ELSE state END, "
                        "updated_at = now() WHERE batch_id = $1 AND worker = $2 "
                        "AND state IN ('claimed', 'submitting', 'submitted')",
                        self._batch,
                        self.worker,
                    ),
                    patience=10.0,
                )
        finally:
            await self._pool.close()

    async def _retry(
        self, operation: Callable[[Any], Awaitable[T]], *, patience: float | None = None
    ) -> T:
        """Run `operation` on a pooled connection; after a dropped connection or a server
        restart, again on a new one, for up to `reconnect_for` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self._reconnect_for if patience is None else patience)
        delay = 0.05
        while True:
            try:
                conn = await self._pool.acquire()
                try:
                    return await operation(conn)
                except TRANSIENT:
                    conn.terminate()  # never handed out again: the pool opens a new one
                    raise
                finally:
                    # A connection the server dropped can fail its reset; the pool then
                    # closes it, and what `operation` did stands.
                    with contextlib.suppress(*TRANSIENT):
                        await self._pool.release(conn)
            except TRANSIENT as error:
                if loop.time() + delay > deadline:
                    raise JournalError(
                        f"lost the journal at {redact_url(self._dsn)}: "
                        f"{type(error).__name__}: {error}"
                    ) from None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
