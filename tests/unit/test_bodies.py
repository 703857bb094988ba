"""Bounded bodies: API answers capped, downloads checked, capped and retried like API calls,
probes that take a page for no image, and mask zips read off the event loop."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from yarl import URL

import bria_async as ba
import bria_async._zip
from bria_async import BriaClient, Hooks, RetryEvent, RetrySettings, Settings
from tests.conftest import BASE_URL, TOKEN, MockAPI

GEN = f"{BASE_URL}/text-to-image/base/2.3"
A = "https://storage.test/results/a.png"
PNG = b"\x89PNG\r\n\x1a\n"
HTML = b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>"
VID = "92bf8ce17584de82"


def _client(hooks: Hooks | None = None, **settings: Any) -> BriaClient:
    return BriaClient(
        TOKEN,
        base_url=BASE_URL,
        hooks=hooks,
        settings=attrs.evolve(Settings.for_testing(), **settings),
    )


@pytest.fixture
async def small() -> AsyncIterator[BriaClient]:
    """A client whose API answers may hold 1 KiB and downloads 4 KiB."""
    async with _client(max_response_bytes=1024, max_download_bytes=4096) as bria:
        yield bria


def _one_image(mock_api: MockAPI, url: str = A) -> None:
    mock_api.post(GEN, payload={"result": [{"urls": [url], "seed": 1}]})


def gets(mock_api: MockAPI, url: str) -> int:
    return len(mock_api.requests.get(("GET", URL(url)), []))


def _zip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


# --- API answers ---------------------------------------------------------------------------
async def test_an_api_answer_over_the_cap_fails_typed_naming_the_limit(
    small: BriaClient, mock_api: MockAPI
) -> None:
    mock_api.post(GEN, payload={"result": [], "padding": "x" * 2000})
    with pytest.raises(ba.ResponseTooLargeError) as info:
        await small.images.generate("a fox", sync=True, num_results=1)
    assert info.value.limit == 1024
    assert info.value.url == GEN
    assert "1024" in str(info.value)
    assert len(mock_api.requests[("POST", URL(GEN))]) == 1  # never repeated


async def test_an_api_answer_under_the_cap_is_read(small: BriaClient, mock_api: MockAPI) -> None:
    _one_image(mock_api)
    result = await small.images.generate("a fox", sync=True, num_results=1)
    assert result.urls == (A,)


async def test_a_zip_answered_by_the_api_is_capped_as_a_download(
    small: BriaClient, mock_api: MockAPI
) -> None:
    data = _zip([(f"{VID}_1.png", PNG + bytes(range(256)) * 8)], zipfile.ZIP_STORED)
    assert 1024 < len(data) < 4096
    url = f"{BASE_URL}/{VID}/objects/mask_generator"
    mock_api.post(url, body=data, content_type="application/zip")
    masks = await small.objects.mask_generator(VID)
    assert [m.mask_id for m in masks] == [1]
    mock_api.post(url, body=data + b"\0" * 4096, content_type="application/zip")
    with pytest.raises(ba.ResponseTooLargeError, match="4096"):
        await small.objects.mask_generator(VID)


def test_the_caps_are_settings_with_generous_defaults() -> None:
    settings = Settings()
    assert settings.max_response_bytes == 8 * 2**20
    assert settings.max_download_bytes == 256 * 2**20
    with pytest.raises(ValueError, match="max_response_bytes"):
        Settings(max_response_bytes=0)
    with pytest.raises(ValueError, match="max_download_bytes"):
        Settings(max_download_bytes=0)


# --- downloads -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", HTML),
        ("application/json", b'{"error": "expired"}'),
        ("image/png", b"\x00\x01 not an image"),
    ],
)
async def test_a_download_that_is_no_image_fails_naming_the_url_and_what_came(
    client: BriaClient, mock_api: MockAPI, tmp_path: Path, content_type: str, body: bytes
) -> None:
    _one_image(mock_api)
    mock_api.get(A, status=200, body=body, content_type=content_type, repeat=True)
    result = await client.images.generate("a fox", sync=True, num_results=1)
    for attempt in (result.images[0].read(), result.save(tmp_path)):
        with pytest.raises(ba.APIResponseValidationError) as info:
            await attempt
        assert A in str(info.value)
        assert content_type in str(info.value)
        assert repr(body[:12])[:-1] in str(info.value)
        assert info.value.status == 200
    assert list(tmp_path.iterdir()) == []  # nothing saved, not even as .bin
    assert gets(mock_api, A) == 2  # not retried


async def test_a_download_over_the_cap_fails_and_leaves_no_file(
    small: BriaClient, mock_api: MockAPI, tmp_path: Path
) -> None:
    _one_image(mock_api)
    mock_api.get(A, status=200, body=PNG + b"x" * 5000, repeat=True)
    result = await small.images.generate("a fox", sync=True, num_results=1)
    with pytest.raises(ba.ResponseTooLargeError, match="4096"):
        await result.save(tmp_path)
    with pytest.raises(ba.ResponseTooLargeError):
        await result.images[0].read()
    assert list(tmp_path.iterdir()) == []


async def test_a_download_honours_retry_after_through_the_one_retry_policy(
    mock_api: MockAPI,
) -> None:
    events: list[RetryEvent] = []
    retries = RetrySettings(backoff_base=0.0)  # no jitter: the wait is Retry-After alone
    async with _client(Hooks(on_retry=events.append), retries=retries) as bria:
        _one_image(mock_api)
        mock_api.get(A, status=429, headers={"Retry-After": "0.2"})
        mock_api.get(A, status=200, body=PNG + b"data")
        result = await bria.images.generate("a fox", sync=True, num_results=1)
        assert await result.images[0].read() == PNG + b"data"
    assert [(e.method, e.url, e.reason, e.delay) for e in events] == [("GET", A, "429", 0.2)]


async def test_a_download_spends_the_client_retry_budget(mock_api: MockAPI) -> None:
    retries = RetrySettings(max_attempts=10, backoff_scale=0, budget=2)
    async with _client(retries=retries) as bria:
        _one_image(mock_api)
        mock_api.get(A, status=503, repeat=True)
        result = await bria.images.generate("a fox", sync=True, num_results=1)
        with pytest.raises(ba.ServerError, match="budget"):
            await result.images[0].read()
    assert gets(mock_api, A) == 3


async def test_a_download_is_not_retried_past_the_job_timeout(mock_api: MockAPI) -> None:
    async with _client(retries=RetrySettings()) as bria:
        _one_image(mock_api)
        mock_api.get(A, status=429, headers={"Retry-After": "86400"})
        result = await bria.images.generate("a fox", sync=True, num_results=1)
        with pytest.raises(ba.RateLimitError, match="deadline"):
            await result.images[0].read()
    assert gets(mock_api, A) == 1


# --- probes --------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [200, 206])
async def test_a_probe_answered_with_a_page_is_not_ready(
    client: BriaClient, mock_api: MockAPI, status: int
) -> None:
    mock_api.post(GEN, payload={"result": [{"urls": [A], "seed": 1}]})
    mock_api.get(A, status=status, body=HTML, content_type="text/html")
    mock_api.get(A, status=206, body=b"\x89")
    result = await client.images.generate("a fox", num_results=1)
    assert result.urls == (A,)
    assert gets(mock_api, A) == 2


@pytest.mark.parametrize(
    "head", [b"\x89", b"\xff", PNG, b"RIFF\x10\0\0\0WEBPVP8 ", b"8BPS", b"GIF89a"]
)
async def test_a_probe_that_begins_like_an_image_is_ready(
    client: BriaClient, mock_api: MockAPI, head: bytes
) -> None:
    mock_api.post(GEN, payload={"result": [{"urls": [A], "seed": 1}]})
    mock_api.get(A, status=206, body=head)
    result = await client.images.generate("a fox", num_results=1)
    assert result.urls == (A,)
    assert gets(mock_api, A) == 1


# --- mask zips -----------------------------------------------------------------------------
async def test_the_mask_zip_is_read_off_the_event_loop(
    client: BriaClient, mock_api: MockAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    real = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, *args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    data = _zip([(f"{VID}_1.png", PNG), (f"{VID}_2.png", PNG)])
    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    mock_api.post(
        f"{BASE_URL}/{VID}/objects/mask_generator", body=data, content_type="application/zip"
    )
    masks = await client.objects.mask_generator(VID)
    assert [m.mask_id for m in masks] == [1, 2]
    assert len(threads) == 2
    assert threading.main_thread() not in threads


async def test_a_zip_with_too_many_entries_is_refused_before_its_directory_is_read(
    client: BriaClient, mock_api: MockAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_directories: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", read_directories.append)
    monkeypatch.setattr(bria_async._zip, "MAX_ENTRIES", 3)
    data = _zip([(f"{VID}_{i}.png", PNG) for i in range(1, 5)])
    mock_api.post(
        f"{BASE_URL}/{VID}/objects/mask_generator", body=data, content_type="application/zip"
    )
    with pytest.raises(ba.APIResponseValidationError, match="4 entries; at most 3"):
        await client.objects.mask_generator(VID)
    assert read_directories == []


async def test_a_zip_whose_end_record_understates_its_directory_is_refused(
    client: BriaClient, mock_api: MockAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bria_async._zip, "MAX_ENTRIES", 3)
    data = bytearray(_zip([(f"{VID}_{i}_{'n' * 900}.png", PNG) for i in range(1, 5)]))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (1).to_bytes(2, "little") * 2  # "one entry" (it holds four)
    mock_api.post(
        f"{BASE_URL}/{VID}/objects/mask_generator", body=bytes(data), content_type="application/zip"
    )
    with pytest.raises(ba.APIResponseValidationError, match="central directory takes"):
        await client.objects.mask_generator(VID)
