"""The batch input: a text file of prompts or JSON Lines of `images.generate` parameters
(`images.generate_tailored` for a line that names a `model_id`).

Lines end at a newline ("\\n", or "\\r\\n") only, as an editor numbers them: a U+2028, U+0085
or form feed inside a prompt or a JSON string is part of it. Every line is checked before
anything is sent, by building its Job (which validates) and dropping it unsent, reading the
file once as a stream, so refusing a big file costs no more memory than a small one; the
first bad lines are named and the others counted. Blank lines are not requests: they are
counted and ignored. The lines are read again to run them (`Reader.load`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import attrs

from .._errors import ValidationError
from .._json import loads
from .._settings import MAX_PROMPT_CHARS

if TYPE_CHECKING:
    from .._client import BriaClient
    from .._jobs import Job
    from ..types.images import ImageResult

Format = Literal["auto", "text", "jsonl"]
MODEL_KEYS = ("model", "model_id")  # a line that sets one takes no default for the other
MAX_LISTED_PROBLEMS = 10
_CHUNK = 1 << 20  # how much of an over-long line is read at a time, to skip it


@attrs.frozen
class Line:
    """One request of the batch: its 1-based line number in the input and its parameters."""

    number: int
    params: dict[str, Any]


class InputError(Exception):
    """Some input lines are bad; `problems` names each (by its line number) of the first
    ones, and `more` counts the bad lines after them."""

    def __init__(self, path: Path, problems: list[str], more: int = 0) -> None:
        self.problems = problems
        self.more = more
        rest = f"\n  ... and {more} more" if more else ""
        super().__init__(
            f"{path}: {len(problems) + more} bad line(s):\n  " + "\n  ".join(problems) + rest
        )


def numbered_lines(file: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes | int]]:
    """Each line of `file` with its 1-based number, without its "\\n" or "\\r\\n": the bytes,
    or for a line over `max_bytes` its length (read and dropped a chunk at a time)."""
    number = 0
    while row := file.readline(max_bytes + 1):
        number += 1
        if len(row) <= max_bytes or row.endswith(b"\n"):
            yield number, row.removesuffix(b"\n").removesuffix(b"\r")
            continue
        length = len(row)
        while not row.endswith(b"\n") and (row := file.readline(_CHUNK)):
            length += len(row)
        yield number, length - row.endswith(b"\n")


@attrs.define
class Reader:
    """Reads the batch input at `path`: the requests of its lines, and the problems of the
    lines that are not requests.

    Text lines are prompts; JSON lines are objects of keyword arguments. ``auto`` reads JSON
    Lines when the file ends in .jsonl/.ndjson or its first non-blank line starts with "{".
    `defaults` fill the parameters a line does not set; a default model (`model` or
    `model_id`) only fills a line that names neither. A line longer than any request with
    prompts of at most `max_prompt_chars` can be is refused unread.
    """

    path: Path
    fmt: Format = "auto"
    defaults: Mapping[str, Any] = attrs.field(factory=dict)
    max_prompt_chars: int = MAX_PROMPT_CHARS
    #: Blank lines seen by the last `items`.
    blank: int = attrs.field(default=0, init=False)
    _digest: str | None = attrs.field(default=None, init=False)

    @property
    def max_line_bytes(self) -> int:
        """Room for every prompt character written as a JSON escape (12 bytes for a pair of
        surrogates), and 64 KiB for the other parameters."""
        return 12 * self.max_prompt_chars + 65_536

    def items(self, file: IO[bytes]) -> Iterator[Line | str]:
        """A Line for each request of `file` and a problem for each bad line, in line
        order; remembers a digest of what it read, which `load` checks."""
        digest = hashlib.sha256()
        fmt = self.fmt
        self.blank, self._digest = 0, None
        for number, row in numbered_lines(file, self.max_line_bytes):
            if isinstance(row, int):
                digest.update(b"%d\n" % row)
                yield (
                    f"line {number}: {row:,} bytes, longer than a request with a prompt of at "
                    f"most {self.max_prompt_chars:,} characters can be (--max-prompt-chars)"
                )
                continue
            digest.update(row + b"\n")
            try:
                text = row.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield f"line {number}: not UTF-8 text ({exc})"
                continue
            if not text.strip():
                self.blank += 1
                continue
            if fmt == "auto":
                json_suffix = self.path.suffix.lower() in (".jsonl", ".ndjson")
                fmt = "jsonl" if json_suffix or text.lstrip().startswith("{") else "text"
            yield self._line(number, text, fmt)
        self._digest = digest.hexdigest()

    def _line(self, number: int, text: str, fmt: Format) -> Line | str:
        if fmt == "text":
            params: Any = {"prompt": text.strip()}
        else:
            try:
                params = loads(text)
            except ValueError as exc:
                return f"line {number}: not JSON ({exc})"
            if not isinstance(params, dict):
                return f"line {number}: not a JSON object of parameters"
        fill = dict(self.defaults)
        if any(key in params for key in MODEL_KEYS):
            for key in MODEL_KEYS:
                fill.pop(key, None)
        return Line(number, {**fill, **params})

    def load(self) -> list[Line]:
        """The requests of the file, read again after `items` read it whole (and found no
        problem); InputError if the file is not what it was."""
        checked = self._digest
        with self.path.open("rb") as file:
            lines = [item for item in self.items(file) if isinstance(item, Line)]
        if checked is None or self._digest != checked:
            raise InputError(self.path, ["the file changed while it was read; run again"])
        return lines


def build_job(bria: BriaClient, params: Mapping[str, Any]) -> Job[ImageResult]:
    """The Job one line asks for: a tailored generation when it names a `model_id`, a
    base, fast or HD one otherwise. Raises what the method raises for bad parameters."""
    if "model_id" in params:
        return bria.images.generate_tailored(**params)
    return bria.images.generate(**params)


def problem_of(bria: BriaClient, line: Line) -> str | None:
    """What is wrong with `line`, checked as its `build_job` would, or None."""
    if line.params.get("sync"):
        return (
            f"line {line.number}: sync must be false: the batch polls placeholders, "
            "so a slow image holds no connection"
        )
    try:
        build_job(bria, line.params).cancel()  # built to validate, never sent
    except (ValidationError, TypeError) as exc:  # TypeError: an unknown or missing parameter
        return f"line {line.number}: {exc}"
    return None


def check_input(bria: BriaClient, reader: Reader, file: IO[bytes]) -> None:
    """Check every line of `file` in one pass, keeping none; InputError naming the first
    `MAX_LISTED_PROBLEMS` bad lines and counting the others."""
    problems: list[str] = []
    more = 0
    for item in reader.items(file):
        problem = problem_of(bria, item) if isinstance(item, Line) else item
        if problem is None:
            continue
        if len(problems) < MAX_LISTED_PROBLEMS:
            problems.append(problem)
        else:
            more += 1
    if problems:
        raise InputError(reader.path, problems, more)
