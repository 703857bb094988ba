"""A client made before ``os.fork()`` (a gunicorn or celery prefork master, multiprocessing):
the child ends at once, a call there raises ClientStateError naming the fix before any
request, and the parent keeps working on its connections. Each scenario runs in a fresh
process (fork_support.py) that forks, against this test's emulator."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from bria_async.testing import Emulator

HERE = Path(__file__).resolve().parent
FORKED = "ClientStateError"  # what a call in the child raised, naming the fix


async def run_scenario(emulator: Emulator, scenario: str) -> dict[str, Any]:
    """What fork_support.py reported for `scenario` (it kills a child that hangs)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]), str(HERE)]),
        "PYTHONWARNINGS": "error",
        "BRIA_API_TOKEN": emulator.api_token,
        "BRIA_BASE_URL": emulator.base_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "fork_support.py"),
        scenario,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"{scenario}: the forking process itself did not end")
    assert process.returncode == 0, err.decode()
    report: dict[str, Any] = json.loads(out.decode().splitlines()[-1])
    report["stderr"] = err.decode()
    return report


def sent_from_the_child(emulator: Emulator) -> list[str]:
    """The requests that only a child makes (the parents only list datasets)."""
    return [f"{r.method} {r.path}" for r in emulator.counters.requests if r.method != "GET"]


@pytest.mark.parametrize(
    ("scenario", "said"),
    [
        ("sync-call", [FORKED, "returned"]),
        ("sync-idle", []),
        ("sync-with", ["leaving the with block"]),
        ("async-new-loop", [FORKED, "returned"]),
        ("async-same-loop", [FORKED, "closed"]),
    ],
)
async def test_a_forked_child_ends_and_refuses_calls_and_the_parent_keeps_working(
    bria_emulator: Emulator, scenario: str, said: list[str]
) -> None:
    report = await run_scenario(bria_emulator, scenario)
    assert report["child"] == "exit 0", report
    assert [line.split(":")[0] for line in report["said"]] == said, report
    if said and said[0] == FORKED:
        assert "was created before os.fork()" in report["said"][0]
        assert "Create the client after the fork" in report["said"][0]
    assert report["parent"] == "returned", report
    assert sent_from_the_child(bria_emulator) == []
