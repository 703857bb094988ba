"""`bria-async demo` and `bria-async generate` as real subprocesses write real PNGs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from tests.integration.cli_support import emulator_process, records, run_cli


def _check_pngs(paths: list[Path]) -> None:
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "PNG"
            image.verify()


async def test_demo_without_a_token_runs_a_batch_on_the_emulator(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BRIA_API_TOKEN", "BRIA_BASE_URL")}
    code, output = await run_cli("demo", "--latency-median", "0.2", env=env, cwd=tmp_path)
    assert code == 0, output
    (run,) = (tmp_path / "bria-demo-output").iterdir()
    images = sorted((run / "images").iterdir())
    assert len(images) == 16  # 8 prompts x 2 images
    _check_pngs(images)
    assert "built-in emulator at http://127.0.0.1:" in output
    assert "images saved: 16; lines failed: 0; polls: " in output
    assert " per image" in output
    assert all(r["status"] == "saved" for r in records(run / "manifest.jsonl"))


async def test_generate_saves_images_and_prints_their_paths(tmp_path: Path) -> None:
    async with emulator_process("--latency", "0.1", "--max-image-side", "128") as emulator:
        code, output = await run_cli(
            "generate",
            "a red fox in fresh snow",
            "-n",
            "3",
            "--model",
            "fast",
            "--out",
            "pics",
            env=emulator.env(),
            cwd=tmp_path,
        )
        state = await emulator.state()
    assert code == 0, output
    paths = [tmp_path / line for line in output.split()]
    assert len(paths) == 3
    assert all(path.parent == tmp_path / "pics" for path in paths)
    _check_pngs(paths)
    assert state["submissions"] == {"/text-to-image/fast/{model_version}": 1}


@pytest.mark.parametrize("command", ["generate", "batch"])
async def test_commands_that_need_a_token_say_so(tmp_path: Path, command: str) -> None:
    (tmp_path / "p.txt").write_text("a fox\n")
    env = {k: v for k, v in os.environ.items() if k != "BRIA_API_TOKEN"}
    args = ["a fox"] if command == "generate" else ["p.txt", "--out", "out"]
    code, output = await run_cli(command, *args, env=env, cwd=tmp_path)
    assert code == 2
    assert "BRIA_API_TOKEN" in output
