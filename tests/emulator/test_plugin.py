"""The pytest plugin's fixtures: `bria_emulator` gives a running emulator with fast defaults,
`bria_sync` a synchronous client on an emulator of its own loop thread; a sync client pointed
at the async fixture's emulator fails at once, naming `bria_sync`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp

from bria_async import Bria
from bria_async.testing import Emulator

ROOT = Path(__file__).resolve().parents[2]


async def test_bria_emulator_fixture_serves_on_loopback(bria_emulator: Emulator) -> None:
    assert bria_emulator.base_url.startswith("http://127.0.0.1:")
    assert bria_emulator.config.placeholder_latency.sample(bria_emulator.state.rng) < 0.5
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            bria_emulator.base_url + "/tailored-gen/datasets",
            headers={"api_token": bria_emulator.api_token},
        ) as response,
    ):
        assert response.status == 200
        assert await response.json() == []


def test_bria_sync_fixture_is_a_synchronous_client_on_an_emulator(bria_sync: Bria) -> None:
    result = bria_sync.images.generate("a red fox", num_results=2)

    assert len(result.images) == 2
    assert result.images[0].url.startswith("http://127.0.0.1:")
    assert bria_sync.aio.base_url.startswith("http://127.0.0.1:")


def _run_project(tmp_path: Path, test: str) -> subprocess.CompletedProcess[str]:
    """pytest on a project of its own holding `test`, with the plugin as users get it."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nasyncio_mode = "auto"\n'
        'asyncio_default_fixture_loop_scope = "function"\nfilterwarnings = ["error"]\n'
    )
    (tmp_path / "test_user.py").write_text(textwrap.dedent(test))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_sync_test_of_a_user_runs_on_bria_sync(tmp_path: Path) -> None:
    done = _run_project(
        tmp_path,
        """
        def test_a_fox(bria_sync):
            result = bria_sync.images.generate("a red fox", num_results=2)
            assert len(result.images) == 2
        """,
    )
    assert "1 passed" in done.stdout, done.stdout + done.stderr


def test_a_sync_client_on_the_async_emulator_fixture_fails_at_once_naming_bria_sync(
    tmp_path: Path,
) -> None:
    # The emulator is served by this thread's loop, which the blocking call would stall:
    # a 60 s timeout before, a clear error now, before any request.
    done = _run_project(
        tmp_path,
        """
        import pytest
        from bria_async import Bria, ClientStateError

        def test_a_fox(bria_emulator):
            with pytest.raises(ClientStateError, match="bria_sync") as caught:
                Bria(bria_emulator.api_token, base_url=bria_emulator.base_url)
            assert "served by this thread's event loop" in str(caught.value)
            assert list(bria_emulator.counters.requests) == []
        """,
    )
    assert "1 passed" in done.stdout, done.stdout + done.stderr
