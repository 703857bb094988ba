"""The escape hatches of one call, checked before anything is sent: ``extra_headers``,
``extra_query``, ``extra_body`` and ``timeout``, turned into that call's RequestOptions.

Names and values are checked here so that a bad extra is a ValidationError naming it, never
a request the API refuses or one aiohttp cannot encode halfway through its attempts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ._errors import ValidationError
from ._headers import check_default_headers
from ._json import dumps
from ._options import timeouts_of
from ._request import Call, Extras, RequestOptions, with_extras
from ._settings import Timeouts

if TYPE_CHECKING:
    from ._runtime import Runtime

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


class CallExtras(NamedTuple):
    """The four escape-hatch keywords of one namespace method call, as given (unchecked)."""

    headers: Mapping[str, str] | None
    query: Mapping[str, Any] | None
    body: Mapping[str, Any] | None
    timeout: float | Timeouts | None


NO_EXTRAS = CallExtras(None, None, None, None)


def sent_with(runtime: Runtime, call: Call, extras: CallExtras) -> tuple[Runtime, Call]:
    """The runtime and Call a namespace method sends with its `extras`, all checked now.

    The extra query and body go into `call` alone (a Job's submission, never the status
    reads that follow it; a body an upload builds as it is sent gets them then, a form is
    refused): keys named there win over the checked ones, which otherwise stay. Headers and
    timeout go into the options of the runtime returned, so they hold for every API request
    of the call: a Job's submission and its follow-up reads, as a ``with_options`` view's.
    """
    if extras == NO_EXTRAS:
        return runtime, call
    headers, query, body, timeout = extras
    options = with_call_extras(runtime.options, extra_headers=headers, timeout=timeout)
    if body is not None and call.method in ("GET", "DELETE"):
        raise ValidationError("extra_body", body, f"None: a {call.method} request has no body")
    if query is not None or body is not None:
        merge = Extras(
            {} if query is None else check_query("extra_query", query),
            {} if body is None else check_body("extra_body", body),
        )
        prepare = call.prepare
        if prepare is None:
            call = with_extras(call, merge)
        else:

            async def prepare_then_merge(unprepared: Call) -> Call:
                return with_extras(await prepare(unprepared), merge)

            call = call._replace(prepare=prepare_then_merge)
    if options is not runtime.options:
        runtime = runtime.sending_with(options)
    return runtime, call


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
