"""`BriaClient.emulated()`: a client on the built-in emulator, started in this process, so
the README's samples run before you have a token."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

from ._errors import ConfigurationError

if TYPE_CHECKING:
    from ._client import BriaClient

C = TypeVar("C", bound="BriaClient")


@contextlib.asynccontextmanager
async def emulated(client_class: type[C], **options: Any) -> AsyncIterator[C]:
    """Start the emulator on free 127.0.0.1 ports and yield a `client_class` pointed at it
    (with its token); both close when the block ends."""
    for name in ("api_token", "base_url"):
        if name in options:
            raise ConfigurationError(f"BriaClient.emulated() sets {name} itself: leave it out")
    try:
        from .testing import Emulator
    except ImportError as error:  # Pillow, which only the extras install
        raise ConfigurationError(f"BriaClient.emulated() needs the emulator: {error}") from None
    async with Emulator(host="127.0.0.1", port=0, storage_port=0) as emulator:
        client = client_class(emulator.api_token, base_url=emulator.base_url, **options)
        async with client:
            yield client
