"""Which thread's event loop serves each emulator started in this process, so a synchronous
client pointed at one its own calling thread serves fails at once: that thread blocks while
the client waits, so the emulator could never answer, and each call would time out."""

from __future__ import annotations

import threading
import urllib.parse

from ._errors import ClientStateError

_SERVING: dict[tuple[str, str, int | None], int] = {}  # origin -> the serving thread's ident


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port


def serving(url: str) -> None:
    """The emulator at `url` is served by the running loop of the current thread."""
    _SERVING[_origin(url)] = threading.get_ident()


def stopped(url: str) -> None:
    """The emulator at `url` serves no more."""
    _SERVING.pop(_origin(url), None)


def blocked_error(url: str) -> ClientStateError | None:
    """The error for a synchronous client on `url` made in the thread that serves the
    emulator at `url`, or None."""
    if _SERVING.get(_origin(url)) != threading.get_ident():
        return None
    return ClientStateError(
        f"this Bria client points at an emulator ({url}) served by this thread's event loop, "
        "which cannot answer while the synchronous client blocks this thread: every call "
        "would time out. In pytest, use the `bria_sync` fixture (a Bria on an emulator of "
        "its own loop thread) instead of `bria_emulator`; elsewhere, `with Bria.emulated() "
        "as bria:`, or BriaClient with `await`."
    )
