"""The loop thread behind a synchronous client, and what every synchronous twin shares.

A `Portal` runs one event loop on a daemon thread for the life of one ``Bria`` client;
every call from any thread is handed to it with ``run_coroutine_threadsafe`` and waited
for, so one connection pool and one poller serve them all, and no loop is made per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .. import _forks, _served
from .._errors import ClientStateError
from .._jobs import Job

if TYPE_CHECKING:
    from .._client import BriaClient
    from ._api import SyncJob

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
A = TypeVar("A", covariant=True)
W = TypeVar("W", bound="Twin[Any]")
R = TypeVar("R", bound="SyncRoot")


def in_loop_error() -> ClientStateError | None:
    """The error for a blocking call made from a running event loop, or None."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return None
    return ClientStateError(
        "Bria is the synchronous client: it blocks, so it is not called from a running "
        "event loop (async code, a Jupyter cell, a Bria hook or callback). There, use "
        "`async with BriaClient() as bria:` and `await` its calls."
    )


class Portal:
    """One event loop on a daemon thread; callable from any thread but its own.

    `last` is awaited on the loop when the portal closes: by ``close()``, or at exit or
    when nothing uses the portal any more, whichever comes first. In a child forked from
    the process that made it, the portal refuses calls and its close touches nothing.
    """

    def __init__(self, last: Callable[[], Awaitable[None]]) -> None:
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="bria-sync-loop", daemon=True
        )
        self._thread.start()
        self._finalizer = weakref.finalize(self, _shutdown, self._loop, self._thread, last)
        self._forked = False
        _forks.watch(self)

    def _after_fork_in_child(self) -> None:
        """The loop thread is not in this process, and the loop's selector and sockets are
        the parent's: never wait for the thread (at exit either) nor touch the loop."""
        self._forked = True
        self._lock = threading.Lock()  # a thread of the parent may have held it
        self._finalizer.detach()

    def _refuse(self, awaitable: object = None) -> ClientStateError | None:
        """Why a call cannot be made from here, if it cannot."""
        if self._forked:
            error: ClientStateError | None = _forks.forked_error("Bria client")
        elif self._closed:
            error = ClientStateError("this Bria client is closed; open a new one")
        else:
            error = in_loop_error()
        if error is None:
            return None
        # what was made for this call is dropped unsent, quietly
        if isinstance(awaitable, Job):
            awaitable.cancel()
        elif asyncio.iscoroutine(awaitable):
            awaitable.close()
        return error

    def run(self, awaitable: Awaitable[T]) -> T:
        """Await `awaitable` on the loop thread; its result, or what it raised."""
        error = self._refuse(awaitable)
        if error is not None:
            raise error
        future = asyncio.run_coroutine_threadsafe(_await(awaitable), self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # interrupted here (Ctrl-C): stop waiting there too
            raise

    def call(self, function: Callable[[], T]) -> T:
        """Call `function` on the loop thread, where the client's state lives."""
        return self.run(_call(function))

    def next(self, source: AsyncIterator[T]) -> T:
        """The next item of `source`; StopIteration at its end."""
        try:
            return self.run(source.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def iterate(self, source: AsyncIterator[T]) -> Iterator[T]:
        """`source` as an iterator; leaving the loop early closes it on the loop thread."""
        try:
            while True:
                try:
                    item = self.run(source.__anext__())
                except StopAsyncIteration:
                    return
                yield item
        finally:
            close = getattr(source, "aclose", None)
            if close is not None and self._refuse() is None:
                self.run(close())

    def close(self) -> None:
        """Await `last` on the loop, then stop the loop and join its thread; once. In a
        forked child, only mark the portal closed: the loop and `last` are the parent's."""
        with self._lock:
            if self._closed or self._forked:
                self._closed = True
                return
            error = self._refuse()
            if error is not None:
                raise error
            self._closed = True
            self._finalizer()


def _shutdown(
    loop: asyncio.AbstractEventLoop,
    thread: threading.Thread,
    last: Callable[[], Awaitable[None]],
) -> None:
    """Close a portal's client on its loop, then stop the loop and its thread. On the loop
    thread itself (a garbage collection there) it can only ask the loop to stop."""
    if threading.current_thread() is thread:
        loop.call_soon(loop.stop)
        return
    try:
        asyncio.run_coroutine_threadsafe(_await(last()), loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def _call(function: Callable[[], T]) -> T:
    return function()


class Twin(Generic[A]):
    """The synchronous twin of an async object: the object and the portal that runs it."""

    _async: A
    _portal: Portal

    @classmethod
    def _wrap(cls: type[W], async_: Any, portal: Portal) -> W:
        twin = cls.__new__(cls)
        twin._async = async_
        twin._portal = portal
        return twin

    def __repr__(self) -> str:
        return f"<sync {self._async!r}>"


class _Saves(Protocol[T_co]):
    def save(self, directory: str | os.PathLike[str]) -> Awaitable[T_co]: ...


class SyncRoot(Twin["BriaClient"]):
    """What the synchronous client adds to its generated twin of BriaClient: its loop
    thread's life, and ways to run the async objects it hands out."""

    def _start(self, client: BriaClient) -> None:
        if in_loop_error() is None:  # in a loop, the first call says to use BriaClient
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
        from .._emulated import emulated_sync

        return emulated_sync(cls, f"{cls.__name__}.emulated()", options)

    @property
    def aio(self) -> BriaClient:
        """The async client this one runs: its namespaces make Jobs for `submit` and
        `gather` (``bria.submit(bria.aio.images.generate("a fox"))``)."""
        return self._async

    def submit(self, job: Job[T]) -> SyncJob[T]:
        """Send `job` (made by ``bria.aio``) and return it at once, with its placeholder
        URLs and ``to_dict()`` token; ``.wait()`` gives its result later."""
        from ._api import SyncJob

        return SyncJob._wrap(self._portal.run(job.submit()), self._portal)

    def run(self, awaitable: Awaitable[T]) -> T:
        """Await anything of this client's (``image.read()``, a Job) and return its result."""
        return self._portal.run(awaitable)

    def save(self, result: _Saves[T], directory: str | os.PathLike[str]) -> T:
        """``result.save(directory)``, run here: the written path(s)."""
        return self._portal.run(result.save(directory))

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
