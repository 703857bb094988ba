"""The emulator in its own process (`bria-async emulator`): its CPU never counts as the client's."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from types import TracebackType
from typing import Any

TOKEN = "benchmark-token"  # the fake token the emulator is told to accept


class EmulatorProcess:
    """`python -m bria_async.cli emulator` on free loopback ports; `base_url` once started."""

    def __init__(self, *options: str) -> None:
        self._options = options
        self._proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> EmulatorProcess:
        command = [
            sys.executable,
            "-m",
            "bria_async.cli",
            "emulator",
            "--port",
            "0",
            "--max-image-side",
            "64",
            "--api-token",
            TOKEN,
            *self._options,
        ]
        self._proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            self.__exit__(None, None, None)
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.base_url = line
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._proc = None

    def reset(self) -> None:
        """Forget the counters (and fill the rate limit buckets again)."""
        url = self.base_url.removesuffix("/v1") + "/_emulator/reset"
        request = urllib.request.Request(url, method="POST")  # noqa: S310 - loopback http
        with urllib.request.urlopen(request, timeout=60):  # noqa: S310
            pass

    def state(self) -> dict[str, Any]:
        """The emulator's counters: probes and ready times per placeholder (no request log)."""
        url = self.base_url.removesuffix("/v1") + "/_emulator/state?requests=false"
        with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - loopback http
            data: dict[str, Any] = json.load(answer)
        return data
