"""The PostgreSQL journal's tables, created and migrated by the tool itself, and the pool that
reaches them.

Migrations are numbered; ``bria_async_schema`` holds the versions applied. Every worker
migrates on start under an advisory lock of the schema it uses (the URL may choose one with
``?search_path=NAME``), so the first applies what is missing and the others wait and find it
done. A journal newer than this version of the tool is refused, never downgraded.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from .._redact import redact_url
from .work import JournalError

# Each entry is one version: statements run in one transaction, in order.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE bria_batches (
        batch_id text PRIMARY KEY,
        input_digest text NOT NULL,
        lines integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE bria_batch_lines (
        batch_id text NOT NULL REFERENCES bria_batches ON DELETE CASCADE,
        line integer NOT NULL,
        params jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN
            ('pending', 'claimed', 'submitting', 'submitted', 'done', 'failed')),
        worker text,
        lease_until timestamptz,
        intent boolean NOT NULL DEFAULT false,
        uncertain boolean NOT NULL DEFAULT false,
        job jsonb,
        error text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (batch_id, line)
    );
    COMMENT ON COLUMN bria_batch_lines.intent IS
        'a submission was journaled whose answer was not: Bria may have accepted it';
    COMMENT ON COLUMN bria_batch_lines.uncertain IS
        'handed out with an open intent: this line may have been paid twice';
    CREATE INDEX bria_batch_lines_pending ON bria_batch_lines (batch_id, line)
        WHERE state = 'pending';
    CREATE INDEX bria_batch_lines_leased ON bria_batch_lines (batch_id, lease_until)
        WHERE state IN ('claimed', 'submitting', 'submitted');
    CREATE TABLE bria_batch_images (
        batch_id text NOT NULL,
        line integer NOT NULL,
        image integer NOT NULL,
        status text NOT NULL,
        record jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (batch_id, line, image),
        FOREIGN KEY (batch_id, line) REFERENCES bria_batch_lines ON DELETE CASCADE
    );
    COMMENT ON COLUMN bria_batch_images.image IS 'the image index; -1 for the whole line';
    """,
)

#: Errors after which the same statement can succeed on a new connection: the server
#: restarting or dropping connections (asyncpg can also find such a connection in an
#: impossible protocol state), a network failure, a serialization conflict.
TRANSIENT: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.TransactionRollbackError,
    OSError,
    asyncio.TimeoutError,
)


def is_url(journal: str) -> bool:
    """True when `journal` names a PostgreSQL database."""
    return journal.startswith(("postgresql://", "postgres://"))


async def migrate(conn: Any) -> None:
    """Bring the schema to the newest version this tool knows."""
    async with conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '') || '.bria'))"
        )
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS bria_async_schema ("
            " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        version = await conn.fetchval("SELECT coalesce(max(version), 0) FROM bria_async_schema")
        if version > len(MIGRATIONS):
            raise JournalError(
                f"the journal's schema is version {version}, newer than this bria-async "
                f"knows ({len(MIGRATIONS)}): upgrade bria-async"
            )
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            await conn.execute(statements)
            await conn.execute("INSERT INTO bria_async_schema (version) VALUES ($1)", number)


async def connect(dsn: str, *, name: str, size: int = 10) -> Any:
    """A pool of connections to `dsn`, named `name` (``application_name``), its schema
    migrated; JournalError when the database cannot be reached or used."""
    try:
        pool = await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=size,
            server_settings={"application_name": name[:63]},
        )
    except (*TRANSIENT, asyncpg.PostgresError, ValueError) as error:
        raise JournalError(f"cannot reach the journal at {redact_url(dsn)}: {error}") from None
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
    except asyncpg.PostgresError as error:
        await pool.close()
        raise JournalError(f"cannot use the journal at {redact_url(dsn)}: {error}") from None
    except BaseException:
        await pool.close()
        raise
    return pool
