"""`python testing_cli.py ARGS`: the `bria-async` command with its client polling soon and often
enough for the emulator's short latencies, so tests that run batch workers as processes stay
fast (the default first poll comes after 2 s)."""

from __future__ import annotations

import sys
from typing import Any

import attrs

from bria_async import BriaClient, PollSettings, Settings
from bria_async.cli import main

POLLING = PollSettings(initial_delay=0.2, min_interval=0.1, max_interval=0.5)
_init = BriaClient.__init__


def _testing_init(
    self: BriaClient, *args: Any, settings: Settings | None = None, **kw: Any
) -> None:
    settings = attrs.evolve(settings or Settings(), polling=POLLING)
    _init(self, *args, settings=settings, **kw)


BriaClient.__init__ = _testing_init  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main())
