"""Checked by `mypy --strict` in .ci/run, never run: what a type checker sees of Jobs."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from bria_async import (
    BriaClient,
    EditResult,
    Image,
    ImageResult,
    Job,
    Model,
    StatusEvent,
    V2Result,
    VisualInfo,
)


async def images_are_typed(bria: BriaClient, token: dict[str, Any]) -> None:
    generation = bria.images.generate("a fox")
    assert_type(generation, Job[ImageResult])
    async for image in generation.as_completed():
        assert_type(image, Image)
    cutout = await bria.product.cutout("https://example.com/shoe.jpg")  # direct: no Job
    assert_type(cutout, EditResult)
    assert_type(cutout.image, Image)
    assert_type(await bria.models.list(), tuple[Model, ...])
    assert_type(
        await bria.gather([bria.models.list(), bria.models.list()]), list[tuple[Model, ...]]
    )
    assert_type(bria.jobs.resume(token, ImageResult), Job[ImageResult])
    assert_type(bria.jobs.resume(token), Job[Any])
    info = bria.visuals.info("v1")
    assert_type(await info, VisualInfo)
    info.as_completed()  # type: ignore[misc]  # a VisualInfo holds no images


async def v2_jobs_are_typed(bria: BriaClient, token: dict[str, Any]) -> None:
    job = bria.v2.image.generate("a fox")
    assert_type(job, Job[V2Result])
    async for image in job.as_completed():
        assert_type(image, Image)
    assert_type(await bria.v2.image.restyle("https://example.com/a.png", "anime"), V2Result)
    assert_type(await bria.v2.status("req-1"), StatusEvent)
    assert_type(bria.jobs.resume(token, V2Result), Job[V2Result])
    assert_type(job.request_id, str | None)
