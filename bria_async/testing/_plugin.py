"""The pytest plugin (entry point `bria_async`): fixtures that run the emulator for tests.

Loaded by every pytest run where bria-async is installed, so it imports nothing optional at
module level: the emulator (which needs Pillow) is imported when a fixture is used, which fails
the test with the extra to install when Pillow is missing. `bria_emulator` and `bria_client`
are async fixtures, there only when pytest-asyncio is installed; `bria_sync` is a plain one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .._client import BriaClient
    from .._sync._api import Bria
    from ._config import EmulatorConfig
    from ._server import Emulator

__all__ = ["fast_config"]


def fast_config() -> EmulatorConfig:
    """Settings that keep a test quick: short latencies, onboarding and training."""
    from ._config import EmulatorConfig, Latency

    return EmulatorConfig(
        placeholder_latency=Latency.fixed(0.05),
        onboarding_seconds=0.1,
        training_seconds=0.5,
        seed=1234,
    )


def _emulator_class(fixture: str) -> type[Emulator]:
    """`Emulator`, or a failed test naming the extra to install when Pillow is missing."""
    try:
        from ._server import Emulator
    except ImportError as error:
        problem = str(error)
    else:
        return Emulator
    pytest.fail(f"{fixture}: {problem}", pytrace=False)  # outside `except`: no chain


@pytest.fixture
def bria_sync() -> Iterator[Bria]:
    """A synchronous `Bria` in testing mode on an emulator (as `bria_emulator` configures it)
    served from a loop thread of its own, as `Bria.emulated()` runs it: a sync test's calls
    block the test's thread, so the emulator must not be served there. Closed after the test."""
    from .._settings import Settings
    from .._sync._api import Bria
    from .._sync._root import emulated_sync

    emulator = _emulator_class("bria_sync")(fast_config(), host="127.0.0.1", port=0, storage_port=0)
    options = {"settings": Settings.for_testing()}
    with emulated_sync(Bria, "bria_sync", options, emulator) as client:
        yield client


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - without pytest-asyncio there are no async fixtures
    pass
else:

    @pytest_asyncio.fixture
    async def bria_emulator() -> AsyncIterator[Emulator]:
        """A running emulator on a free 127.0.0.1 port, closed after the test."""
        emulator = _emulator_class("bria_emulator")(
            fast_config(), host="127.0.0.1", port=0, storage_port=0
        )
        async with emulator:
            yield emulator

    @pytest_asyncio.fixture
    async def bria_client(bria_emulator: Emulator) -> AsyncIterator[BriaClient]:
        """A BriaClient in testing mode (no backoff sleeps) pointed at `bria_emulator`."""
        from .._client import BriaClient
        from .._settings import Settings

        async with BriaClient(
            bria_emulator.api_token,
            base_url=bria_emulator.base_url,
            settings=Settings.for_testing(),
        ) as client:
            yield client
