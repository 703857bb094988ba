"""Parameter checks that used to crash or let a bad value through: each is now refused with
ValidationError (or TypeError) naming the parameter, the value and what is allowed, before
anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from bria_async import BriaClient, ValidationError


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
