"""The escape hatches of one call, checked before anything is sent: ``extra_headers``,
``extra_query``, ``extra_body`` and ``timeout``, turned into that call's RequestOptions.

Names and values are checked here so that a bad extra is a ValidationError naming it, never
a request the API refuses or one aiohttp cannot encode halfway through its attempts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import ValidationError
from ._headers import check_default_headers
from ._json import dumps
from ._options import timeouts_of
from ._request import RequestOptions
from ._settings import Timeouts

_QUERY_VALUES = (str, int, float, bool)


def with_call_extras(
    options: RequestOptions,
    *,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, Any] | None = None,
    extra_body: Mapping[str, Any] | None = None,
    timeout: float | Timeouts | None = None,
) -> RequestOptions:
    """`options` with one call's checked extras (`options` itself when none is given).

    Extra headers win over the client's default headers and User-Agent, never over the API
    token (an ``api_token`` extra is refused, as are the body's own headers); the keys of
    `extra_query` and `extra_body` win over the checked query and JSON body, whose other
    fields stay as they were (a None query value drops that parameter); `timeout` is what
    each attempt may take, as in ``with_options(timeout=)``.
    """
    if extra_headers is None and extra_query is None and extra_body is None and timeout is None:
        return options
    return options.with_extras(
        headers=None
        if extra_headers is None
        else check_default_headers(extra_headers, "extra_headers"),
        query=None if extra_query is None else check_query("extra_query", extra_query),
        body=None if extra_body is None else check_body("extra_body", extra_body),
        timeouts=None if timeout is None else timeouts_of(timeout, options.timeouts),
    )


def check_query(parameter: str, query: object) -> dict[str, Any]:
    """`query` as a dict of names to str, int, float, bool or None (None: left out)."""
    if not isinstance(query, Mapping):
        raise ValidationError(parameter, query, "a mapping of names to str, int, float or bool")
    for name, value in query.items():
        if not isinstance(name, str) or not name:
            raise ValidationError(parameter, name, "parameter names that are non-empty strings")
        if value is not None and not isinstance(value, _QUERY_VALUES):
            raise ValidationError(
                f"{parameter}[{name!r}]", value, "a str, int, float or bool (None: left out)"
            )
    return dict(query)


def check_body(parameter: str, body: object) -> dict[str, Any]:
    """`body` as a dict with string keys whose values JSON can encode."""
    if not isinstance(body, Mapping) or not all(isinstance(k, str) for k in body):
        raise ValidationError(parameter, body, "a mapping of field names to JSON values")
    check_json(parameter, body)
    return dict(body)


def check_json(parameter: str, value: object) -> None:
    """ValidationError unless JSON can encode `value` (no NaN or infinity: not JSON)."""
    try:
        dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            parameter, value, f"JSON data: dicts, lists, str, numbers, bools, None ({exc})"
        ) from None
