"""Checked by `mypy --strict` in .ci/run, never run: what a type checker sees of
``with_raw_response``, on AsyncBria and on Bria (its generated views: `_raw_views`)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from typing_extensions import assert_type

from bria_async import (
    AsyncBria,
    Bria,
    EditResult,
    ImageResult,
    Job,
    Model,
    RawResponse,
    StatusEvent,
    V2Result,
)


async def async_raw_calls_are_typed(bria: AsyncBria) -> None:
    raw = bria.with_raw_response
    assert_type(raw.images.generate("a fox"), Awaitable[RawResponse[Job[ImageResult]]])
    generated = await raw.images.generate("a fox", num_results=2)
    assert_type(generated.parse(), Job[ImageResult])
    assert_type(await generated.parse(), ImageResult)
    assert_type(generated.status_code, int)
    assert_type(generated.request_id, str | None)
    assert_type(raw.models.list(), Awaitable[RawResponse[tuple[Model, ...]]])
    assert_type((await raw.product.cutout("shoe.jpg")).parse(), EditResult)
    assert_type(raw.v2.image.generate("a fox"), Awaitable[RawResponse[Job[V2Result]]])
    assert_type((await raw.v2.status("req-1")).parse(), StatusEvent)
    assert_type((await raw.v2.product.integrate("scene.jpg", [])).parse(), Job[V2Result])
    assert_type(raw.request("GET", "/v1/tailored-gen/models"), Awaitable[RawResponse[Any]])
    assert_type(
        bria.with_options(timeout=9).with_raw_response.models.delete("7"),
        Awaitable[RawResponse[None]],
    )


async def async_raw_calls_take_the_plain_calls_parameters(bria: AsyncBria) -> None:
    raw = bria.with_raw_response
    await raw.images.generate("a fox", model="slow")  # type: ignore[arg-type]
    await raw.models.list(nope=1)  # type: ignore[call-arg]
    raw.gather  # type: ignore[attr-defined]  # noqa: B018 - only namespaces and request
    raw.search.text  # type: ignore[attr-defined]  # noqa: B018 - pages, not one response


def sync_raw_calls_are_typed(bria: Bria) -> None:
    raw = bria.with_raw_response
    assert_type(raw.images.generate("a fox"), RawResponse[ImageResult])  # the result: no Job
    assert_type(raw.models.list(), RawResponse[tuple[Model, ...]])
    assert_type(raw.v2.image.generate("a fox").parse(), V2Result)
    assert_type(raw.v2.status("req-1"), RawResponse[StatusEvent])
    assert_type(raw.request("GET", "/v1/tailored-gen/models"), RawResponse[Any])
    raw.v2.image.generate("a fox", resolution="8K")  # type: ignore[arg-type]
    raw.close  # type: ignore[attr-defined]  # noqa: B018 - only namespaces and request
