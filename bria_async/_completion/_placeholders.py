"""``sync=false``: the answer lists placeholder URLs, probed on the poller until each holds
its image."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from .._errors import APIResponseValidationError, BriaError, JobFailedError
from .._urls import is_loopback
from .._watches import Outcome, watch_placeholder
from ._base import Completion, Failed

if TYPE_CHECKING:
    from .._followed import Followed
    from .._poller import Watch


def check_placeholder_url(url: object, *, allow_insecure_http: bool) -> str:
    """`url` if it is an https URL with a host; plain http only to loopback, unless the
    client allows insecure http (the rule of the base URL)."""
    if not isinstance(url, str) or len(url) > 8192:
        raise ValueError(f"{url!r:.100} is not a URL")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"{url!r:.100} is not a URL: {exc}") from None
    if not host or any(c in url for c in "\r\n\t "):
        raise ValueError(f"{url!r:.100} is not a URL with a host")
    if parts.scheme == "https" or (
        parts.scheme == "http" and (allow_insecure_http or is_loopback(host))
    ):
        return url
    allowed = "an http(s)" if allow_insecure_http else "an https (or loopback http)"
    raise ValueError(f"{url!r:.100} is not {allowed} URL")


@attrs.frozen
class Placeholders:
    """``sync=false``: the answer lists placeholder URLs that later hold the images; the
    shared poller probes each until it is ready. A ``sync=true`` answer is the result."""

    urls: Callable[[Any], Sequence[str]]

    def begin(self, job: Followed, http_status: int) -> Completion:
        if job.context.get("sync"):
            return Completion(job)
        try:
            urls = tuple(self.urls(job.body))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            return Failed(
                job,
                APIResponseValidationError(
                    f"the answer lists no placeholder URLs ({exc})",
                    job_id=job.id,
                    excerpt=repr(job.body)[:200],
                ),
            )
        return _PlaceholderCompletion.checked(job, urls, [False] * len(urls))

    def restore(self, job: Followed, state: Mapping[str, Any]) -> Completion:
        urls, ready = state.get("urls", []), state.get("ready", [])
        if not isinstance(urls, list) or not isinstance(ready, list):
            raise TypeError("urls and ready must be lists")
        if len(ready) != len(urls) or not all(isinstance(r, bool) for r in ready):
            raise ValueError("ready must hold one true or false per URL")
        for url in urls:
            check_placeholder_url(url, allow_insecure_http=job.runtime.allow_insecure_http)
        if not urls:
            return Completion(job)
        return _PlaceholderCompletion(job, tuple(urls), ready)

    def not_final(self, error: BriaError) -> bool:
        return False


class _PlaceholderCompletion(Completion):
    """Probes each pending placeholder URL; done when all are ready."""

    def __init__(self, job: Followed, urls: tuple[str, ...], ready: list[bool]) -> None:
        super().__init__(job)
        self._urls = urls
        self._ready = ready
        self._watches: dict[int, Watch] = {}

    @classmethod
    def checked(cls, job: Followed, urls: tuple[str, ...], ready: list[bool]) -> Completion:
        """The completion, or one that fails the job at once if a URL cannot be probed."""
        for url in urls:
            try:
                check_placeholder_url(url, allow_insecure_http=job.runtime.allow_insecure_http)
            except ValueError as exc:
                return Failed(
                    job,
                    APIResponseValidationError(
                        f"a placeholder URL cannot be fetched: {exc}", job_id=job.id, url=str(url)
                    ),
                )
        return cls(job, urls, ready) if urls else Completion(job)

    @property
    def pending_urls(self) -> tuple[str, ...]:
        return tuple(u for u, ok in zip(self._urls, self._ready, strict=True) if not ok)

    def ready_images(self) -> Sequence[bool]:
        return self._ready

    def state(self) -> dict[str, Any]:
        return {"urls": list(self._urls), "ready": list(self._ready)}

    def start(self) -> None:
        if not self._job.progress():
            return
        self.rearm()

    def rearm(self) -> None:
        if all(self._ready):
            self._job.complete()
            return
        job = self._job
        runtime = job.runtime
        waited = time.time() - job.submitted_at
        for i, url in enumerate(self._urls):
            if not self._ready[i] and i not in self._watches:
                self._watches[i] = watch_placeholder(
                    runtime.poller,
                    url,
                    route=job.kind,
                    job_id=job.id,
                    waited=waited,
                    window=runtime.settings.polling.job_timeout,
                    on_outcome=self._reporter(i),
                )

    def cancel(self) -> None:
        for watch in self._watches.values():
            watch.cancel()
        self._watches.clear()

    def _reporter(self, i: int) -> Callable[[Outcome, BaseException | None], None]:
        def report(outcome: Outcome, error: BaseException | None) -> None:
            self._watches.pop(i, None)
            job = self._job
            if outcome is Outcome.READY:
                self._ready[i] = True
                if all(self._ready):
                    job.complete()
                else:
                    job.progress()
            elif outcome is Outcome.EXPIRED:
                self.cancel()  # the other URLs' windows end with this one: rearm() renews all
                job.stall()
            elif outcome is Outcome.FAILED:
                reason = str(error) if error is not None else "the image failed"
                job.fail(JobFailedError(reason, job_id=job.id, url=self._urls[i], cause=error))

        return report
