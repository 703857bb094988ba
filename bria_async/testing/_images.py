"""The bytes the storage host serves: PNGs, a layered PSD and the mask zip, all deterministic.

Rendering is kept out of the request path: probes never call into this module.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile

try:
    from PIL import Image, ImageDraw
except ImportError as error:  # the base install has no Pillow
    raise ImportError(
        "Pillow is missing: pip install 'bria-async[emulator]' (the Bria emulator renders "
        "its images with it; the base install leaves it out)",
        name=error.name,
    ) from error

__all__ = [
    "ASPECT_RATIOS",
    "fit_side",
    "image_size",
    "inspect_image",
    "render_mask_zip",
    "render_png",
    "render_psd",
]

ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "2:3": (832, 1248),
    "3:2": (1248, 832),
    "3:4": (896, 1152),
    "4:3": (1152, 896),
    "4:5": (896, 1120),
    "5:4": (1120, 896),
    "9:16": (768, 1344),
    "16:9": (1344, 768),
}
_HD_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1536, 1536),
    "2:3": (1248, 1872),
    "3:2": (1872, 1248),
    "3:4": (1344, 1728),
    "4:3": (1728, 1344),
    "4:5": (1344, 1680),
    "5:4": (1680, 1344),
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
}


def image_size(aspect_ratio: str, *, hd: bool = False) -> tuple[int, int]:
    """The width and height Bria generates for `aspect_ratio` (HD is 1536x1536 at 1:1)."""
    return (_HD_SIZES if hd else ASPECT_RATIOS)[aspect_ratio]


def fit_side(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Scale (width, height) down, keeping the aspect ratio, so no side exceeds `max_side`."""
    if max_side is None or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _colours(key: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(key.encode()).digest()
    return (digest[0], digest[1], digest[2]), (digest[3], digest[4], digest[5])


def _picture(width: int, height: int, key: str) -> Image.Image:
    back, front = _colours(key)
    image = Image.new("RGB", (width, height), back)
    ImageDraw.Draw(image).ellipse(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=front
    )
    return image


def render_png(width: int, height: int, key: str) -> bytes:
    """A PNG of the given size whose picture depends only on `key` (prompt and seed)."""
    out = io.BytesIO()
    _picture(width, height, key).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _pascal(name: str) -> bytes:
    raw = name.encode("latin-1")[:255]
    data = bytes([len(raw)]) + raw
    return data + b"\0" * (-len(data) % 4)


def render_psd(width: int, height: int, key: str) -> bytes:
    """A valid 8-bit RGB PSD with a background, a foreground and an object layer."""
    picture = _picture(width, height, key)
    background = Image.new("RGB", (width, height), _colours(key)[0])
    fg_alpha = Image.new("L", (width, height), 0)
    ImageDraw.Draw(fg_alpha).ellipse(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=255
    )
    obj_alpha = Image.new("L", (width, height), 0)
    ImageDraw.Draw(obj_alpha).rectangle((0, 0, width // 3, height // 3), fill=255)
    layers = [
        ("Background", background, Image.new("L", (width, height), 255)),
        ("Foreground", picture, fg_alpha),
        ("Object 1", picture, obj_alpha),
    ]
    records = b""
    channel_data = b""
    for name, rgb, alpha in layers:
        planes = [(-1, alpha.tobytes())] + [
            (index, band.tobytes()) for index, band in enumerate(rgb.split())
        ]
        records += struct.pack(">4iH", 0, 0, height, width, len(planes))
        for channel_id, plane in planes:
            records += struct.pack(">hI", channel_id, len(plane) + 2)
            channel_data += struct.pack(">H", 0) + plane
        extra = struct.pack(">II", 0, 0) + _pascal(name)
        records += b"8BIMnorm" + struct.pack(">BBBBI", 255, 0, 0, 0, len(extra)) + extra
    layer_info = struct.pack(">h", len(layers)) + records + channel_data
    layer_info += b"\0" * (len(layer_info) % 2)
    layer_section = struct.pack(">I", len(layer_info)) + layer_info + struct.pack(">I", 0)
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    merged = b"".join(band.tobytes() for band in picture.split())
    return (
        header
        + struct.pack(">II", 0, 0)
        + struct.pack(">I", len(layer_section))
        + layer_section
        + struct.pack(">H", 0)
        + merged
    )


def render_mask_zip(visual_id: str, width: int, height: int, labels: list[str]) -> bytes:
    """The mask generator's zip: one PNG mask per label, the panoptic map and an index.

    Mask k covers the k-th vertical band; in `<visual_id>_panoptic.png` each pixel's grey
    value is the id of the mask covering it; `<visual_id>_masks.json` lists the masks.
    """
    panoptic = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(panoptic)
    band = max(1, width // max(1, len(labels)))
    index = []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for mask_id, label in enumerate(labels, start=1):
            box = ((mask_id - 1) * band, 0, min(width, mask_id * band) - 1, height - 1)
            draw.rectangle(box, fill=mask_id)
            mask = Image.new("L", (width, height), 0)
            ImageDraw.Draw(mask).rectangle(box, fill=255)
            name = f"{visual_id}_{mask_id}.png"
            archive.writestr(name, _png_bytes(mask))
            index.append({"mask_id": mask_id, "file": name, "label": label, "bbox": list(box)})
        archive.writestr(f"{visual_id}_panoptic.png", _png_bytes(panoptic))
        archive.writestr(f"{visual_id}_masks.json", json.dumps(index, indent=2))
    return out.getvalue()


def _png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def inspect_image(data: bytes) -> tuple[int, int, str] | None:
    """Width, height and colour mode of an image file, or None if Pillow cannot read it."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.width, image.height, image.mode
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
