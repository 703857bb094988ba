"""The `bria-async` command: a table of subcommands, each defined in its own module.

A subcommand module provides `configure_parser(parser)` and `run(args) -> int`; add a row to
`SUBCOMMANDS` to add a command. The modules import only the base dependencies, so `--help`
works on a bare `pip install bria-async`; a command whose extra is missing says which one to
install instead of failing with a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__

__all__ = ["SUBCOMMANDS", "main"]

# name -> (module providing configure_parser and run, one-line help, extra it needs or None)
SUBCOMMANDS: dict[str, tuple[str, str, str | None]] = {
    "emulator": (
        "bria_async.testing._cli",
        "run a local stand-in for the Bria API: try everything without a token",
        "emulator",
    ),
    "demo": (
        "bria_async._cli.demo",
        "watch a small batch generate live (on the emulator when no token is set)",
        "cli",
    ),
    "generate": ("bria_async._cli.generate", "generate images for one prompt and save them", None),
    "batch": (
        "bria_async._cli.batch",
        "generate images for every line of a file; run it again to resume",
        "cli",
    ),
    "batch-status": (
        "bria_async._cli.batch_status",
        "where a batch stands (--out DIR, or a PostgreSQL --journal); export its manifest",
        None,
    ),
}
DESCRIPTION = "Generate images with Bria from the command line, or try it on a local emulator."
EPILOG = (
    "Bria commands read BRIA_API_TOKEN (and BRIA_BASE_URL for another host). "
    "No token yet? Start with `bria-async demo`. Help on a command: bria-async COMMAND --help"
)
# extra -> the modules it installs that the commands import
_EXTRAS: dict[str, tuple[str, ...]] = {
    "emulator": ("PIL",),
    "cli": ("rich", "PIL"),
    "postgres": ("asyncpg",),
}
_MISSING_EXTRA = 1  # the exit status when a command's extra is not installed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bria-async", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text, extra) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=help_text, description=help_text)
        module.configure_parser(sub)
        sub.set_defaults(run=module.run, extra=extra)
    return parser


def _missing(extra: str | None) -> list[str]:
    """The modules of `extra` that cannot be imported."""
    missing = []
    for module in _EXTRAS.get(extra or "", ()):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    return missing


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit status."""
    args = _parser().parse_args(argv)
    missing = _missing(args.extra)
    if missing:
        print(
            f"bria-async {args.command}: {', '.join(missing)} is missing; install "
            f"bria-async[{args.extra}]: pip install 'bria-async[{args.extra}]'",
            file=sys.stderr,
        )
        return _MISSING_EXTRA
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
