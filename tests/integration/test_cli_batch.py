"""`bria-async batch` as a real subprocess against the emulator in another process."""

from __future__ import annotations

import collections
import io
import json
import signal
from pathlib import Path

from PIL import Image

from bria_async import BriaClient, Settings
from tests.integration.cli_support import (
    TOKEN,
    EmulatorProcess,
    emulator_process,
    records,
    run_cli,
    start_cli,
    wait_for_lines,
)

ROUTE = "/text-to-image/base/{model_version}"
SAVED, SUBMITTING = '"status":"saved"', '"event":"submitting"'
FAST = ("--latency-median", "0.3", "--latency-p95", "0.8", "--max-image-side", "64")


def _prompts(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "prompts.txt"
    path.write_text("".join(f"a watercolour of lighthouse number {i}\n" for i in range(count)))
    return path


async def test_batch_killed_twice_resumes_saving_every_image_once_without_resubmitting(
    tmp_path: Path,
) -> None:
    prompts, out = _prompts(tmp_path, 300), tmp_path / "out"
    args = ("batch", str(prompts), "--out", str(out), "--concurrency", "150", "-n", "1")
    async with emulator_process(*FAST, "--seed", "3") as emulator:
        env = emulator.env()
        first = await start_cli(*args, env=env, cwd=tmp_path)
        await wait_for_lines(out / "manifest.jsonl", SAVED, 60, first)
        first.send_signal(signal.SIGINT)  # Ctrl-C: stops cleanly, journal intact
        output, _ = await first.communicate()
        assert first.returncode == 130, output.decode()
        assert "run the same command again to resume" in output.decode()

        journal = out / "journal.jsonl"
        intents = journal.read_text().count(SUBMITTING)
        second = await start_cli(*args, env=env, cwd=tmp_path)
        await wait_for_lines(journal, SUBMITTING, intents + 20, second)
        second.kill()  # SIGKILL among submissions in flight: nothing gets to clean up
        await second.communicate()

        code, output3 = await run_cli(*args, env=env, cwd=tmp_path)
        assert code == 0, output3
        state = await emulator.state()

    saved = [r for r in records(out / "manifest.jsonl") if r["status"] == "saved"]
    per_image = collections.Counter((r["line"], r["index"]) for r in saved)
    assert sorted(per_image) == [(line, 0) for line in range(1, 301)]
    assert set(per_image.values()) == {1}  # each image recorded as saved exactly once
    files = sorted(p.name for p in (out / "images").iterdir())
    assert files == [f"line-{line:06d}-0.png" for line in range(1, 301)]
    for name in files[::25]:
        with Image.open(out / "images" / name) as image:
            image.verify()
    assert not (out / ".staging").exists()
    events = records(journal)
    submitted = collections.Counter(r["line"] for r in events if r["event"] == "submitted")
    assert sorted(submitted) == list(range(1, 301))
    assert set(submitted.values()) == {1}  # no journaled job was ever submitted again
    # Only a line whose POST was answered but not yet journaled at the SIGKILL can have been
    # sent twice; the runs name such lines, and the server's count shows no other repeat.
    uncertain = sum(
        len(line.split(":", 1)[1].split(","))
        for line in output3.splitlines()
        if line.startswith("lines possibly submitted twice")
    )
    assert 300 <= state["submissions"][ROUTE] <= 300 + uncertain
    print(f"\nsubmissions {state['submissions'][ROUTE]}, uncertain {uncertain}\n{output3}")


async def test_batch_under_injected_faults_saves_or_reports_every_prompt(
    tmp_path: Path,
) -> None:
    prompts, out = _prompts(tmp_path, 60), tmp_path / "out"
    faults = (
        "--rate-429",
        "0.15",
        "--retry-after",
        "0",
        "--rate-503",
        "0.15",
        "--rate-drop",
        "0.1",
    )
    async with emulator_process(*FAST, *faults, "--seed", "5") as emulator:
        code, output = await run_cli(
            "batch",
            str(prompts),
            "--out",
            str(out),
            "--concurrency",
            "60",
            "-n",
            "2",
            env=emulator.env(),
            cwd=tmp_path,
        )
    final: dict[tuple[int, int | None], dict[str, object]] = {}
    for record in records(out / "manifest.jsonl"):
        final[(record["line"], record["index"])] = record
    failed = {line for (line, _), r in final.items() if r["status"] == "failed"}
    saved = {(line, index) for (line, index), r in final.items() if r["status"] == "saved"}
    for line in range(1, 61):
        assert line in failed or {(line, 0), (line, 1)} <= saved, (
            f"line {line} was lost (exit {code}):\n{output[-3000:]}"
        )
    for (line, _), record in final.items():
        if record["status"] == "failed":
            assert record["error"], record
            assert f"line {line}" in output
    assert failed, "the faults should fail some submissions (dropped connections)"
    assert code == 1
    assert "lines failed" in output
    assert "manifest.jsonl" in output
    print(f"faults: {len(failed)} lines failed, {len(saved)} images saved")


async def test_batch_refuses_bad_jsonl_lines_before_sending_anything(tmp_path: Path) -> None:
    prompts = tmp_path / "requests.jsonl"
    prompts.write_text(
        "\n".join(
            [
                json.dumps({"prompt": "a fox", "num_results": 2, "model": "fast"}),
                json.dumps({"prompt": "a fox", "num_results": 9}),
                "not json",
                json.dumps({"prompt": "a fox", "colour": "red"}),
                json.dumps({"prompt": "a fox", "model": "fast", "negative_prompt": "dogs"}),
            ]
        )
        + "\n"
    )
    async with emulator_process(*FAST) as emulator:
        code, output = await run_cli(
            "batch", str(prompts), "--out", str(tmp_path / "out"), env=emulator.env(), cwd=tmp_path
        )
        assert code == 2, output
        assert "line 3: not JSON" in output
        code, output = await run_cli(
            "batch",
            str(prompts),
            "--out",
            str(tmp_path / "out"),
            "--format",
            "jsonl",
            env=emulator.env(),
            cwd=tmp_path,
        )
        state = await emulator.state()
    assert code == 2, output
    for line in ("line 2: ", "line 4: ", "line 5: "):
        assert line in output
    for parameter in ("num_results", "colour", "negative_prompt"):
        assert parameter in output
    assert state["submissions"] == {}


async def test_batch_prompts_with_unicode_line_breaks_are_one_submission_each(
    tmp_path: Path,
) -> None:
    """U+2028, U+0085 and a form feed are not line ends: 3 lines are 3 paid submissions."""
    prompts = ["a red fox\u2028in fresh snow", "a lighthouse\x85at dusk", "an owl\x0cat night"]
    path = tmp_path / "prompts.txt"
    path.write_bytes("\r\n".join(prompts).encode() + b"\r\n")
    async with emulator_process(*FAST) as emulator:
        code, output = await run_cli(
            "batch",
            str(path),
            "--out",
            str(tmp_path / "out"),
            "-n",
            "1",
            env=emulator.env(),
            cwd=tmp_path,
        )
        state = await emulator.state()
    assert code == 0, output
    assert state["submissions"] == {ROUTE: 3}
    sent = {r["line"]: r["params"]["prompt"] for r in records(tmp_path / "out" / "manifest.jsonl")}
    assert sent == dict(enumerate(prompts, start=1))


async def _trained_model(emulator: EmulatorProcess) -> int:
    """A model trained on the emulator, through the SDK, for the batch to generate with."""
    images = []
    for i in range(5):
        out = io.BytesIO()
        Image.new("RGB", (16, 16), (i * 40, 90, 200)).save(out, format="PNG")
        images.append(out.getvalue())
    async with BriaClient(
        TOKEN, base_url=emulator.base_url, settings=Settings.for_testing()
    ) as bria:
        dataset = await bria.datasets.create(
            use_case="illustrative_style", style_description="flat shapes"
        )
        outcomes = await bria.datasets.upload_images(dataset.id, images)
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        model = await bria.models.create(name="shapes", dataset_id=dataset.id)
        await bria.datasets.complete(dataset.id)
        trained = await bria.models.start_training(model.id).wait(timeout=30)
    return trained.id


async def test_batch_lines_with_a_model_id_generate_with_that_tailored_model(
    tmp_path: Path,
) -> None:
    async with emulator_process(*FAST, "--training-seconds", "0.2") as emulator:
        model_id = await _trained_model(emulator)
        requests = tmp_path / "requests.jsonl"
        requests.write_text(
            "\n".join(
                [
                    json.dumps({"prompt": "a flat fox", "model_id": model_id, "num_results": 2}),
                    json.dumps({"prompt": "a flat owl", "model_id": model_id, "seed": 4}),
                    json.dumps({"prompt": "a photo of a fox"}),
                ]
            )
            + "\n"
        )
        prompts = _prompts(tmp_path, 2)
        code, output = await run_cli(
            "batch",
            str(requests),
            "--out",
            str(tmp_path / "a"),
            "--model",
            "fast",
            "-n",
            "1",
            env=emulator.env(),
            cwd=tmp_path,
        )
        assert code == 0, output
        code, output = await run_cli(
            "batch",
            str(prompts),
            "--out",
            str(tmp_path / "b"),
            "--model-id",
            str(model_id),
            "-n",
            "1",
            env=emulator.env(),
            cwd=tmp_path,
        )
        assert code == 0, output
        state = await emulator.state()

    generations = {k: v for k, v in state["submissions"].items() if "text-to-image" in k}
    assert generations == {
        "/text-to-image/tailored/{model_id}": 4,
        "/text-to-image/fast/{model_version}": 1,
    }
    saved = [
        (r["line"], r["index"])
        for r in records(tmp_path / "a" / "manifest.jsonl")
        if r["status"] == "saved"
    ]
    assert sorted(saved) == [(1, 0), (1, 1), (2, 0), (3, 0)]
    assert len(list((tmp_path / "b" / "images").iterdir())) == 2
