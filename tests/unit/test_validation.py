"""Parameter checks that used to crash or let a bad value through: each is now refused with
ValidationError (or TypeError) naming the parameter, the value and what is allowed, before
anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from bria_async import BriaClient, Settings, ValidationError
from tests.conftest import BASE_URL, MockAPI


class _FailingRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr failed")


def test_a_value_too_long_to_print_is_named_by_its_type(client: BriaClient) -> None:
    with pytest.raises(ValidationError) as info:
        client.images.generate("a cat", num_results=10**5000)
    assert info.value.parameter == "num_results"
    assert "num_results=<int object> is not allowed: expected an integer from 1 to 4" in str(
        info.value
    )


def test_a_value_whose_repr_fails_is_named_by_its_type(client: BriaClient) -> None:
    with pytest.raises(ValidationError, match=r"prompt=<_FailingRepr object> is not allowed"):
        client.images.generate(_FailingRepr())  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["x" * 10_000, list(range(10_000))])
def test_a_long_value_is_shortened_in_the_message(client: BriaClient, value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        client.images.generate("a cat", aspect_ratio=value)
    assert len(str(info.value)) < 400
    assert info.value.value is value


def test_model_none_is_refused_naming_the_models(client: BriaClient) -> None:
    with pytest.raises(ValidationError) as info:
        client.images.generate("x", model=None)  # type: ignore[arg-type]
    assert (info.value.parameter, info.value.value) == ("model", None)
    assert str(info.value) == "model=None is not allowed: expected one of 'base', 'fast', 'hd'"


def test_consistent_shots_without_images_is_refused_at_once(
    client: BriaClient, mock_api: MockAPI
) -> None:
    """None used to fail with IndexError as the Job was sent."""
    with pytest.raises(ValidationError) as info:
        client.product.consistent_shots(None, scene_description="a kitchen")  # type: ignore[arg-type]
    assert info.value.parameter == "images"
    assert not mock_api.requests


@pytest.mark.parametrize(
    "model_id",
    ["\ud800", "a\ud800", "1\r\n2", "%2F", "1 2", "١٢", -1, 0, "-1", 2**64],
)
async def test_a_model_id_that_is_not_a_positive_integer_is_refused(
    client: BriaClient, mock_api: MockAPI, model_id: Any
) -> None:
    """A lone surrogate used to be dropped, sending DELETE /tailored-gen/models/."""
    with pytest.raises(ValidationError) as info:
        await client.models.delete(model_id)
    assert info.value.parameter == "model_id"
    with pytest.raises(ValidationError):
        await client.datasets.retrieve_image(123, model_id)
    assert not mock_api.requests


@pytest.mark.parametrize(
    "visual_id",
    ["\ud800", "a\r\nb", "a%2Fb", "a b", "é", -1, 0, "x" * 257],
)
def test_a_visual_id_that_would_change_the_path_is_refused(
    client: BriaClient, mock_api: MockAPI, visual_id: Any
) -> None:
    with pytest.raises(ValidationError) as info:
        client.visuals.info(visual_id)
    assert info.value.parameter == "visual_id"
    assert "a positive integer, or an id of letters, digits" in str(info.value)
    assert not mock_api.requests


@pytest.mark.parametrize(("path_id", "sent"), [(7, "7"), ("7", "7"), ("007", "7")])
async def test_numeric_ids_are_sent_as_their_number(
    client: BriaClient, mock_api: MockAPI, path_id: Any, sent: str
) -> None:
    mock_api.delete(f"{BASE_URL}/tailored-gen/models/{sent}", status=204)
    assert await client.models.delete(path_id) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"prompt": "a \ud800 cat"},
        {"negative_prompt": "\udcff"},
        {"seed": 2**53},
        {"seed": 10**5000},
        {"sync": None},
    ],
)
def test_values_that_cannot_be_sent_are_refused(
    client: BriaClient, mock_api: MockAPI, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as info:
        client.images.generate(**{"prompt": "a cat", **kwargs})
    assert info.value.parameter == next(iter(kwargs))
    assert not mock_api.requests


@pytest.mark.parametrize("sid", ["\ud800", "s1\r\nX-Other: 1", "s\t1"])
async def test_a_sid_with_control_characters_or_no_utf8_form_is_refused(
    client: BriaClient, mock_api: MockAPI, sid: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await client.background.remove_by_visual("v1", sid=sid)
    assert info.value.parameter == "sid"
    assert not mock_api.requests


_URL = "https://example.com/a.png"
_LONG = "a" * 20_000_000


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda b: b.images.generate(_LONG), "prompt"),
        (lambda b: b.images.generate("a fox", negative_prompt=_LONG), "negative_prompt"),
        (lambda b: b.images.generate_tailored(7, _LONG), "prompt"),
        (lambda b: b.background.replace(_URL, _LONG), "bg_prompt"),
        (lambda b: b.background.replace_bg("v1", _LONG), "bg_prompt"),
        (lambda b: b.product.lifestyle_shot_by_text(_URL, _LONG), "scene_description"),
        (lambda b: b.v2.image.generate(_LONG), "prompt"),
        (lambda b: b.v2.image.gen_fill(_URL, _URL, _LONG), "prompt"),
        (lambda b: b.v2.image.replace_background(_URL, _LONG), "prompt"),
        (lambda b: b.v2.image.add_object_by_text(_URL, _LONG), "instruction"),
    ],
)
def test_a_prompt_over_max_prompt_chars_is_refused_before_sending(
    client: BriaClient, mock_api: MockAPI, call: Any, parameter: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call(client)
    assert info.value.parameter == parameter
    assert info.value.allowed == (
        "at most 10,000 characters (Settings.max_prompt_chars), not 20,000,000"
    )
    assert len(str(info.value)) < 400
    assert not mock_api.requests


async def test_max_prompt_chars_is_a_setting(mock_api: MockAPI) -> None:
    settings = Settings(max_prompt_chars=5)
    async with BriaClient("t", base_url=BASE_URL, settings=settings) as bria:
        bria.images.generate("a fox").cancel()
        with pytest.raises(ValidationError, match="at most 5 characters"):
            bria.with_options(timeout=5).images.generate("a red fox")
    assert Settings().max_prompt_chars == 10_000
    with pytest.raises(ValidationError, match=r"Settings\.max_prompt_chars"):
        Settings(max_prompt_chars=0)
