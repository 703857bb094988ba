"""`BriaClient.emulated()` and `Bria.emulated()`: a client on the built-in emulator, started
in this process, so the README's samples run before you have a token."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ._errors import ConfigurationError

if TYPE_CHECKING:
    from ._client import BriaClient
    from ._sync._portal import SyncRoot
    from .testing import Emulator

C = TypeVar("C", bound="BriaClient")
S = TypeVar("S", bound="SyncRoot")


def _emulator(name: str, options: dict[str, Any]) -> Emulator:
    """An emulator on free 127.0.0.1 ports, not started yet, once `options` were checked
    (`name`: the method, for the messages)."""
    for option in ("api_token", "base_url"):
        if option in options:
            raise ConfigurationError(f"{name} sets {option} itself: leave it out")
    try:
        from .testing import Emulator
    except ImportError as error:  # Pillow, which only the extras install
        raise ConfigurationError(f"{name} needs the emulator: {error}") from None
    return Emulator(host="127.0.0.1", port=0, storage_port=0)


@contextlib.asynccontextmanager
async def emulated(client_class: type[C], **options: Any) -> AsyncIterator[C]:
    """Start the emulator and yield a `client_class` pointed at it (with its token); both
    close when the block ends."""
    async with _emulator(f"{client_class.__name__}.emulated()", options) as emulator:
        client = client_class(emulator.api_token, base_url=emulator.base_url, **options)
        async with client:
            yield client


@contextlib.contextmanager
def emulated_sync(
    client_class: Callable[..., S],
    name: str,
    options: dict[str, Any],
    emulator: Emulator | None = None,
) -> Iterator[S]:
    """`emulated` for the synchronous client: the emulator (`emulator`, or one on free
    127.0.0.1 ports) serves from a loop thread of its own (the client has its own too); both
    stop when the block ends."""
    from ._sync._portal import Portal, in_loop_error

    error = in_loop_error()
    if error is not None:  # before a loop thread is started for nothing
        raise error
    if emulator is None:
        emulator = _emulator(name, options)
    portal = Portal(emulator.close)
    try:
        portal.run(emulator.start())
        client = client_class(emulator.api_token, base_url=emulator.base_url, **options)
        try:
            yield client
        finally:
            client.close()
    finally:
        portal.close()
