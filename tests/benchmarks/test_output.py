"""Where `python -m benchmarks` writes its report: the committed RESULTS.md only for a full
run, so `--quick` (the CI smoke size) never replaces the published figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import HERE, _parser, output_path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = HERE / "RESULTS.md"


@pytest.mark.parametrize(
    "argv", [["--quick"], ["--size", "0.5"], ["--only", "poll"], ["--quick", "--only", "v2"]]
)
def test_a_smaller_or_partial_run_writes_to_the_temp_folder(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    assert output_path(_parser().parse_args(argv)) == tmp_path / "bria-benchmarks.md"


def test_a_full_run_writes_the_committed_results() -> None:
    assert output_path(_parser().parse_args([])) == RESULTS
    assert output_path(_parser().parse_args(["--size", "1"])) == RESULTS


def test_output_names_the_file_for_any_run(tmp_path: Path) -> None:
    chosen = tmp_path / "mine.md"
    assert output_path(_parser().parse_args(["--quick", "--output", str(chosen)])) == chosen


def test_quick_leaves_results_md_as_committed(tmp_path: Path) -> None:
    before = RESULTS.read_bytes()
    # no scenario runs (--only ","): only the report is written
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", ","],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert RESULTS.read_bytes() == before
    assert f"wrote {tmp_path / 'bria-benchmarks.md'}" in done.stderr
    assert (
        "- Command: `python -m benchmarks --quick" in (tmp_path / "bria-benchmarks.md").read_text()
    )
