"""The pytest plugin (entry point `bria_async`): fixtures that run the emulator for tests.

Loaded by every pytest run where bria-async is installed, so it imports nothing optional at
module level: the emulator (which needs Pillow) is imported when a fixture is used, and the
fixtures exist only when pytest-asyncio is installed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import BriaClient
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


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - without pytest-asyncio there are no async fixtures
    pass
else:

    @pytest_asyncio.fixture
    async def bria_emulator() -> AsyncIterator[Emulator]:
        """A running emulator on a free 127.0.0.1 port, closed after the test."""
        from ._server import Emulator

        async with Emulator(fast_config(), host="127.0.0.1", port=0, storage_port=0) as emu:
            yield emu

    @pytest_asyncio.fixture
    async def bria(bria_emulator: Emulator) -> AsyncIterator[BriaClient]:
        """A BriaClient in testing mode (no backoff sleeps) pointed at `bria_emulator`."""
        from .._client import BriaClient
        from .._settings import Settings

        async with BriaClient(
            bria_emulator.api_token,
            base_url=bria_emulator.base_url,
            settings=Settings.for_testing(),
        ) as client:
            yield client
