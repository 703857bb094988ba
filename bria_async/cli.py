"""The `bria-async` command: a table of subcommands, each defined in its own module.

A subcommand module provides `configure_parser(parser)` and `run(args) -> int`; add a row to
`SUBCOMMANDS` to add a command.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

__all__ = ["SUBCOMMANDS", "main"]

# name -> (module providing configure_parser and run, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "emulator": ("bria_async.testing._cli", "run the Bria API emulator on loopback"),
    "demo": ("bria_async._cli.demo", "run a small generation batch, live (emulator if no token)"),
    "generate": ("bria_async._cli.generate", "generate images for one prompt and save them"),
    "batch": ("bria_async._cli.batch", "generate for every line of a file, resumably"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bria-async", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=help_text, description=help_text)
        module.configure_parser(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit status."""
    args = _parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
