"""Parameters with a fixed set of values: the method accepts every value of its Literal type
and refuses any other before sending, naming the parameter and the values allowed."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, get_args

import pytest

import bria_async
from bria_async import APIConnectionError, BriaClient, Job, ValidationError
from bria_async.types import choices

URL = "https://example.com/a.png"
Call = Callable[[BriaClient, Any], object]

CASES: list[tuple[str, Any, Call]] = [
    ("model", choices.GenerationModel, lambda b, v: b.images.generate("a fox", model=v)),
    ("aspect_ratio", choices.AspectRatio, lambda b, v: b.images.generate("a", aspect_ratio=v)),
    ("medium", choices.Medium, lambda b, v: b.images.generate("a fox", medium=v)),
    (
        "aspect_ratio",
        choices.AspectRatio,
        lambda b, v: b.images.generate_tailored(1, "a fox", aspect_ratio=v),
    ),
    (
        "desired_resolution",
        choices.DesiredResolution,
        lambda b, v: b.background.blur("v1", desired_resolution=v),
    ),
    (
        "background_type",
        choices.BackgroundType,
        lambda b, v: b.visuals.campaign_generator(
            "v1", template_id="1", background_type=v, bg_prompt="a beach", bg_color="#FFFFFF"
        ),
    ),
    (
        "placement_type",
        choices.PlacementType,
        lambda b, v: b.product.lifestyle_shot_by_text(URL, "on a table", placement_type=v),
    ),
    (
        "manual_placement_selection[0]",
        choices.Placement,
        lambda b, v: b.product.lifestyle_shot_by_text(
            URL, "on a table", placement_type="manual_placement", manual_placement_selection=[v]
        ),
    ),
    ("style", choices.SearchStyle, lambda b, v: b.search.text("a", gallery_id="1", style=v)),
    (
        "atmosphere",
        choices.Atmosphere,
        lambda b, v: b.search.text("a", gallery_id="1", atmosphere=v),
    ),
    ("camera", choices.Camera, lambda b, v: b.search.text("a", gallery_id="1", camera=v)),
    ("medium", choices.Medium, lambda b, v: b.search.text("a", gallery_id="1", medium=v)),
    (
        "aspect_ratio",
        choices.V2AspectRatio,
        lambda b, v: b.v2.image.generate("a fox", aspect_ratio=v),
    ),
    ("resolution", choices.V2Resolution, lambda b, v: b.v2.image.generate("a", resolution=v)),
    (
        "mask_type",
        choices.V2MaskType,
        lambda b, v: b.v2.image.gen_fill(URL, URL, "a cat", mask_type=v),
    ),
    ("season", choices.Season, lambda b, v: b.v2.image.reseason(URL, v)),
    ("style", choices.V2Style, lambda b, v: b.v2.image.restyle(URL, v)),
    ("light_type", choices.LightType, lambda b, v: b.v2.image.relight(URL, v, "front")),
    (
        "light_direction",
        choices.LightDirection,
        lambda b, v: b.v2.image.relight(URL, "midday", v),
    ),
    ("color", choices.V2Color, lambda b, v: b.v2.image.colorize(URL, v)),
]


def test_every_alias_is_exported_and_tested() -> None:
    assert set(choices.__all__) <= set(bria_async.__all__)
    tested = {id(alias) for _, alias, _ in CASES}
    assert {name for name in choices.__all__ if id(getattr(choices, name)) not in tested} == set()


async def _made(made: object) -> None:
    """Run what a method made if it is a direct route's coroutine (a Job is left unsent)."""
    if inspect.iscoroutine(made):
        await made


@pytest.mark.parametrize(("parameter", "alias", "call"), CASES, ids=[c[0] for c in CASES])
async def test_every_value_of_the_type_is_taken_and_no_other(
    client: BriaClient, parameter: str, alias: Any, call: Call
) -> None:
    values = get_args(alias)
    for value in values:
        made = call(client, value)  # a Job's method checks it as it is made; never sent
        if isinstance(made, Job):
            made.cancel()
        elif inspect.iscoroutine(made):  # a direct route's, as it runs: then it is sent
            with pytest.raises(APIConnectionError):  # (to a mock that answers nothing)
                await made
    with pytest.raises(ValidationError) as refused:
        await _made(call(client, "7:3"))
    assert refused.value.parameter == parameter
    assert all(repr(value) in str(refused.value) for value in values)
