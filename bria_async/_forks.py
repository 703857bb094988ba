"""A client made before ``os.fork()`` belongs to the parent: in the child its loop thread is
gone, and its connections and its loop's selector are file descriptors shared with the
parent, so the child may neither use nor close them. Each such object is told right after
the fork, in the child, so that it refuses calls and lets go of them untouched."""

from __future__ import annotations

import os
import weakref
from typing import TYPE_CHECKING, Protocol

from ._errors import ClientStateError

if TYPE_CHECKING:
    import aiohttp


class _Forkable(Protocol):
    def _after_fork_in_child(self) -> None: ...


_watched: weakref.WeakSet[_Forkable] = weakref.WeakSet()


def watch(owner: _Forkable) -> None:
    """Call ``owner._after_fork_in_child()`` in the child of every fork while `owner` lives."""
    _watched.add(owner)


def forked_error(what: str) -> ClientStateError:
    """The error for a call, in a forked child, to a `what` made in its parent."""
    return ClientStateError(
        f"this {what} was created before os.fork(), in the parent process: its connections "
        "are the parent's and cannot serve this one. Create the client after the fork, in "
        "the process that uses it (in each worker, for example)"
    )


def leave_to_parent(session: aiohttp.ClientSession) -> None:
    """Make a session inherited from the parent inert here: closed, so that neither a call
    nor its garbage collection closes its connections, which would also take the parent's
    sockets out of the selector the two processes share."""
    connector = session.connector
    session.detach()  # closed, without closing its connector
    if connector is not None:
        connector._closed = True  # aiohttp: a closed connector closes and releases nothing


def _after_fork_in_child() -> None:
    for owner in list(_watched):
        owner._after_fork_in_child()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
