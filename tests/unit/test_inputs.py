"""Image inputs: every kind of input, type sniffing, sizes from headers, limits, encodings."""

from __future__ import annotations

import base64
import io
import threading
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from PIL import Image

from bria_async import ValidationError
from bria_async._inputs import (
    JPEG_PNG,
    MAX_IMAGE_BYTES,
    PRODUCT_TYPES,
    RGB_MODES,
    form_factory,
    image_header,
    json_fields,
    load,
    sniff_type,
)


def encode(fmt: str, size: tuple[int, int] = (300, 200), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red" if mode != "P" else 1).save(buffer, format=fmt)
    return buffer.getvalue()


PNG = encode("PNG")


@pytest.mark.parametrize(
    ("fmt", "mode", "expected"),
    [
        ("PNG", "RGB", ("png", 300, 200, "RGB")),
        ("PNG", "RGBA", ("png", 300, 200, "RGBA")),
        ("PNG", "P", ("png", 300, 200, "P")),
        ("JPEG", "RGB", ("jpeg", 300, 200, "RGB")),
        ("JPEG", "CMYK", ("jpeg", 300, 200, "CMYK")),
        ("JPEG", "L", ("jpeg", 300, 200, "L")),
        ("WEBP", "RGB", ("webp", 300, 200, "RGB")),
        ("WEBP", "RGBA", ("webp", 300, 200, None)),
    ],
)
def test_type_size_and_mode_are_read_from_the_header(
    fmt: str, mode: str, expected: tuple[str, int, int, str | None]
) -> None:
    data = encode(fmt, mode=mode)
    kind, width, height, colour = expected
    assert sniff_type(data) == kind
    header = image_header(data)
    assert header is not None
    assert header[:2] == (width, height)
    if colour is not None:
        assert header[2] == colour


def test_unknown_or_truncated_bytes_have_no_type_or_header() -> None:
    assert sniff_type(b"GIF89a...") is None
    assert image_header(b"not an image") is None
    assert image_header(PNG[:12]) is None


async def test_url_strings_pass_through_unread() -> None:
    image = await load("https://example.com/a.jpg", parameter="image")
    assert image.url == "https://example.com/a.jpg"
    assert image.data is None
    assert json_fields(image) == {"image_url": "https://example.com/a.jpg"}


@pytest.mark.parametrize("value", ["photo.png", "ftp://host/a.png", "https://", ""])
async def test_strings_that_are_not_http_urls_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        await load(value, parameter="image")
    assert info.value.parameter == "image"
    assert "pathlib.Path" in info.value.allowed


async def test_bytes_are_checked_and_named_by_type() -> None:
    image = await load(PNG, parameter="file")
    assert (image.type, image.content_type, image.filename) == ("png", "image/png", "image.png")
    assert image.size == (300, 200)
    assert image.data == PNG


async def test_path_is_read_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "shoe.jpeg"
    path.write_bytes(encode("JPEG"))
    image = await load(path, parameter="file", allowed_types=JPEG_PNG)
    assert (image.type, image.filename, image.size) == ("jpeg", "shoe.jpg", (300, 200))


async def test_missing_path_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="readable image file"):
        await load(tmp_path / "nope.png", parameter="file")


async def test_binary_file_objects_are_read_off_the_event_loop(tmp_path: Path) -> None:
    loop_thread = threading.get_ident()
    readers: list[int] = []

    class Recording(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            readers.append(threading.get_ident())
            return super().read(size)

    image = await load(Recording(PNG), parameter="file")
    assert image.data == PNG
    assert readers
    assert loop_thread not in readers

    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    with path.open("rb") as f:
        opened = await load(f, parameter="file")
    assert opened.filename == "cat.png"


async def test_text_mode_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello")
    with path.open() as f, pytest.raises(ValidationError, match="binary mode"):
        await load(cast(Any, f), parameter="file")  # what an untyped caller may pass


async def test_other_python_types_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="binary file object"):
        await load(123, parameter="file")  # type: ignore[arg-type]


async def test_files_over_12_mb_are_refused_before_reading_them_all(tmp_path: Path) -> None:
    big = PNG + b"\0" * (MAX_IMAGE_BYTES - len(PNG) + 200_000)
    path = tmp_path / "big.png"
    path.write_bytes(big)
    with pytest.raises(ValidationError) as info:
        await load(path, parameter="file")
    assert info.value.value == f"{path} (12.2 MB)"
    assert info.value.allowed == "a file of at most 12.0 MB"
    with pytest.raises(ValidationError, match=r"bytes \(12.2 MB\)"):
        await load(big, parameter="file")
    with pytest.raises(ValidationError, match=r"over 12.0 MB"):
        await load(io.BytesIO(big), parameter="file")


async def test_a_type_the_route_does_not_take_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        await load(encode("WEBP"), parameter="file", allowed_types=JPEG_PNG)
    assert info.value.allowed == "a JPEG or PNG image"
    assert "WEBP" in str(info.value.value)
    assert (await load(encode("WEBP"), parameter="file", allowed_types=PRODUCT_TYPES)).type == (
        "webp"
    )
    with pytest.raises(ValidationError, match="not a PNG, JPEG or WEBP"):
        await load(b"GIF89a" + b"\0" * 20, parameter="file")
    with pytest.raises(ValidationError, match="empty"):
        await load(b"", parameter="file")


async def test_colour_modes_are_checked_when_asked() -> None:
    palette = encode("PNG", mode="P")
    with pytest.raises(ValidationError, match="colour mode P"):
        await load(palette, parameter="file", allowed_modes=RGB_MODES)
    assert (
        await load(encode("JPEG", mode="CMYK"), parameter="file", allowed_modes=RGB_MODES)
    ).mode == "CMYK"


async def test_json_fields_base64_encode_files() -> None:
    image = await load(PNG, parameter="file")
    assert json_fields(image) == {"file": base64.b64encode(PNG).decode()}
    assert json_fields(image, file_field="image_file") == {
        "image_file": base64.b64encode(PNG).decode()
    }


async def test_form_factory_builds_a_fresh_multipart_body_each_time() -> None:
    image = await load(PNG, parameter="file")
    factory = form_factory(image, extra={"image_name": "x"})
    first, second = factory(), factory()
    assert first is not second
    part = first._fields[0]
    assert part[0]["name"] == "file"
    assert part[0]["filename"] == "image.png"
    assert part[1]["Content-Type"] == "image/png"
    assert part[2] == PNG
    assert first._fields[1][0]["name"] == "image_name"


async def test_form_factory_sends_urls_as_an_urlencoded_field() -> None:
    image = await load("https://example.com/a.png", parameter="image")
    form = form_factory(image)()
    payload = form()
    assert isinstance(payload, aiohttp.payload.BytesPayload)
    assert payload.content_type == "application/x-www-form-urlencoded"
    assert payload._value == b"image_url=https%3A%2F%2Fexample.com%2Fa.png"
