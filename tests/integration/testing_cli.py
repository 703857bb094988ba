"""`python testing_cli.py ARGS`: the `bria-async` command with its client polling soon and often
enough for the emulator's short latencies, so tests that run batch workers stay fast (the
default first poll comes after 2 s). `fast_polling_init` does the same in-process."""

from __future__ import annotations

import sys
from typing import Any

import attrs

from bria_async import BriaClient, PollSettings, Settings
from bria_async.cli import main

POLLING = PollSettings(initial_delay=0.2, min_interval=0.1, max_interval=0.5)
_init = BriaClient.__init__


def fast_polling_init(
    self: BriaClient, *args: Any, settings: Settings | None = None, **kw: Any
) -> None:
    """`BriaClient.__init__` with `POLLING` in place of the settings' polling."""
    _init(self, *args, settings=attrs.evolve(settings or Settings(), polling=POLLING), **kw)


if __name__ == "__main__":
    BriaClient.__init__ = fast_polling_init  # type: ignore[method-assign]
    sys.exit(main())
