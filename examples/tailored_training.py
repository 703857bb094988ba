"""Train a tailored model on your illustrations, then generate with it.

The reference's seven steps: create a dataset, upload images, create a model, complete the
dataset, start training, wait for it, generate. Run it as

    python examples/tailored_training.py [folder of PNG or JPEG illustrations]

With BRIA_API_TOKEN set it talks to Bria, where training takes 1-3 hours. Without a token it
starts the built-in emulator in this process, where training takes a few seconds, and draws
sample illustrations when no folder is given.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

import anyio
import anyio.to_thread

from bria_async import AsyncBria, PollSettings, Settings, UploadOutcome, UseCase


async def train_and_generate(bria: AsyncBria, images: list[Path], out_dir: Path) -> list[Path]:
    """The seven steps; the paths of the generated images."""
    # 1. A dataset, created as a draft.
    dataset = await bria.datasets.create(
        use_case=UseCase.ILLUSTRATIVE_STYLE,
        style_description="Flat, colourful geometric shapes on a light background.",
        name="Flat shapes",
    )
    print(f"1. dataset {dataset.id} is {dataset.status}")

    # 2. Upload the images, 8 at a time; a bad file is reported and never stops the others.
    def progress(done: int, total: int, outcome: UploadOutcome) -> None:
        if not outcome.ok:
            print(f"   skipped {outcome.input}: {outcome.error}")
        if done == total:
            print(f"2. {total} uploads finished")

    outcomes = await bria.datasets.upload_images(dataset.id, images, on_progress=progress)
    print(f"   {sum(o.ok for o in outcomes)} of {len(outcomes)} images are in the dataset")

    # 3. A model that will learn from the dataset.
    model = await bria.models.create(name="flat-shapes", dataset_id=dataset.id)
    print(f"3. model {model.id} is {model.status}")

    # 4. Complete the dataset: it takes no more images, and models may train on it.
    dataset = await bria.datasets.complete(dataset.id)
    print(f"4. dataset {dataset.id} is {dataset.status}")

    # 5. Start training. The Job's token lets another process wait for it instead.
    training = await bria.models.start_training(model.id).submit()
    token = training.to_dict()  # bria.jobs.resume(token) waits for it in another process
    print(f"5. training started (job {token['id']})")

    # 6. Wait: the Job looks at the model's status until it is trained (or fails).
    model = await training
    print(f"6. model {model.id} is {model.status}")

    # 7. Generate with the tailored model, and keep the images.
    result = await bria.images.generate_tailored(model.id, "a fox in a meadow", num_results=2)
    paths = await result.save(out_dir)
    print(f"7. saved {', '.join(str(p) for p in paths)}")
    return paths


def draw_samples(directory: Path, count: int = 8) -> list[Path]:
    """Simple flat illustrations to train on when no folder is given (needs Pillow)."""
    from PIL import Image, ImageDraw

    paths = []
    for i in range(count):
        image = Image.new("RGB", (256, 256), (245, 240, 230))
        draw = ImageDraw.Draw(image)
        colour = (40 + 25 * i, 120, 200 - 20 * i)
        draw.ellipse((40 + 4 * i, 40, 200, 200 - 4 * i), fill=colour)
        draw.rectangle((20, 180, 120 + 10 * i, 236), fill=(230, 120, 60))
        path = directory / f"shape-{i:02}.png"
        image.save(path)
        paths.append(path)
    return paths


async def main(folder: str | None) -> None:
    async with AsyncExitStack() as stack:
        if os.environ.get("BRIA_API_TOKEN"):
            bria = await stack.enter_async_context(AsyncBria())
        else:
            from bria_async.testing import Emulator, EmulatorConfig

            emulator = await stack.enter_async_context(
                Emulator(EmulatorConfig(training_seconds=3.0))
            )
            print(f"No BRIA_API_TOKEN: using the emulator at {emulator.base_url}")
            quick = Settings(polling=PollSettings(training_interval=0.5, initial_delay=0.2))
            bria = await stack.enter_async_context(
                AsyncBria(emulator.api_token, base_url=emulator.base_url, settings=quick)
            )
        if folder is not None:
            found = [Path(p) async for p in anyio.Path(folder).iterdir() if await p.is_file()]
            images = sorted(found)
        else:
            workdir = stack.enter_context(tempfile.TemporaryDirectory())
            images = await anyio.to_thread.run_sync(draw_samples, Path(workdir))
        await train_and_generate(bria, images, Path("tailored-out"))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else None))
