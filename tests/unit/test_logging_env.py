"""``BRIA_LOG=debug|info``: the bria_async logger on stderr, without the API token."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bria_async import BriaClient, Settings
from tests.conftest import BASE_URL, TOKEN, MockAPI

LOGGER = logging.getLogger("bria_async")


@pytest.fixture
def restore_logger() -> Iterator[None]:
    handlers, level = list(LOGGER.handlers), LOGGER.level
    yield
    LOGGER.handlers[:] = handlers
    LOGGER.setLevel(level)


async def test_bria_log_debug_logs_requests_to_stderr_without_the_token(
    monkeypatch: pytest.MonkeyPatch, mock_api: MockAPI, restore_logger: None
) -> None:
    before = list(LOGGER.handlers)
    monkeypatch.setenv("BRIA_LOG", "debug")
    BriaClient(TOKEN, base_url=BASE_URL)
    BriaClient(TOKEN, base_url=BASE_URL)  # a second client adds no second handler
    (handler,) = [h for h in LOGGER.handlers if h not in before]
    assert isinstance(handler, logging.StreamHandler)
    assert LOGGER.level == logging.DEBUG
    stream = io.StringIO()
    handler.setStream(stream)
    url = f"{BASE_URL}/vis1/caption"
    mock_api.get(url, status=503, payload={"error": f"echoed {TOKEN[:4]}"})
    mock_api.get(url, payload={"results": ["a caption"]})
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=Settings.for_testing()) as bria:
        await bria.visuals.caption("vis1")
    output = stream.getvalue()
    assert "GET https://engine.test.bria-api.com/v1/vis1/caption -> 200" in output
    assert "retrying GET" in output
    assert "INFO" in output
    assert TOKEN not in output


def test_bria_log_info_sets_info(monkeypatch: pytest.MonkeyPatch, restore_logger: None) -> None:
    monkeypatch.setenv("BRIA_LOG", "INFO")
    BriaClient(TOKEN, base_url=BASE_URL)
    assert LOGGER.level == logging.INFO


def test_an_unknown_bria_log_value_is_ignored_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, restore_logger: None
) -> None:
    before = list(LOGGER.handlers)
    monkeypatch.setenv("BRIA_LOG", "verbose")
    with pytest.warns(UserWarning, match="BRIA_LOG='verbose' is ignored"):
        BriaClient(TOKEN, base_url=BASE_URL)
    BriaClient(TOKEN, base_url=BASE_URL)  # warned once: no second warning (warnings are errors)
    assert LOGGER.handlers == before
