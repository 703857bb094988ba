"""The route tables of the README and the docs site, generated from the route table
(`_routes.ROUTES`): ``python -m bria_async._route_docs --markdown`` prints them, ``--write
README.md docs/reference/routes.md`` fills each file's ``<!-- routes-v1 -->`` and
``<!-- routes-v2 -->`` blocks (a test fails when a file in `TARGETS` differs from what it
would write).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ._routes import ROUTES

#: The files that hold the generated tables, relative to the repository root.
TARGETS = ("README.md", "docs/reference/routes.md")

_V1_HEAD = "| # | route | method |\n|---|---|---|\n"
_V2_HEAD = "| route (under /v2) | method |\n|---|---|\n"


def markdown() -> dict[str, str]:
    """The route tables, by the name of the block that holds each."""
    v1 = "".join(
        f"| {r.number or ''} | {r.method} {r.path} | {r.usage} |\n"
        for r in ROUTES
        if r.version == 1
    )
    v2 = "".join(f"| {r.method} {r.path} | {r.usage} |\n" for r in ROUTES if r.version == 2)
    return {"routes-v1": _V1_HEAD + v1, "routes-v2": _V2_HEAD + v2}


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name} -->\n)(.*?)(<!-- /{name} -->)", re.S)


def rendered(text: str) -> str:
    """`text` (a Markdown file) with each route-table block replaced by the generated one."""
    for name, table in markdown().items():

        def fill(match: re.Match[str], table: str = table) -> str:
            return f"{match[1]}{table}{match[3]}"

        text, found = _block(name).subn(fill, text)
        if not found:
            raise ValueError(f"no <!-- {name} --> block to fill")
    return text


def main(argv: list[str]) -> int:
    """``--markdown``: print the tables; ``--write FILE...``: fill the blocks of each FILE."""
    if argv[:1] == ["--markdown"]:
        print("\n".join(markdown().values()), end="")
        return 0
    if len(argv) >= 2 and argv[0] == "--write":
        paths = [Path(name) for name in argv[1:]]
        texts = [rendered(path.read_text(encoding="utf-8")) for path in paths]  # all or none
        for path, text in zip(paths, texts, strict=True):
            path.write_text(text, encoding="utf-8")
        return 0
    print(
        "usage: python -m bria_async._route_docs --markdown | --write FILE [FILE ...]",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
