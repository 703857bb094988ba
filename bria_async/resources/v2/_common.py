"""What the v2 namespaces share: image inputs (read and encoded as the Job is sent), the
checks of the common fields, and the Job of a v2 route (`_V2Resource`)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import attrs

from ..._completion import check_placeholder_url
from ..._errors import ValidationError
from ..._extras import CallExtras
from ..._inputs import IMAGE_TYPES, RGB_MODES, ImageInput, check, load
from ..._jobs import Job
from ..._json import dumps, loads
from ..._request import Call, TimeoutKind
from ..._specs import JobSpec
from ..._validation import drop_none, require_bool, require_list, require_text
from ...types.v2 import V2Result
from .._base import Resource, call_of
from ._specs import EDIT_SPECS


@attrs.frozen
class _Image:
    """An image input in a v2 body, read and encoded as the Job is sent."""

    value: ImageInput
    parameter: str
    is_mask: bool = False


def _image(parameter: str, value: Any, *, is_mask: bool = False) -> _Image:
    check(value, parameter=parameter)
    return _Image(value, parameter, is_mask)


def _images(parameter: str, value: Any) -> list[_Image]:
    return require_list(parameter, value, lambda name, item: _image(name, item), max_length=4)


async def _encoded(node: Any) -> tuple[Any, bool]:
    """`node` with every _Image replaced by its URL or base64; True if a file was read."""
    if isinstance(node, _Image):
        loaded = await load(
            node.value,
            parameter=node.parameter,
            allowed_types=IMAGE_TYPES,
            allowed_modes=None if node.is_mask else RGB_MODES,
        )
        if loaded.url is not None:
            return loaded.url, False
        return base64.b64encode(loaded.data or b"").decode("ascii"), True
    if isinstance(node, dict):
        pairs = [(k, await _encoded(v)) for k, v in node.items()]
        return {k: v for k, (v, _) in pairs}, any(f for _, (_, f) in pairs)
    if isinstance(node, list):
        items = [await _encoded(v) for v in node]
        return [v for v, _ in items], any(f for _, f in items)
    return node, False


async def _prepare(call: Call) -> Call:
    body, read_files = await _encoded(call.json)
    kind = "upload" if read_files and call.kind == "quick" else call.kind
    return call._replace(json=body, kind=kind, prepare=None)


def _structured(name: str, value: Any) -> str | None:
    """None, or a JSON object given as a mapping or as its JSON text: the text to send."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        try:
            return dumps(value)
        except (TypeError, ValueError):
            raise ValidationError(
                name, value, "a JSON object (a mapping or its JSON text)"
            ) from None
    if isinstance(value, str):
        try:
            parsed = loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return value
    raise ValidationError(name, value, "a JSON object (a mapping or its JSON text)")


def _text(name: str, value: Any) -> str | None:
    return None if value is None else require_text(name, value)


class _V2Resource(Resource):
    """What the v2 namespaces share: the common fields and the Job of a v2 route."""

    def _v2_job(
        self,
        spec: JobSpec[V2Result],
        body: dict[str, Any],
        *,
        sync: bool,
        webhook_url: str | None,
        extras: CallExtras,
    ) -> Job[V2Result]:
        sync = require_bool("sync", sync)
        hook = None
        if webhook_url is not None:
            try:
                hook = check_placeholder_url(
                    webhook_url, allow_insecure_http=self._client._runtime.allow_insecure_http
                )
            except ValueError as exc:
                raise ValidationError("webhook_url", webhook_url, f"an https URL ({exc})") from None
        full = {**body, "sync": sync, **drop_none(webhook_url=hook)}
        kind: TimeoutKind = "sync_generation" if sync else "quick"
        # its route is named as its Job's kind
        call = call_of(spec.kind, json=full, kind=kind, prepare=_prepare)
        return self._job(
            spec, call, context={"sync": sync, "webhook": hook is not None}, extras=extras
        )

    def _edit(
        self,
        route: str,
        body: dict[str, Any],
        sync: bool,
        webhook_url: str | None,
        *,
        extras: CallExtras,
    ) -> Job[V2Result]:
        return self._v2_job(
            EDIT_SPECS[route], body, sync=sync, webhook_url=webhook_url, extras=extras
        )
