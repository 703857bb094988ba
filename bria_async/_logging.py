"""``BRIA_LOG=debug|info``: log the ``bria_async`` logger to stderr, as ``OPENAI_LOG`` does.

Read as each client is made; the handler is installed once per process (a second client,
or another level later, only changes the level). Nothing logged carries the API token: it
travels in a header that no log line shows.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

from ._events import logger

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
_warned: set[str] = set()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler BRIA_LOG installs (its class tells it apart from the app's own)."""


def configure_from_env() -> None:
    """Apply ``BRIA_LOG`` if set: debug or info; any other value is ignored with a warning."""
    value = os.environ.get("BRIA_LOG", "").strip().lower()
    if not value:
        return
    level = LEVELS.get(value)
    if level is None:
        if value not in _warned:
            _warned.add(value)
            warnings.warn(
                f"BRIA_LOG={value!r} is ignored: use 'debug' or 'info'", UserWarning, stacklevel=3
            )
        return
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
    logger.setLevel(level)
