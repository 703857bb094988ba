"""`bria-async batch` reading its input: lines end at a newline only, every line is checked
as a stream (the first bad lines named, the rest counted), and prompts are capped."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bria_async import BriaClient
from bria_async._cli.inputs import InputError, Line, Reader, check_input
from bria_async.cli import main

UNICODE_BREAKS = ["a red fox\u2028in fresh snow", "a lighthouse\x85at dusk", "an owl\x0cat night"]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token and a base URL where nothing listens: whatever is refused sent nothing."""
    monkeypatch.setenv("BRIA_API_TOKEN", "t")
    monkeypatch.setenv("BRIA_BASE_URL", "http://127.0.0.1:9/v1")


def _batch(path: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    code = main(["batch", str(path), "--out", str(path.parent / "out"), *flags])
    return code, capsys.readouterr().err


def test_text_lines_end_at_newlines_only(tmp_path: Path) -> None:
    reader = Reader(tmp_path / "prompts.txt")
    data = "\n".join(UNICODE_BREAKS).encode() + b"\r\n\n"
    lines = list(reader.items(io.BytesIO(data)))
    assert all(isinstance(line, Line) for line in lines)
    assert [(line.number, line.params) for line in lines if isinstance(line, Line)] == [
        (1, {"prompt": UNICODE_BREAKS[0]}),
        (2, {"prompt": UNICODE_BREAKS[1]}),
        (3, {"prompt": UNICODE_BREAKS[2]}),
    ]
    assert reader.blank == 1


def test_jsonl_strings_may_hold_unicode_line_breaks(
    tmp_path: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "requests.jsonl"
    rows = [json.dumps({"prompt": p}, ensure_ascii=False) for p in UNICODE_BREAKS]
    path.write_text("\n".join([*rows, '{"prompt": "x", "num_results": 9}']) + "\n")
    code, err = _batch(path, capsys)
    assert code == 2
    assert "not JSON" not in err
    assert "1 bad line(s)" in err
    assert "line 4: num_results=9" in err  # the number an editor shows


def test_the_first_ten_bad_lines_are_named_and_the_rest_counted(
    tmp_path: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "requests.jsonl"
    bad = {3, 10, 11, 50, 51, 52, 99, 120, 130, 140, 141, 150, 200}
    rows = [
        '{"prompt": "a fox", "num_results": 9}' if n in bad else '{"prompt": "a fox"}'
        for n in range(1, 201)
    ]
    rows[98] = "not json"  # line 99
    path.write_text("\n".join(rows) + "\n")
    code, err = _batch(path, capsys)
    assert code == 2
    assert "13 bad line(s)" in err
    named = [int(n) for n in re.findall(r"^  line (\d+): ", err, re.M)]
    assert named == sorted(bad)[:10]
    assert "line 99: not JSON" in err
    assert "... and 3 more" in err


async def test_the_input_is_checked_in_one_pass_over_a_stream(tmp_path: Path) -> None:
    """A file that can only be read once, front to back (a generator behind it), of
    50,000 lines: every bad line is found and numbered, the first ones named."""
    read: list[int] = []

    def rows() -> Iterator[bytes]:
        for n in range(1, 50_001):
            read.append(n)
            yield b"x" * 10_001 + b"\n" if n % 10_000 == 0 else b"a fox\n"

    class Generated(io.RawIOBase):
        def __init__(self) -> None:
            self._rows = rows()
            self._rest = b""

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
            while not self._rest:
                try:
                    self._rest = next(self._rows)
                except StopIteration:
                    return 0
            count = min(len(buffer), len(self._rest))
            buffer[:count] = self._rest[:count]
            self._rest = self._rest[count:]
            return count

    async with BriaClient("t", base_url="http://127.0.0.1:9/v1") as bria:
        with pytest.raises(InputError) as info:
            check_input(
                bria, Reader(tmp_path / "p.txt", fmt="text"), io.BufferedReader(Generated())
            )
    assert len(read) == 50_000
    assert [p.split(":")[0] for p in info.value.problems] == [
        f"line {n}" for n in (10_000, 20_000, 30_000, 40_000, 50_000)
    ]
    assert all("prompt=" in p for p in info.value.problems)  # a text line is a prompt


def test_a_prompt_over_the_cap_is_refused_naming_the_line_length_and_limit(
    tmp_path: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "prompts.txt"
    path.write_text("a fox\n" + "a" * 10_001 + "\n" + "b" * 20_000_000 + "\n")
    code, err = _batch(path, capsys)
    assert code == 2
    assert "2 bad line(s)" in err
    assert "line 2: prompt='aaaa" in err
    assert "at most 10,000 characters" in err
    assert "10,001" in err
    assert "line 3: " in err
    assert "20,000,00" in err  # its length, in characters or bytes
    assert len(err) < 2000
    code, err = _batch(path, capsys, "--max-prompt-chars", "20000")
    assert code == 2
    assert "1 bad line(s)" in err
    assert "line 3: " in err


def test_max_prompt_chars_must_be_positive(
    tmp_path: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "prompts.txt"
    path.write_text("a fox\n")
    code, err = _batch(path, capsys, "--max-prompt-chars", "0")
    assert code == 2
    assert "--max-prompt-chars must be at least 1, not 0" in err


def test_a_file_changed_between_check_and_load_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prompts.txt"
    path.write_text("a fox\n")
    reader = Reader(path)
    with path.open("rb") as file:
        list(reader.items(file))
    path.write_text("a fox\na whale\n")
    with pytest.raises(InputError, match="changed while it was read"):
        reader.load()
