"""`bria-async batch --journal postgresql://...`: workers on one batch, killed, joining late,
losing their connections; and `bria-async batch-status`.

They use the PostgreSQL server on 127.0.0.1:5432 (database `test`, trust auth), each test in a
schema of its own. Without a server they skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import re
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bria_async.cli import main
from bria_async.testing import Emulator, Latency, RateLimit
from tests.integration.cli_support import SERVER, TESTING_CLI, records, start_cli
from tests.integration.service_support import missing_service, redis_answers

asyncpg = pytest.importorskip("asyncpg")

ROUTE = "/text-to-image/base/{model_version}"
# Batch workers as processes, polling soon enough for the emulator's short latencies.
start_worker = functools.partial(start_cli, program=TESTING_CLI)


async def _sql(url: str, query: str, *args: Any) -> list[Any]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


def _prompts(tmp_path: Path, count: int, name: str = "prompts.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"a watercolour of lighthouse number {i}\n" for i in range(count)))
    return path


def _uncertain(status: str) -> list[int]:
    """The lines batch-status names as possibly submitted twice."""
    for line in status.splitlines():
        if line.startswith("lines possibly submitted twice"):
            return [int(n) for n in line.split(":", 1)[1].split(",")]
    return []


async def _status(capsys: pytest.CaptureFixture[str], url: str, batch: str, *more: str) -> str:
    """`bria-async batch-status` (in this process) for `batch`: its output."""
    argv = ["batch-status", "--journal", url, "--batch-id", batch, *more]
    code = await asyncio.to_thread(main, argv)
    output = capsys.readouterr()
    assert code == 0, output
    return output.out


async def _count(url: str, query: str, *args: Any) -> int:
    """The number `query` selects; 0 while the first worker has not created the tables."""
    try:
        rows = await _sql(url, query, *args)
    except asyncpg.UndefinedTableError:
        return 0
    return int(rows[0][0])


async def _saved_images(url: str, batch: str) -> int:
    return await _count(
        url,
        "SELECT count(*) FROM bria_batch_images WHERE batch_id = $1 AND status = 'saved'",
        batch,
    )


@contextlib.asynccontextmanager
async def _killed_at_exit() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """A list for worker processes; any still running at the end are killed."""
    processes: list[asyncio.subprocess.Process] = []
    try:
        yield processes
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.communicate()


async def _wait_until(condition: Any, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_workers_share_a_batch_through_a_kill_and_a_late_joiner(
    tmp_path: Path, journal: str, capsys: pytest.CaptureFixture[str], emulator: Emulator
) -> None:
    # Images ready after 0.6 s: no worker can finish its share between the check and the kill.
    # Leases of 6 s: a victim whose loop stalls under CI load keeps its lines until the kill
    # (with 2 s, the others once took them all over just before it, and it held nothing).
    emulator.config.placeholder_latency = Latency.fixed(0.6)
    prompts, out = _prompts(tmp_path, 600), tmp_path / "out"
    args: tuple[str, ...] = ("batch", str(prompts), "--out", str(out), "--journal", journal)
    args += ("--batch-id", "big")
    args += ("--concurrency", "100", "-n", "1", "--lease", "6")
    env = {
        **os.environ,
        "BRIA_API_TOKEN": emulator.api_token,
        "BRIA_BASE_URL": emulator.base_url,
    }
    async with _killed_at_exit() as workers:
        workers += [await start_worker(*args, env=env, cwd=tmp_path) for _ in range(3)]

        victim = f"%:{workers[1].pid}:%"

        async def mid_run() -> bool:  # the second worker holds submitted jobs
            # Not "and has finished some": its done lines are written in groups, so a share
            # can go from all submitted to all done at once, and under load a late-starting
            # victim may get a single share before the others have claimed every line.
            return (
                await _count(
                    journal,
                    "SELECT count(*) FROM bria_batch_lines "
                    "WHERE worker LIKE $1 AND state = 'submitted'",
                    victim,
                )
                >= 10
            )

        await _wait_until(mid_run)
        workers[1].send_signal(signal.SIGKILL)  # lines in flight: nothing gets to clean up
        # What it held, read at once: once its 6 s leases end, the others take those lines.
        held = await _sql(
            journal,
            "SELECT line, state FROM bria_batch_lines WHERE worker LIKE $1 "
            "AND state IN ('claimed', 'submitting', 'submitted')",
            victim,
        )
        await workers[1].communicate()
        workers.append(await start_worker(*args, env=env, cwd=tmp_path))  # joins late
        outputs = []
        for worker in (workers[0], workers[2], workers[3]):
            output, _ = await asyncio.wait_for(worker.communicate(), timeout=60)
            assert worker.returncode == 0, output.decode()
            outputs.append(output.decode())
        status = await _status(capsys, journal, "big", "--export", str(tmp_path / "manifest.jsonl"))
    submissions = emulator.counters.submissions[ROUTE]

    assert "done 600, failed 0" in status, status
    files = sorted(p.name for p in (out / "images").iterdir())
    assert files == [f"line-{line:06d}-0.png" for line in range(1, 601)]  # each exactly once
    for name in files[::50]:
        with Image.open(out / "images" / name) as image:
            image.verify()
    saved = [r for r in records(tmp_path / "manifest.jsonl") if r["status"] == "saved"]
    assert sorted((r["line"], r["index"]) for r in saved) == [(n, 0) for n in range(1, 601)]
    assert all(r["params"]["prompt"].startswith("a watercolour") for r in saved)
    # The others finished the lines the killed worker held (resuming its submitted jobs).
    finishers = await _sql(
        journal,
        "SELECT DISTINCT worker FROM bria_batch_lines WHERE line = ANY($1::int[])",
        [line for line, _ in held],
    )
    assert all(f":{workers[1].pid}:" not in worker for (worker,) in finishers), finishers
    resumed = sum(int(re.findall(r"(\d+) resumed", output)[0]) for output in outputs)
    assert resumed >= sum(state == "submitted" for _, state in held) > 0, (held, outputs)
    # Only lines whose POST was in flight at the SIGKILL can have been sent twice, and the
    # journal names them.
    uncertain = _uncertain(status)
    assert 600 <= submissions <= 600 + len(uncertain), (submissions, status)
    print(f"\nsubmissions {submissions}, uncertain {uncertain}, resumed {resumed}")


async def test_workers_reconnect_when_the_server_drops_their_connections(
    tmp_path: Path,
    journal: str,
    cli: Callable[..., Awaitable[tuple[int, str]]],
    capsys: pytest.CaptureFixture[str],
    emulator: Emulator,
) -> None:
    prompts, out = _prompts(tmp_path, 300), tmp_path / "out"
    args: tuple[str, ...] = ("batch", str(prompts), "--out", str(out), "--journal", journal)
    args += ("--batch-id", "drops")
    args += ("--concurrency", "60", "-n", "1")
    workers = asyncio.gather(cli(*args), cli(*args))  # two workers in threads of this process
    dropped = 0
    for images in (30, 120, 210):  # three times, what a server restart looks like to them

        async def saved(images: int = images) -> bool:
            return await _saved_images(journal, "drops") >= images

        await _wait_until(saved)
        rows = await _sql(
            SERVER,
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM "
            "pg_stat_activity WHERE application_name = 'bria-async batch drops'",
        )
        dropped += rows[0][0]
    for code, output in await asyncio.wait_for(workers, timeout=60):
        assert code == 0, output
    status = await _status(capsys, journal, "drops")

    assert dropped >= 3, dropped
    assert "done 300, failed 0" in status, status
    assert len(list((out / "images").iterdir())) == 300
    assert 300 <= emulator.counters.submissions[ROUTE] <= 300 + len(_uncertain(status))


async def test_workers_sharing_a_rate_limit_through_redis_keep_to_it_together(
    tmp_path: Path,
    journal: str,
    cli: Callable[..., Awaitable[tuple[int, str]]],
    capsys: pytest.CaptureFixture[str],
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = redis_answers("127.0.0.1", 6379)
    if problem is not None:
        missing_service("Redis on 127.0.0.1:6379", problem)
    # 20 a second for the account; two workers unshared would send 40 and meet dozens of 429s.
    emulator.config.rate_limit = RateLimit(20, 1.0, burst=20)
    emulator.config.any_token = True
    monkeypatch.setenv("BRIA_API_TOKEN", f"pg-journal-{secrets.token_hex(8)}")  # own Redis keys
    prompts = _prompts(tmp_path, 60)
    args: tuple[str, ...] = ("batch", str(prompts), "--out", str(tmp_path / "out"), "-n", "1")
    args += ("--journal", journal, "--batch-id", "limited", "--concurrency", "20")
    args += ("--rate-limit", "20/s", "--redis", "redis://127.0.0.1:6379/0")
    for code, output in await asyncio.gather(cli(*args), cli(*args)):
        assert code == 0, output
    status = await _status(capsys, journal, "limited")

    assert "done 60, failed 0" in status, status
    assert emulator.counters.submissions[ROUTE] == 60
    assert sum(emulator.counters.rate_limited.values()) <= 2, emulator.counters.per_minute


async def test_the_input_is_loaded_once_and_another_input_under_the_same_id_is_refused(
    tmp_path: Path,
    journal: str,
    cli: Callable[..., Awaitable[tuple[int, str]]],
    capsys: pytest.CaptureFixture[str],
    emulator: Emulator,
) -> None:
    requests = tmp_path / "requests.jsonl"
    lines = [{"prompt": f"a fox number {i}", "num_results": 2} for i in range(3)]
    lines.append({"prompt": "a fox in a style nobody trained", "model_id": 987654})
    requests.write_text("".join(json.dumps(line) + "\n" for line in lines))
    args = ("batch", str(requests), "--out", str(tmp_path / "out"), "--journal", journal)
    code, first = await cli(*args, "--batch-id", "foxes")
    assert code == 1, first
    assert "line 4 failed" in first
    assert "batch-status --export" in first
    status = await _status(capsys, journal, "foxes")
    assert "done 3, failed 1" in status, status
    assert re.search(r"^\s+1  NotFoundError: 404 .*987654", status, re.MULTILINE), status

    code, second = await cli(*args, "--batch-id", "foxes")
    assert code == 1, second  # the failed line was tried again, and failed again
    assert "4 lines in" in second
    assert "3 done earlier" in second

    other = _prompts(tmp_path, 2, "other.txt")
    code, refused = await cli(
        "batch", str(other), "--out", str(tmp_path / "out"), "--journal", journal,
        "--batch-id", "foxes",
    )  # fmt: skip
    assert code == 2, refused
    assert "'foxes' in the journal was loaded from another input" in refused
    assert await _sql(journal, "SELECT count(*) FROM bria_batch_lines") == [(4,)]
    assert emulator.counters.submissions[ROUTE] == 3


async def test_batch_status_without_a_batch_id_lists_every_batch(
    tmp_path: Path,
    journal: str,
    cli: Callable[..., Awaitable[tuple[int, str]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = ["batch-status", "--journal", journal]
    assert await asyncio.to_thread(main, status) == 0
    assert capsys.readouterr().out == "no batches in this journal\n"
    for batch, count in (("foxes", 3), ("hares", 2)):
        prompts, out = _prompts(tmp_path, count, f"{batch}.txt"), str(tmp_path / batch)
        code, output = await cli(
            "batch", str(prompts), "--out", out, "--journal", journal, "--batch-id", batch
        )
        assert code == 0, output

    assert await asyncio.to_thread(main, status) == 0
    listing = capsys.readouterr().out.splitlines()
    loaded = r" \(loaded \d{4}-\d\d-\d\d \d\d:\d\d UTC\)"
    assert len(listing) == 2, listing
    assert re.fullmatch("batch foxes: 3 lines: done 3, failed 0, left 0" + loaded, listing[0])
    assert re.fullmatch("batch hares: 2 lines: done 2, failed 0, left 0" + loaded, listing[1])

    assert main([*status, "--export", str(tmp_path / "manifest.jsonl")]) == 2
    assert "--export needs --batch-id" in capsys.readouterr().err
    assert not (tmp_path / "manifest.jsonl").exists()


async def test_uncertain_lines_are_held_back_then_resubmitted_and_named(
    tmp_path: Path,
    journal: str,
    cli: Callable[..., Awaitable[tuple[int, str]]],
    capsys: pytest.CaptureFixture[str],
    emulator: Emulator,
) -> None:
    prompts, out = _prompts(tmp_path, 3), tmp_path / "out"
    args = ("batch", str(prompts), "--out", str(out), "--journal", journal, "--batch-id", "u")
    code, output = await cli(*args)
    assert code == 0, output
    # Line 2 as a worker killed between its intent and the POST's answer leaves it.
    await _sql(
        journal,
        "UPDATE bria_batch_lines SET state = 'submitting', intent = true, job = NULL, "
        "lease_until = now() - interval '1 second', worker = 'gone' WHERE line = 2",
    )
    await _sql(journal, "DELETE FROM bria_batch_images WHERE line = 2")
    (out / "images" / "line-000002-0.png").unlink()

    code, held = await cli(*args, "--no-resubmit-uncertain")
    assert code == 1, held
    assert "not submitted again (--no-resubmit-uncertain)" in held
    assert emulator.counters.submissions[ROUTE] == 3
    code, again = await cli(*args)
    assert code == 0, again
    assert "lines possibly submitted twice (in flight when a run stopped): 2" in again
    assert _uncertain(await _status(capsys, journal, "u")) == [2]
    assert emulator.counters.submissions[ROUTE] == 4
    assert (out / "images" / "line-000002-0.png").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--journal", "journal.db", "--batch-id", "x"], "must be a postgresql:// URL"),
        (["--journal", "postgresql://127.0.0.1/test"], "--journal needs --batch-id"),
        (["--batch-id", "x"], "--batch-id needs --journal"),
    ],
)
def test_journal_options_are_checked_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    prompts = _prompts(tmp_path, 1)
    assert main(["batch", str(prompts), "--out", str(tmp_path / "out"), *options]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresq://admin:Hunter2Pass@db.internal/x", "postgresq://admin:***@db.internal/x"),
        ("postgres:/admin:Hunter2Pass@db/x", "postgres:/admin:***@db/x"),
        ("db.internal/x?password=Hunter2Pass", "db.internal/x?password=***"),
    ],
)
def test_a_mistyped_journal_url_is_shown_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, shown: str
) -> None:
    prompts = _prompts(tmp_path, 1)
    options = ["--out", str(tmp_path / "out"), "--journal", url, "--batch-id", "x"]
    assert main(["batch", str(prompts), *options]) == 2
    err = capsys.readouterr().err
    assert "Hunter2Pass" not in err
    assert shown in err  # what was typed, but the password


def test_journal_without_asyncpg_names_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)  # as if not installed
    prompts = _prompts(tmp_path, 1)
    code = main(["batch", str(prompts), "--out", str(tmp_path / "out"), "--journal",
                 "postgresql://db/x", "--batch-id", "x"])  # fmt: skip
    assert code == 1
    assert "pip install 'bria-async[postgres]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unreachable_journal_is_named_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIA_API_TOKEN", "unused")
    monkeypatch.setenv("BRIA_BASE_URL", "http://127.0.0.1:9/v1")
    url = "postgresql://bria:s3cret-pw@127.0.0.1:9/batches"
    prompts = _prompts(tmp_path, 1)
    code = main(["batch", str(prompts), "--out", str(tmp_path / "out"), "--journal", url,
                 "--batch-id", "x"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1, err
    assert "cannot reach the journal at postgresql://bria:***@127.0.0.1:9/batches" in err
    assert "s3cret-pw" not in err
