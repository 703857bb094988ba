"""`BriaClient.emulated()`: a client on the built-in emulator, started in this process, so
the README's samples run before you have a token (`Bria.emulated()` is in `_sync._root`)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._errors import ConfigurationError

if TYPE_CHECKING:
    from .testing import Emulator

C = TypeVar("C", bound=contextlib.AbstractAsyncContextManager[Any])


def new_emulator(name: str, options: dict[str, Any]) -> Emulator:
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
async def emulated(client_class: Callable[..., C], **options: Any) -> AsyncIterator[C]:
    """Start the emulator and yield a `client_class` pointed at it (with its token); both
    close when the block ends."""
    name = f"{getattr(client_class, '__name__', 'client')}.emulated()"
    async with new_emulator(name, options) as emulator:
        client = client_class(emulator.api_token, base_url=emulator.base_url, **options)
        async with client:
            yield client
