"""What the synchronous client adds to its generated twin of AsyncBria (`Bria`): its loop
thread's life, ``Bria.emulated()``, and ways to run the async objects it hands out."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .. import _served
from .._emulated import new_emulator
from ._portal import Portal, Twin, in_loop_error

if TYPE_CHECKING:
    from .._client import AsyncBria
    from ..testing import Emulator

T = TypeVar("T")
R = TypeVar("R", bound="SyncRoot")


class _Closes(Protocol):
    def close(self) -> None: ...


S = TypeVar("S", bound=_Closes)


class SyncRoot(Twin["AsyncBria"]):
    """What the synchronous client adds to its generated twin of AsyncBria: its loop
    thread's life, and ways to run the async objects it hands out."""

    def _start(self, client: AsyncBria) -> None:
        if in_loop_error() is None:  # in a loop, the first call says to use AsyncBria
            error = _served.blocked_error(client.base_url)
            if error is not None:
                raise error
        self._async = client
        self._portal = Portal(client.aclose)

    @classmethod
    def emulated(cls: type[R], **options: Any) -> contextlib.AbstractContextManager[R]:
        """``with Bria.emulated() as bria:`` a client on the built-in emulator, started on
        127.0.0.1 for the block: every route answers, no token or network needed.
        `options` (settings, hooks, ...) go to the client. Needs the ``emulator`` extra."""
        return emulated_sync(cls, f"{cls.__name__}.emulated()", options)

    @property
    def aio(self) -> AsyncBria:
        """The async client this one runs: its namespaces make Jobs for `submit` and
        `gather` (``bria.submit(bria.aio.images.generate("a fox"))``)."""
        return self._async

    def run(self, awaitable: Awaitable[T]) -> T:
        """Await anything of this client's (``image.read()``, a Job) and return its result."""
        return self._portal.run(awaitable)

    def close(self) -> None:
        """Stop polling, close the connections, then stop the loop thread (once)."""
        self._async._refuse_view()
        self._portal.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


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
    error = in_loop_error()
    if error is not None:  # before a loop thread is started for nothing
        raise error
    if emulator is None:
        emulator = new_emulator(name, options)
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
