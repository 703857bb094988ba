"""What a user sees of `bria-async` before anything runs: --version, help texts that speak
to users, and a progress display that fits an 80-column terminal."""

from __future__ import annotations

import importlib.metadata
import io
import re
from pathlib import Path

import pytest

from bria_async._cli.progress import Counts, Display
from bria_async.cli import SUBCOMMANDS, main


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"bria-async {importlib.metadata.version('bria-async')}\n"


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return capsys.readouterr().out


def test_top_level_help_speaks_to_users(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys)
    assert "Generate images with Bria" in text
    assert "BRIA_API_TOKEN" in text
    assert "bria-async demo" in text
    assert "subcommand" not in text  # no developer prose about how the CLI is built
    assert "module" not in text


@pytest.mark.parametrize("command", list(SUBCOMMANDS))
def test_every_option_has_a_help_text(capsys: pytest.CaptureFixture[str], command: str) -> None:
    text = _help(capsys, command).split("options:", 1)[1]
    # an option line ends with its metavar when argparse has no help to print beside it
    options = re.findall(r"^  (-\S.*)$", text, re.M)
    assert options
    bare = [line for line in options if re.fullmatch(r"(-[-\w]+( \S+)?(, )?)+", line)]
    naked = [
        line
        for line in bare
        if not re.search(rf"^  {re.escape(line)}\n {{10,}}\S", text, re.M)  # help on next line
    ]
    assert naked == [], f"{command}: options without help: {naked}"


def test_the_model_option_says_what_each_model_is(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("generate", "batch"):
        text = " ".join(_help(capsys, command).split())
        assert "base (default; Bria 2.3), fast (2.3, quicker) or hd (2.2" in text


@pytest.mark.parametrize("title", ["demo", "batch " + "a-very-long-prompt-file-name" * 3 + ".txt"])
def test_the_rich_progress_fits_80_columns_with_its_counter_and_clock(title: str) -> None:
    counts = Counts(lines=1000, submitted=120, resumed=3, images=240, failed=2, finished=118)
    out = io.StringIO()
    with Display(counts, title, stream=out, rich=True) as display:
        display.update()
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert all(len(line) <= 80 for line in lines), lines
    assert re.search(r"118/1000 \d:\d\d:\d\d$", lines[-2]), lines
    assert lines[-1].startswith("submitted 120, resumed 3, ready 240 images, failed 2, ")


def test_a_jsonl_line_nested_too_deeply_is_refused_by_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = tmp_path / "requests.jsonl"
    deep = '{"prompt": "a fox", "x": ' + "[" * 30_000 + "]" * 30_000 + "}"
    prompts.write_text('{"prompt": "a fox"}\n' + deep + "\n")
    monkeypatch.setenv("BRIA_API_TOKEN", "t")
    monkeypatch.setenv("BRIA_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    assert main(["batch", str(prompts), "--out", str(tmp_path / "out")]) == 2
    assert "line 2: not JSON (nested too deeply)" in capsys.readouterr().err
