"""Generated source, formatted and fixed by ruff with the project's settings, as the files
the generators write must be (a test compares them with what the generators make)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def formatted(source: str, target: Path) -> str:
    """`source`, to be written to `target`, formatted and fixed by this interpreter's ruff."""
    path = str(target.relative_to(Path.cwd())) if target.is_relative_to(Path.cwd()) else None
    for command in (["format"], ["check", "--fix", "--exit-zero", "-q"], ["format"]):
        source = subprocess.run(  # noqa: S603 - this interpreter's own ruff
            [sys.executable, "-m", "ruff", *command, "--stdin-filename", path or str(target), "-"],
            input=source,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return source
