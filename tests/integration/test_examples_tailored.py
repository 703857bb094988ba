"""examples/tailored_training.py runs its seven steps against the in-process emulator."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tailored_training.py"


async def test_tailored_training_example_trains_and_saves_two_images(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIA_")}
    env["PYTHONWARNINGS"] = "error"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    text = output.decode()
    assert process.returncode == 0, text
    for step in range(1, 8):
        assert f"{step}. " in text, text
    assert "8 of 8 images are in the dataset" in text
    assert "is Completed" in text
    saved = sorted((tmp_path / "tailored-out").iterdir())
    assert len(saved) == 2
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in saved)
