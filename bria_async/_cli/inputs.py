"""The batch input: a text file of prompts or JSON Lines of `images.generate` parameters
(`images.generate_tailored` for a line that names a `model_id`).

Every line is checked before anything is sent, by building its Job (which validates) and
dropping it unsent; all bad lines are reported together, none is skipped. Blank lines are
not requests: they are counted and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .._errors import ValidationError
from .._json import loads

if TYPE_CHECKING:
    from .._client import BriaClient
    from .._jobs import Job
    from ..types.images import ImageResult

Format = Literal["auto", "text", "jsonl"]
MODEL_KEYS = ("model", "model_id")  # a line that sets one takes no default for the other


@attrs.frozen
class Line:
    """One request of the batch: its 1-based line number in the input and its parameters."""

    number: int
    params: dict[str, Any]


class InputError(Exception):
    """Some input lines are bad; `problems` names each one by its line number."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} bad line(s):\n  " + "\n  ".join(problems))


def read_lines(
    path: Path, *, fmt: Format = "auto", defaults: Mapping[str, Any] | None = None
) -> tuple[list[Line], list[str], int]:
    """The requests in `path`, the problems of lines that are not requests, and how many
    blank lines it had.

    Text lines are prompts; JSON lines are objects of keyword arguments. ``auto`` reads JSON
    Lines when the file ends in .jsonl/.ndjson or its first non-blank line starts with "{".
    `defaults` fill the parameters a line does not set; a default model (`model` or
    `model_id`) only fills a line that names neither.
    """
    text = path.read_text(encoding="utf-8")
    rows = text.splitlines()
    if fmt == "auto":
        first = next((row.strip() for row in rows if row.strip()), "")
        json_suffix = path.suffix.lower() in (".jsonl", ".ndjson")
        fmt = "jsonl" if json_suffix or first.startswith("{") else "text"
    lines: list[Line] = []
    problems: list[str] = []
    blank = 0
    for number, row in enumerate(rows, start=1):
        if not row.strip():
            blank += 1
            continue
        if fmt == "text":
            params: Any = {"prompt": row.strip()}
        else:
            try:
                params = loads(row)
            except ValueError as exc:
                problems.append(f"line {number}: not JSON ({exc})")
                continue
            if not isinstance(params, dict):
                problems.append(f"line {number}: not a JSON object of parameters")
                continue
        fill = dict(defaults or {})
        if any(key in params for key in MODEL_KEYS):
            for key in MODEL_KEYS:
                fill.pop(key, None)
        lines.append(Line(number, {**fill, **params}))
    return lines, problems, blank


def build_job(bria: BriaClient, params: Mapping[str, Any]) -> Job[ImageResult]:
    """The Job one line asks for: a tailored generation when it names a `model_id`, a
    base, fast or HD one otherwise. Raises what the method raises for bad parameters."""
    if "model_id" in params:
        return bria.images.generate_tailored(**params)
    return bria.images.generate(**params)


def check_lines(bria: BriaClient, path: Path, lines: list[Line], problems: list[str]) -> None:
    """Validate every line as its `build_job` would; raises InputError with
    these problems and the ones found earlier (`problems`), in line order."""
    problems = list(problems)
    for line in lines:
        if line.params.get("sync"):
            problems.append(
                f"line {line.number}: sync must be false: the batch polls "
                "placeholders, so a slow image holds no connection"
            )
            continue
        try:
            build_job(bria, line.params).cancel()  # built to validate, never sent
        except ValidationError as exc:
            problems.append(f"line {line.number}: {exc}")
        except TypeError as exc:  # an unknown or missing parameter
            problems.append(f"line {line.number}: {exc}")
    if problems:
        problems.sort(key=lambda problem: int(problem.split()[1].rstrip(":")))
        raise InputError(path, problems)
