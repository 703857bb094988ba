"""What Jobs, results and resources share inside one client: transport, poller, storage."""

from __future__ import annotations

import attrs

from ._events import Hooks
from ._poller import Poller
from ._settings import Settings
from ._storage import Storage
from ._transport import Transport


@attrs.frozen(kw_only=True)
class Runtime:
    """The client's working parts, handed to Jobs so they need not know the client."""

    settings: Settings
    hooks: Hooks
    transport: Transport
    poller: Poller
    storage: Storage
