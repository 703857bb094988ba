"""`bria-async batch` on the same scenarios with either journal: the JSONL files in ``--out``
(`file`) and PostgreSQL (`postgres`, skipped without a server): a finished batch rerun sends
nothing, one ``--out`` holds one batch, and the journal files are owner-only."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import attrs
import pytest

from bria_async.cli import main
from bria_async.testing import Emulator
from tests.integration import testing_cli

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


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which a plain open() makes files others can read."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


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
