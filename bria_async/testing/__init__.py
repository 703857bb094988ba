"""The Bria API emulator: every v1 route on loopback, with state, placeholders and faults.

Written from the API reference, not from the SDK, so the two check each other.
"""

from ._config import EmulatorConfig, Latency, RouteConfig
from ._counters import Counters, SeenRequest
from ._server import Emulator, create_api_app
from ._state import State
from ._storage import create_storage_app

__all__ = [
    "Counters",
    "Emulator",
    "EmulatorConfig",
    "Latency",
    "RouteConfig",
    "SeenRequest",
    "State",
    "create_api_app",
    "create_storage_app",
]
