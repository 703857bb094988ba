"""The fixed sets of values the API's parameters take, as ``Literal`` types.

A type checker flags ``aspect_ratio="7:3"`` before the code runs; at run time each method
checks its value against the same alias (``typing.get_args``), so the two cannot disagree.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "AspectRatio",
    "Atmosphere",
    "BackgroundType",
    "Camera",
    "DesiredResolution",
    "GenerationModel",
    "LightDirection",
    "LightType",
    "Medium",
    "Placement",
    "PlacementType",
    "SearchStyle",
    "Season",
    "V2AspectRatio",
    "V2Color",
    "V2MaskType",
    "V2Resolution",
    "V2Style",
]

#: The text-to-image model of ``bria.images.generate``.
GenerationModel = Literal["base", "fast", "hd"]
#: Aspect ratios of v1 generation (``images.generate``, ``images.generate_tailored``).
AspectRatio = Literal["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9"]
#: What v1 generation and search aim at.
Medium = Literal["photography", "art"]
#: ``desired_resolution`` of the visual edits. The reference's enums of three routes say
#: "had", a typo beside "hd": it is accepted at run time and sent as "hd".
DesiredResolution = Literal[
    "original", "nhd", "svga", "xga", "hd", "wuxga", "uwfhd", "wqxga", "uwqhd", "uhd"
]
#: The background of ``visuals.campaign_generator``.
BackgroundType = Literal["original", "generated", "solid"]
#: Where lifestyle shots put the product.
PlacementType = Literal["original", "automatic", "manual_placement", "manual_padding"]
#: The positions of ``placement_type="manual_placement"``.
Placement = Literal[
    "upper_left", "upper_right", "bottom_left", "bottom_right", "right_center", "left_center",
    "upper_center", "bottom_center", "center_vertical", "center_horizontal",
]  # fmt: skip
#: Search filters.
SearchStyle = Literal[
    "stock photography", "photo realistic", "fashion", "retro", "sports", "still life",
    "hyper realistic", "travel", "artistic", "3d render", "realistic", "fantasy",
    "comic book", "minimalistic",
]  # fmt: skip
Atmosphere = Literal["dramatic", "vivid", "warm", "cool"]
Camera = Literal["portrait", "close up", "aerial", "landscape"]
#: Aspect ratios of ``bria.v2.image.generate`` (``expand`` takes any "W:H").
V2AspectRatio = Literal["1:1", "4:3", "16:9", "3:4", "9:16"]
V2Resolution = Literal["1MP", "4MP"]
V2MaskType = Literal["manual", "automatic"]
Season = Literal["spring", "summer", "autumn", "winter"]
#: The styles of ``bria.v2.image.restyle``.
V2Style = Literal[
    "render_3d", "cubism", "oil_painting", "anime", "cartoon", "coloring_book", "retro_ad",
    "pop_art_halftone", "vector_art", "story_board", "art_nouveau", "cross_etching", "wood_cut",
]  # fmt: skip
LightType = Literal[
    "midday", "blue hour light", "low-angle sunlight", "sunrise light", "spotlight on subject",
    "overcast light", "soft overcast daylight lighting", "cloud-filtered lighting",
    "fog-diffused lighting", "side lighting", "moonlight lighting", "starlight nighttime",
    "soft bokeh lighting", "harsh studio lighting",
]  # fmt: skip
LightDirection = Literal["front", "side", "bottom", "top-down"]
#: The colour treatments of ``bria.v2.image.colorize``.
V2Color = Literal["contemporary color", "vivid color", "black and white colors", "sepia vintage"]
