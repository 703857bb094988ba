"""What Jobs, results and resources share inside one client: transport, poller, storage."""

from __future__ import annotations

import collections
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._events import Hooks
from ._poller import Poller
from ._request import RequestOptions
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
    #: The key that signs and checks job tokens (raises ConfigurationError without one).
    token_key: Callable[[], bytes]
    #: Whether placeholder and result URLs may be plain http.
    allow_insecure_http: bool
    #: How this client's (or view's) API requests are sent, made from `settings` (again
    #: by ``attrs.evolve`` for a ``with_options`` view).
    options: RequestOptions = attrs.field(init=False)
    #: The v2 jobs being followed in this process, by request id (what webhooks complete).
    v2_jobs: weakref.WeakValueDictionary[str, Any] = attrs.field(
        factory=weakref.WeakValueDictionary
    )
    #: Final statuses delivered before their job's submission was answered (a fast job's
    #: webhook can overtake the 202), kept for that job; the oldest go past EARLY_EVENTS.
    early_events: collections.OrderedDict[str, Mapping[str, Any]] = attrs.field(
        factory=collections.OrderedDict
    )

    @options.default
    def _options(self) -> RequestOptions:
        return RequestOptions.of(self.settings)

    def sending_with(self, options: RequestOptions) -> Runtime:
        """This runtime, sending with `options` (one call's own extra headers or timeout):
        everything else, poller and transport included, is shared."""
        runtime = attrs.evolve(self)
        # `options` is computed from the settings (init=False): set past the frozen guard,
        # on the copy only, before anyone else sees it
        object.__setattr__(runtime, "options", options)
        return runtime


#: How many early webhook statuses a client keeps for jobs it does not follow (yet).
EARLY_EVENTS = 256
