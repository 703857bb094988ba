"""Checked by `mypy --strict` in .ci/run, never run: what a type checker sees of Bria."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typing_extensions import assert_type

from bria_async import (
    Bria,
    Caption,
    EditResult,
    Image,
    ImageResult,
    SearchPage,
    SearchResult,
    StatusEvent,
    SyncJob,
    V2Result,
)


def results_are_typed(bria: Bria, token: dict[str, Any]) -> None:
    result = bria.images.generate("a fox", num_results=2)
    assert_type(result, ImageResult)
    assert_type(bria.save(result, "out/"), list[Path])
    assert_type(bria.product.cutout("https://example.com/shoe.jpg"), EditResult)
    assert_type(bria.save(bria.product.cutout("shoe.jpg"), "out/"), Path)
    assert_type(bria.v2.image.generate("a fox"), V2Result)
    assert_type(bria.v2.status("req-1"), StatusEvent)
    assert_type(bria.run(result.images[0].read()), bytes)
    bria.images.generate("a fox", model="slow")  # type: ignore[arg-type]


def jobs_are_typed(bria: Bria, token: dict[str, Any]) -> None:
    job = bria.submit(bria.aio.images.generate("a fox"))
    assert_type(job, SyncJob[ImageResult])
    assert_type(job.wait(timeout=60), ImageResult)
    assert_type(job.as_completed(), Iterator[Image])
    assert_type(bria.jobs.resume(token, ImageResult), SyncJob[ImageResult])
    assert_type(bria.jobs.resume(token), SyncJob[Any])
    captions = bria.gather([bria.aio.visuals.caption("v1"), bria.aio.visuals.caption("v2")])
    assert_type(captions, list[Caption])
    assert_type(bria.with_options(timeout=900), Bria)


def pages_are_typed(bria: Bria) -> None:
    for page in bria.search.text("fox", gallery_id="g"):
        assert_type(page, SearchPage)
    assert_type(bria.search.text("fox", gallery_id="g").results(), Iterator[SearchResult])
