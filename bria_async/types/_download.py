"""What a result is given to download its images: a `Downloader` (the client's storage, or
anything with its two methods), so result types stay data and import no runtime."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Awaitable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .._errors import ClientStateError

T_co = TypeVar("T_co", covariant=True)


class Downloader(Protocol):
    """Reads result URLs (without the API token) and saves them under safe, new names."""

    async def read(self, url: str) -> bytes:
        """The bytes at `url`."""
        ...

    async def save(
        self, items: Sequence[tuple[str, str]], directory: str | os.PathLike[str]
    ) -> list[Path]:
        """Download each (url, file stem) concurrently into `directory`; the paths, in order."""
        ...


class Savable(Protocol[T_co]):
    """A result `bria.save()` can save: it saves itself with the downloader it is given."""

    def _save_with(
        self, downloader: Downloader | None, directory: str | os.PathLike[str]
    ) -> Awaitable[T_co]: ...


def downloader_of(downloader: Downloader | None, what: str) -> Downloader:
    """`downloader`, which a result made by hand (not by a client) lacks: then the error
    says to save it through a client."""
    if downloader is None:
        raise ClientStateError(
            f"this {what} was not made by a BriaClient; save it with `await bria.save(...)`"
        )
    return downloader


class ResultContext:
    """What a result parser may use besides the response: the job, and the downloader.
    (A slotted class: one is made per result, and calling a class costs less than making
    a NamedTuple.)"""

    __slots__ = ("context", "downloader", "job_id", "submitted_at")

    def __init__(
        self,
        job_id: str,
        submitted_at: dt.datetime,
        context: Mapping[str, Any],
        downloader: Downloader | None,
    ) -> None:
        self.job_id = job_id
        self.submitted_at = submitted_at
        self.context = context
        self.downloader = downloader
