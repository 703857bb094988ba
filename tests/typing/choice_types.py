"""Checked by `mypy --strict` in .ci/run, never run: a value outside a parameter's fixed set
is a type error. Each `type: ignore[arg-type]` must be needed (mypy --strict warns about an
unused ignore), so a parameter that went back to plain `str` fails the check."""

from __future__ import annotations

from bria_async import AspectRatio, BriaClient


async def fixed_sets_are_literal_types(bria: BriaClient, ratio: AspectRatio) -> None:
    bria.images.generate("a fox", aspect_ratio="16:9", medium="art", model="fast")
    bria.images.generate("a fox", aspect_ratio=ratio)
    bria.images.generate("a fox", aspect_ratio="7:3")  # type: ignore[arg-type]
    bria.images.generate("a fox", medium="painting")  # type: ignore[arg-type]
    bria.images.generate("a fox", model="turbo")  # type: ignore[arg-type]
    bria.images.generate_tailored(1, "a fox", aspect_ratio="7:3")  # type: ignore[arg-type]
    bria.v2.image.generate("a fox", aspect_ratio="2:3")  # type: ignore[arg-type]
    bria.v2.image.generate("a fox", resolution="8MP")  # type: ignore[arg-type]
    bria.v2.image.restyle("https://example.com/a.png", "oil_painting")
    bria.v2.image.restyle("https://example.com/a.png", "watercolour")  # type: ignore[arg-type]
    bria.v2.image.reseason("https://example.com/a.png", "monsoon")  # type: ignore[arg-type]
    bria.v2.image.relight("https://example.com/a.png", "midday", "left")  # type: ignore[arg-type]
    bria.v2.image.colorize("https://example.com/a.png", "pink")  # type: ignore[arg-type]
    bria.search.text("a fox", gallery_id="1", camera="drone")  # type: ignore[arg-type]
    await bria.background.blur("v1", desired_resolution="8k")  # type: ignore[arg-type]
    bria.product.lifestyle_shot_by_text(
        "https://example.com/a.png",
        "on a table",
        placement_type="anywhere",  # type: ignore[arg-type]
    )
