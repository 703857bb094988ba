"""BriaClient: token and base URL sources, insecure URLs, event loops, and the token's secrecy."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

import bria_async
from bria_async import BriaClient, ClientStateError, ConfigurationError
from bria_async._request import Call
from tests.conftest import BASE_URL, TOKEN, MockAPI


async def test_token_and_base_url_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, mock_api: MockAPI
) -> None:
    monkeypatch.setenv("BRIA_API_TOKEN", "env-token")
    monkeypatch.setenv("BRIA_BASE_URL", "https://env.example/v1/")
    mock_api.get("https://env.example/v1/v1d/caption", payload={"results": ["x"]})
    async with BriaClient() as bria:
        assert bria.base_url == "https://env.example/v1"
        await bria._runtime.transport.send(Call("GET", "/v1d/caption"))
    (call,) = next(iter(mock_api.requests.values()))
    assert call.kwargs["headers"]["api_token"] == "env-token"


async def test_missing_token_fails_at_the_first_call_naming_both_sources(
    monkeypatch: pytest.MonkeyPatch, mock_api: MockAPI
) -> None:
    monkeypatch.delenv("BRIA_API_TOKEN", raising=False)
    async with BriaClient(base_url=BASE_URL) as bria:
        with pytest.raises(ConfigurationError, match=r"api_token=.*BRIA_API_TOKEN"):
            await bria.images.generate("a fox", sync=True, num_results=1)
    assert not mock_api.requests


@pytest.mark.parametrize("url", ["http://api.example.com/v1", "http://10.0.0.5/v1"])
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        BriaClient(TOKEN, base_url=url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8787/v1", "http://localhost/v1"])
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert BriaClient(TOKEN, base_url=url).base_url == url


def test_plain_http_to_a_remote_host_is_allowed_when_asked() -> None:
    client = BriaClient(TOKEN, base_url="http://api.example.com/v1", allow_insecure_http=True)
    assert client.base_url == "http://api.example.com/v1"


def test_repr_never_shows_the_token() -> None:
    client = BriaClient(TOKEN, base_url=BASE_URL)
    assert TOKEN not in repr(client)
    assert TOKEN not in str(vars(client))
    assert "***" in repr(client)


def test_a_base_url_is_shown_without_its_password() -> None:
    client = BriaClient(TOKEN, base_url="https://bria:Hunter2Pass@api.example.com/v1")
    assert (
        repr(client) == "AsyncBria(base_url='https://bria:***@api.example.com/v1', api_token='***')"
    )
    for url in ("ftp://bria:Hunter2Pass@api.example.com/v1", "http://bria:Hunter2Pass@example.com"):
        with pytest.raises(ConfigurationError) as refused:
            BriaClient(TOKEN, base_url=url)
        assert "Hunter2Pass" not in str(refused.value)
        assert url.replace("Hunter2Pass", "***") in str(refused.value)


async def test_client_used_from_another_event_loop_raises_a_clear_error(
    mock_api: MockAPI,
) -> None:
    mock_api.get(f"{BASE_URL}/v/caption", payload={"results": []}, repeat=True)
    async with BriaClient(TOKEN, base_url=BASE_URL) as bria:
        errors: list[BaseException] = []

        def other_loop() -> None:
            try:
                asyncio.run(bria._runtime.transport.send(Call("GET", "/v/caption")))
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=other_loop)
        thread.start()
        thread.join()
    assert len(errors) == 1
    assert isinstance(errors[0], ClientStateError)
    assert "another event loop" in str(errors[0])


async def test_closed_client_refuses_new_calls(mock_api: MockAPI) -> None:
    bria = BriaClient(TOKEN, base_url=BASE_URL)
    async with bria:
        pass
    with pytest.raises(ClientStateError, match="closed"):
        await bria.images.generate("a fox", sync=True, num_results=1)


async def test_token_never_appears_in_errors_or_logs(
    mock_api: MockAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bria_async")
    url = f"{BASE_URL}/text-to-image/base/2.3"
    mock_api.post(url, status=503, payload={"error": "busy"})
    mock_api.post(url, status=401, payload={"error": "bad token"})
    async with BriaClient(
        TOKEN, base_url=BASE_URL, settings=bria_async.Settings.for_testing()
    ) as bria:
        with pytest.raises(bria_async.AuthenticationError) as info:
            await bria.images.generate("a fox", sync=True, num_results=1)
    assert caplog.records, "the retry should have been logged"
    assert TOKEN not in caplog.text
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)
    assert TOKEN not in str(info.value.body)


def test_public_names_match_all() -> None:
    exported = {name for name in dir(bria_async) if name[0] not in "_@"}
    exported -= {"resources", "types", "testing", "cli", "contrib", "webhooks"}
    assert sorted(bria_async.__all__) == bria_async.__all__
    assert set(bria_async.__all__) - {"__version__"} == exported


@pytest.mark.parametrize(
    "token", ["s3cr3t\r\nX-Injected: 1", "s3cr3t\n", "s3cr3t\x00", "s3cr3t-é", "s3cr3t\ud800"]
)
def test_a_token_a_header_cannot_carry_is_refused_at_construction_without_showing_it(
    token: str,
) -> None:
    """It used to fail only at the first request, with a raw ValueError."""
    with pytest.raises(ConfigurationError, match="printable ASCII") as info:
        BriaClient(token, base_url=BASE_URL)
    assert "s3cr3t" not in str(info.value)


def test_a_token_from_the_environment_is_checked_the_same_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIA_API_TOKEN", "s3cr3t\r\n")
    with pytest.raises(ConfigurationError, match="BRIA_API_TOKEN") as info:
        BriaClient(base_url=BASE_URL)
    assert "s3cr3t" not in str(info.value)
