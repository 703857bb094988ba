"""The Bria API emulator: every v1 and v2 route on loopback, with state, placeholders, v2 jobs
and their signed webhooks, and faults.

Written from the API reference and V2.md, not from the SDK, so the two check each other.

The names load on first use: the pytest plugin (`bria_async.testing._plugin`) and the
`bria-async` command import this package in every project where bria-async is installed, and
the emulator's image rendering needs Pillow, which only the `emulator` extra installs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._config import EmulatorConfig, Latency, RouteConfig
    from ._counters import Counters, SeenRequest
    from ._limits import RateLimit
    from ._server import Emulator, create_api_app
    from ._state import State
    from ._storage import create_storage_app

__all__ = [
    "Counters",
    "Emulator",
    "EmulatorConfig",
    "Latency",
    "RateLimit",
    "RouteConfig",
    "SeenRequest",
    "State",
    "create_api_app",
    "create_storage_app",
]

_MODULES = {
    "Counters": "._counters",
    "Emulator": "._server",
    "EmulatorConfig": "._config",
    "Latency": "._config",
    "RateLimit": "._limits",
    "RouteConfig": "._config",
    "SeenRequest": "._counters",
    "State": "._state",
    "create_api_app": "._server",
    "create_storage_app": "._storage",
}


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` when it is first asked for."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
