"""``bria.v2``: the v2 routes (generation, edits, product integration, structured
instructions) and one status read. Every route answers 202 with a status URL that the client
follows (`StatusURL`), or, with ``sync=True``, 200 with the result; `webhook_url` asks Bria to
POST the final status there too (see `bria_async.webhooks`).

Images go as V2.md says, in fields such as ``image``: a public URL as is, a file (path,
bytes, binary file) as base64, read off the event loop as the Job is sent.

The modules: `_specs` (the JobSpecs), `_common` (image inputs, shared checks, the Job of a
route), `_image_namespace` with `_pixel_edits` and `_scene_edits` (``bria.v2.image``),
`_product` (``bria.v2.product``); this one is ``bria.v2`` itself (`_image_namespace`, not
`_image`: a submodule's name would shadow the `_image` helper imported here).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from ..._errors import (
    APIResponseValidationError,
    NotFoundError,
    RequestExpiredError,
    ValidationError,
)
from ..._extras import CallExtras, sent_with
from ..._inputs import ImageInput
from ..._jobs import Job
from ..._request import Call
from ..._settings import Timeouts
from ..._tokens import TokenData
from ..._validation import drop_none, require_id, require_text
from ...types.v2 import StatusEvent, V2Result, parse_status
from .._base import call_of
from ._common import _image, _images, _V2Resource
from ._image_namespace import V2Image
from ._product import V2Product
from ._specs import EDIT, EDIT_SPECS, FOLLOW, GENERATE, INTEGRATE, STRUCTURED_INSTRUCTION

__all__ = [
    "EDIT",
    "EDIT_SPECS",
    "FOLLOW",
    "GENERATE",
    "INTEGRATE",
    "STRUCTURED_INSTRUCTION",
    "V2",
    "V2Image",
    "V2Product",
]


class V2(_V2Resource):
    """``bria.v2``: the v2 API. ``bria.v2.image``, ``bria.v2.product``, structured
    instructions, and one read of a request's status."""

    @cached_property
    def image(self) -> V2Image:
        return V2Image(self._client)

    @cached_property
    def product(self) -> V2Product:
        return V2Product(self._client)

    def structured_instruction(
        self,
        images: Sequence[ImageInput],
        instruction: str,
        *,
        mask: ImageInput | None = None,
        sync: bool = False,
        webhook_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """The structured instruction (JSON, in the result's ``extra``) that `instruction`
        becomes for 1 to 4 `images`, optionally limited to `mask`."""
        body = {
            "images": _images("images", images),
            "instruction": require_text("instruction", instruction),
            **drop_none(mask=None if mask is None else _image("mask", mask, is_mask=True)),
        }
        return self._v2_job(
            STRUCTURED_INSTRUCTION,
            body,
            sync=sync,
            webhook_url=webhook_url,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    def job(
        self,
        request_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[V2Result]:
        """Follow the v2 request `request_id` (any request of this account: one a route
        method sent, one ``bria.request(...)`` answered 202 for, one another process sent)
        from its id alone, as a submitted route's job is followed: its status is read on
        the shared poller until final (or settled by ``bria.jobs.deliver``), and nothing is
        sent again: returns a Job of a V2Result, which names the result's `image_url`, seed
        and prompts when there and keeps every other field of it (``video_url``, a list of
        URLs, ...) in `extra`. The id is checked first; RequestExpiredError if Bria does not
        know it. It sends no request of its own: `extra_headers` and `timeout` hold for its
        status reads, and an `extra_query` or `extra_body` (with no request to go into) is
        refused."""
        rid = require_id("request_id", request_id)
        for name, extra in (("extra_query", extra_query), ("extra_body", extra_body)):
            if extra is not None:
                raise ValidationError(name, extra, "None: v2.job sends no request of its own")
        runtime, _ = sent_with(
            self._client._runtime, Call("GET", ""), CallExtras(extra_headers, None, None, timeout)
        )
        sent = {"request_id": rid}
        data = TokenData(
            id="",
            kind=FOLLOW.kind,
            submitted_at=time.time(),
            http_status=202,
            response=sent,
            context={},
            state=sent,
        )
        return Job._sent_before(runtime, FOLLOW, data)

    async def status(
        self,
        request_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> StatusEvent:
        """One read of ``GET /v2/status/{request_id}``; RequestExpiredError if Bria does not
        know the id (never sent, or expired)."""
        rid = require_id("request_id", request_id)
        extras = CallExtras(extra_headers, extra_query, extra_body, timeout)
        runtime, call = sent_with(
            self._client._runtime, call_of("v2.status", {"request_id": rid}), extras
        )
        try:
            call = call.sent_with(runtime.options, None)
            response = await runtime.transport.send(call)
        except NotFoundError as exc:
            raise RequestExpiredError.of(exc, rid) from None
        try:
            return parse_status(response.json(), storage=runtime.storage)
        except (KeyError, TypeError, ValueError) as exc:
            raise APIResponseValidationError(
                f"unexpected v2 status ({exc})",
                status=response.status,
                url=response.url,
                excerpt=response.body[:200].decode("utf-8", "replace"),
            ) from None
