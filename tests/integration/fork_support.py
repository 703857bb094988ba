"""One fork scenario, run in a fresh process (``python fork_support.py NAME``) against the
emulator named by BRIA_BASE_URL and BRIA_API_TOKEN; prints a JSON line of what happened.

The process makes a client, makes one call, then ``os.fork()``s, as a gunicorn or celery
prefork master does. The child reports through a pipe and ends as a program ends (the
exit-time hooks run); the parent waits for it with a deadline, kills it when it passes
(so a hang is a result, not a stuck test), then calls its client again. A fresh process
and not the test's own: a child forked from pytest could not end through its main thread.

- ``sync-call``: the child calls the Bria it inherited, then exits.
- ``sync-idle``: the child never touches it and calls ``sys.exit(0)``.
- ``sync-with``: the fork happens inside ``with Bria(...)``, whose end closes it in the child.
- ``async-new-loop``: the child runs a BriaClient made (and used) by the parent in a new
  ``asyncio.run``, calls it and closes it.
- ``async-same-loop``: the fork happens in a coroutine; the child calls the BriaClient in
  the loop it inherited, closes it, and ends with ``os._exit`` (as multiprocessing's forked
  children do: an inherited running loop cannot be unwound).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from bria_async import Bria, BriaClient, Settings

DEADLINE = 15.0  # seconds the parent gives its child to end
CHILD_PROMPT = "a fox drawn in the child"  # the only POST: the test checks none arrived


def fork() -> int:
    """``os.fork()`` from a process with threads (the loop thread of a Bria, the executor of
    a loop), which Python 3.12+ warns may deadlock: that is the case under test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        return os.fork()


def wait(pid: int) -> str:
    """The child's end: "exit N", or "hung" when it was killed past the deadline."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return f"exit {os.waitstatus_to_exitcode(status)}"
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "hung"


def outcome(call: Callable[[], object]) -> str:
    """What `call` did: "returned", or the exception's type and message."""
    try:
        call()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "returned"


async def outcome_of(awaitable: Awaitable[object]) -> str:
    """What awaiting `awaitable` did, as `outcome` says it."""
    try:
        await awaitable
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "returned"


@contextlib.contextmanager
def forked(report: dict[str, Any]) -> Iterator[Callable[[str], None] | None]:
    """Fork: in the child, yield a function that reports a line to the parent; in the
    parent, yield None, then (after the block) wait for the child and fill `report`."""
    read, write = os.pipe()
    pid = fork()
    if pid == 0:
        os.close(read)

        def say(line: str) -> None:
            os.write(write, f"{line}\n".encode())

        yield say
        return
    os.close(write)
    yield None
    report["child"] = wait(pid)
    with os.fdopen(read, encoding="utf-8") as said:
        report["said"] = said.read().splitlines()


def client_options() -> dict[str, Any]:
    return {
        "api_token": os.environ["BRIA_API_TOKEN"],
        "base_url": os.environ["BRIA_BASE_URL"],
        "settings": Settings.for_testing(),
    }


def run_sync(scenario: str) -> dict[str, Any]:
    report: dict[str, Any] = {}
    bria = Bria(**client_options())
    bria.datasets.list()
    with forked(report) as say:
        if say is not None:  # the child
            if scenario == "sync-call":
                say(outcome(lambda: bria.images.generate(CHILD_PROMPT)))
                say(outcome(bria.close))
            sys.exit(0)
    report["parent"] = outcome(bria.datasets.list)
    bria.close()
    return report


def run_sync_with() -> dict[str, Any]:
    report: dict[str, Any] = {}
    with Bria(**client_options()) as bria:
        bria.datasets.list()
        with forked(report) as say:
            if say is not None:
                say("leaving the with block")
                sys.exit(0)
        report["parent"] = outcome(bria.datasets.list)
    return report


async def call_async(client: BriaClient, prompt: str | None) -> None:
    if prompt is None:
        await client.datasets.list()
    else:
        await client.images.generate(prompt)


def run_async_new_loop() -> dict[str, Any]:
    report: dict[str, Any] = {}
    client = BriaClient(**client_options())
    loop = asyncio.new_event_loop()
    loop.run_until_complete(call_async(client, None))
    with forked(report) as say:
        if say is not None:
            say(outcome(lambda: asyncio.run(call_async(client, CHILD_PROMPT))))
            say(outcome(lambda: asyncio.run(client.aclose())))
            sys.exit(0)
    report["parent"] = outcome(lambda: loop.run_until_complete(call_async(client, None)))
    loop.run_until_complete(client.aclose())
    loop.close()
    return report


async def run_async_same_loop() -> dict[str, Any]:
    report: dict[str, Any] = {}
    async with BriaClient(**client_options()) as client:
        await client.datasets.list()
        with forked(report) as say:
            if say is not None:
                say(await outcome_of(call_async(client, CHILD_PROMPT)))
                await client.aclose()
                say("closed")
                os._exit(0)
        report["parent"] = await outcome_of(call_async(client, None))
    return report


def main(scenario: str) -> dict[str, Any]:
    if scenario == "async-new-loop":
        return run_async_new_loop()
    if scenario == "async-same-loop":
        return asyncio.run(run_async_same_loop())
    if scenario == "sync-with":
        return run_sync_with()
    return run_sync(scenario)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
