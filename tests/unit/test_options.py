"""Flat options (`timeout=`, `max_retries=`) and `with_options()` views of one client."""

from __future__ import annotations

import pytest
from yarl import URL

from bria_async import (
    BriaClient,
    ClientStateError,
    RetrySettings,
    ServerError,
    Settings,
    Timeouts,
    ValidationError,
)
from tests.conftest import BASE_URL, TOKEN, MockAPI

CAPTION = f"{BASE_URL}/vis1/caption"


def _calls(mock_api: MockAPI) -> list[object]:
    return list(mock_api.requests.get(("GET", URL(CAPTION)), []))


def test_flat_options_are_applied_on_top_of_settings_and_win() -> None:
    settings = Settings.for_testing()
    bria = BriaClient(TOKEN, base_url=BASE_URL, settings=settings, timeout=900, max_retries=0)
    assert bria.settings.retries.max_attempts == 1
    assert bria.settings.timeouts.sync_generation == bria.settings.timeouts.quick == 900
    assert bria.settings.timeouts.connect == settings.timeouts.connect  # 10 s: not longer
    assert bria.settings.polling.job_timeout == 900  # the job's window is never shorter
    assert bria.settings.retries.backoff_scale == 0  # the rest of `settings` is kept


def test_a_timeouts_object_sets_each_kind_of_call() -> None:
    timeouts = Timeouts(quick=5, sync_generation=700)
    bria = BriaClient(TOKEN, base_url=BASE_URL, timeout=timeouts)
    assert bria.settings.timeouts is timeouts
    assert bria.settings.polling.job_timeout == 700


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("timeout", 0),
        ("timeout", -1.0),
        ("timeout", float("nan")),
        ("timeout", "30"),
        ("timeout", True),
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("max_retries", True),
    ],
)
def test_bad_flat_options_are_refused_naming_them(option: str, value: object) -> None:
    with pytest.raises(ValidationError, match=option):
        BriaClient(TOKEN, base_url=BASE_URL, **{option: value})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=option):
        BriaClient(TOKEN, base_url=BASE_URL).with_options(**{option: value})  # type: ignore[arg-type]


async def test_a_view_sends_with_its_own_timeout_and_retries_on_the_shared_session(
    mock_api: MockAPI,
) -> None:
    mock_api.get(CAPTION, status=500, payload={"error": "boom"}, repeat=True)
    settings = Settings(retries=RetrySettings(backoff_scale=0))
    async with BriaClient(TOKEN, base_url=BASE_URL, settings=settings) as bria:
        view = bria.with_options(timeout=42, max_retries=1)
        with pytest.raises(ServerError):
            await view.visuals.caption("vis1")
        assert len(_calls(mock_api)) == 2  # one attempt and one retry
        assert all(call.kwargs["timeout"].total == 42 for call in _calls(mock_api))  # type: ignore[attr-defined]
        with pytest.raises(ServerError):
            await bria.visuals.caption("vis1")
        calls = _calls(mock_api)
        assert len(calls) == 2 + 5  # the client keeps its own 5 attempts and 60 s
        assert calls[-1].kwargs["timeout"].total == 60  # type: ignore[attr-defined]
        runtime, shared = view._runtime, bria._runtime
        assert runtime.transport is shared.transport
        assert runtime.poller is shared.poller
        assert runtime.storage is shared.storage
        assert runtime.hooks is shared.hooks
        assert view.images is not bria.images
        assert view.images._client is view


async def test_a_view_is_neither_opened_nor_closed_on_its_own(mock_api: MockAPI) -> None:
    async with BriaClient(TOKEN, base_url=BASE_URL) as bria:
        view = bria.with_options(max_retries=2).with_options(timeout=5)
        assert view.settings.retries.max_attempts == 3
        assert view.settings.timeouts.quick == 5
        with pytest.raises(ClientStateError, match="with_options"):
            await view.aclose()
        with pytest.raises(ClientStateError, match="with_options"):
            async with view:
                pass
        assert bria.settings.retries.max_attempts == 5  # the client is as it was
    with pytest.raises(ClientStateError, match="closed"):
        await view.visuals.caption("vis1")
