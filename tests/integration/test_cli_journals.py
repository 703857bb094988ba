"""`bria-async batch` on the same scenarios with either journal: the JSONL files in ``--out``
(`file`) and PostgreSQL (`postgres`, skipped without a server): a finished batch rerun sends
nothing, one ``--out`` holds one batch, and the journal files are owner-only."""

from __future__ import annotations

import asyncio
import json
import re
import stat
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from bria_async.cli import main
from bria_async.testing import Emulator
from tests.integration import testing_cli
from tests.integration.cli_support import records

Cli = Callable[..., Awaitable[tuple[int, str]]]
#: The options that choose a journal for batch NAME.
JournalOptions = Callable[[str], tuple[str, ...]]
KINDS = ("file", "postgres")


def _options(kind: str, request: pytest.FixtureRequest) -> JournalOptions:
    if kind == "file":
        return lambda batch: ()
    url = request.getfixturevalue("journal")
    return lambda batch: ("--journal", url, "--batch-id", batch)


@pytest.fixture(params=KINDS)
def journal_options(request: pytest.FixtureRequest) -> JournalOptions:
    """Each journal in turn."""
    return _options(request.param, request)


def _prompts(tmp_path: Path, count: int, name: str = "prompts.txt", text: str = "a fox") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{text} number {i}\n" for i in range(count)))
    return path


async def test_a_rerun_of_a_finished_batch_sends_nothing_even_when_its_urls_are_gone(
    tmp_path: Path,
    cli: Cli,
    emulator: Emulator,
    journal_options: JournalOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A line polled for URLs that are gone fails after 10 s here, not 600.
    monkeypatch.setattr(testing_cli, "POLLING", attrs.evolve(testing_cli.POLLING, job_timeout=10))
    prompts, out = _prompts(tmp_path, 30), tmp_path / "out"
    args = ("batch", str(prompts), "--out", str(out), "-n", "2", *journal_options("foxes"))
    code, output = await cli(*args)
    assert code == 0, output
    assert len(list((out / "images").iterdir())) == 60
    # As a restarted emulator (or placeholders expired on Bria): every URL is gone.
    emulator.state.storage.clear()
    emulator.counters.reset()

    code, output = await cli(*args)

    assert code == 0, output
    assert f"30 lines in {out}: 30 done earlier, 0 submitted, 0 resumed" in output, output
    assert list(emulator.counters.requests) == []  # not one probe, download or submission


@pytest.fixture(params=[(a, b) for a in KINDS for b in KINDS], ids="-then-".join)
def two_journals(request: pytest.FixtureRequest) -> tuple[str, JournalOptions, JournalOptions]:
    """Every pair of journals, for a batch and then another: the first one's kind, and the
    options of each."""
    first, second = request.param
    return first, _options(first, request), _options(second, request)


async def test_a_second_batch_in_another_batchs_out_is_refused_before_sending(
    tmp_path: Path,
    cli: Cli,
    emulator: Emulator,
    two_journals: tuple[str, JournalOptions, JournalOptions],
) -> None:
    first, options_a, options_b = two_journals
    out = tmp_path / "out"
    foxes = _prompts(tmp_path, 1, "foxes.txt", "a red fox")
    code, output = await cli("batch", str(foxes), "--out", str(out), *options_a("a"))
    assert code == 0, output
    fox = (out / "images" / "line-000001-0.png").read_bytes()

    whales = _prompts(tmp_path, 1, "whales.txt", "a blue whale")
    code, output = await cli("batch", str(whales), "--out", str(out), *options_b("b"))

    assert code == 2, output
    assert str(out) in output
    assert "another --out" in output
    if first == "postgres":
        assert "batch 'a'" in output  # names the batch that owns the folder
    assert sum(emulator.counters.submissions.values()) == 1  # the whale was never sent
    assert (out / "images" / "line-000001-0.png").read_bytes() == fox


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.usefixtures("umask_022")
async def test_journal_files_are_owner_only_and_images_follow_the_umask(
    tmp_path: Path, cli: Cli, journal_options: JournalOptions, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    options = journal_options("private")
    code, output = await cli("batch", str(_prompts(tmp_path, 2)), "--out", str(out), *options)
    assert code == 0, output
    if options:  # the manifest of a PostgreSQL journal is what batch-status exports
        export = ["batch-status", *options, "--export", str(out / "manifest.jsonl")]
        assert await asyncio.to_thread(main, export) == 0, capsys.readouterr()

    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
    private = {"journal.jsonl", "manifest.jsonl"} & set(modes)
    assert private == ({"manifest.jsonl"} if options else {"journal.jsonl", "manifest.jsonl"})
    assert {modes[name] for name in private} == {0o600}, modes
    assert {modes[f"line-00000{n}-0.png"] for n in (1, 2)} == {0o644}, modes


def _status_options(options: tuple[str, ...], out: Path) -> tuple[str, ...]:
    """The batch-status options for the batch run with `options` in `out`."""
    return options or ("--out", str(out))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.usefixtures("umask_022")
async def test_batch_status_counts_lines_per_state_and_error_and_exports_the_manifest(
    tmp_path: Path, cli: Cli, journal_options: JournalOptions
) -> None:
    requests = tmp_path / "requests.jsonl"
    lines = [{"prompt": f"a fox number {i}", "num_results": 2} for i in range(3)]
    lines.append({"prompt": "a fox in a style nobody trained", "model_id": 987654})
    requests.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out, export = tmp_path / "out", tmp_path / "export.jsonl"
    options = journal_options("foxes")
    code, output = await cli("batch", str(requests), "--out", str(out), *options)
    assert code == 1, output

    code, status = await cli(
        "batch-status", *_status_options(options, out), "--export", str(export)
    )

    assert code == 0, status
    counts = r": 4 lines: pending 0, (claimed 0, )?submitting 0, submitted 0, done 3, failed 1$"
    assert re.search(counts, status, re.MULTILINE), status
    assert re.search(r"^\s+1  NotFoundError: 404 .*987654", status, re.MULTILINE), status
    assert "possibly submitted twice" not in status
    assert f"manifest: 7 records in {export}" in status
    exported = [json.loads(line) for line in export.read_text().splitlines()]
    assert [(r["line"], r["index"], r["status"]) for r in exported] == [
        *((line, index, "saved") for line in (1, 2, 3) for index in (0, 1)),
        (4, None, "failed"),
    ]
    assert exported[0]["params"] == {"prompt": "a fox number 0", "num_results": 2}
    assert exported[0]["path"] == "images/line-000001-0.png"
    assert stat.S_IMODE(export.stat().st_mode) == 0o600  # it holds result URLs


def _drop_line(out: Path, number: int) -> Any:
    """Forget every record and image of line `number` in `out`: its parameters."""
    (params,) = {
        json.dumps(r["params"]) for r in records(out / "journal.jsonl") if r.get("line") == number
    }
    for name in ("journal.jsonl", "manifest.jsonl"):
        path = out / name
        kept = [
            raw for raw in path.read_text().splitlines() if json.loads(raw).get("line") != number
        ]
        path.write_text("".join(raw + "\n" for raw in kept))
    for image in (out / "images").glob(f"line-{number:06d}-*"):
        image.unlink()
    return json.loads(params)


async def test_batch_status_of_a_folder_names_the_lines_a_stopped_run_left_uncertain(
    tmp_path: Path, cli: Cli, emulator: Emulator
) -> None:
    out = tmp_path / "out"
    args = ("batch", str(_prompts(tmp_path, 3)), "--out", str(out))
    code, output = await cli(*args)
    assert code == 0, output
    # Line 2 as a run killed between its intent and the POST's answer leaves it.
    params = _drop_line(out, 2)
    with (out / "journal.jsonl").open("a") as journal:
        journal.write(json.dumps({"line": 2, "event": "submitting", "params": params}) + "\n")
    status = ("batch-status", "--out", str(out))

    with (out / ".lock").open("a") as lock:  # while a run holds the folder: in flight
        fcntl = pytest.importorskip("fcntl")
        fcntl.flock(lock, fcntl.LOCK_EX)
        code, running = await cli(*status)
        fcntl.flock(lock, fcntl.LOCK_UN)
    code2, stopped = await cli(*status)
    code3, output = await cli(*args)  # submits line 2 again, and saves it
    code4, resumed = await cli(*status)

    assert (code, code2, code3, code4) == (0, 0, 0, 0), (running, stopped, output, resumed)
    assert "3 lines: pending 0, submitting 1, submitted 0, done 2, failed 0" in running
    assert "a run is using this folder now" in running
    assert "possibly submitted twice" not in running
    assert "3 lines: pending 0, submitting 1, submitted 0, done 2, failed 0" in stopped
    assert "lines possibly submitted twice (in flight when a run stopped): 2" in stopped
    assert "3 lines: pending 0, submitting 0, submitted 0, done 3, failed 0" in resumed
    assert "lines possibly submitted twice (in flight when a run stopped): 2" in resumed
    # A folder an earlier version wrote does not record the input's size.
    kept = [
        ln for ln in (out / "journal.jsonl").read_text().splitlines(True) if '"opened"' not in ln
    ]
    (out / "journal.jsonl").write_text("".join(kept))
    code, older = await cli(*status)
    assert code == 0, older
    assert ": 3 lines journaled (the input's count is not recorded): submitting 0, " in older


async def test_batch_status_of_a_folder_without_a_journal_says_where_to_look(
    tmp_path: Path, cli: Cli, journal: str
) -> None:
    out = tmp_path / "out"
    code, output = await cli("batch-status", "--out", str(out))
    assert code == 1, output
    assert f"no batch journal in {out}" in output

    prompts = _prompts(tmp_path, 1)
    options = ("--journal", journal, "--batch-id", "shared")
    code, output = await cli("batch", str(prompts), "--out", str(out), *options)
    assert code == 0, output
    code, output = await cli("batch-status", "--out", str(out))
    assert code == 1, output
    assert "batch 'shared'" in output
    assert "batch-status --journal URL --batch-id NAME" in output


def test_batch_status_refuses_out_with_journal_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "out")
    assert main(["batch-status", "--out", out, "--batch-id", "b"]) == 2
    assert "--batch-id needs --journal" in capsys.readouterr().err
    for argv in (["--out", out, "--journal", "postgresql://db/x"], []):
        with pytest.raises(SystemExit) as exited:
            main(["batch-status", *argv])
        assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "argument --journal: not allowed with argument --out" in error
    assert "one of the arguments --out --journal is required" in error
