"""``bria.person``: the presenters in a registered visual, and changes to them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import ValidationError
from .._extras import CallExtras
from .._jobs import Job
from .._settings import Timeouts
from .._specs import JobSpec
from .._validation import drop_none, is_json, require_id, require_list, require_text
from ..types.choices import DesiredResolution
from ..types.images import EditResult, parse_edit_result
from ..types.person import PeopleInfo, parse_people_info
from ._base import Resource, call_of
from ._params import HasSid, info_route, sid_of
from ._params import desired_resolution as check_resolution

_INFO = info_route("person.info")
INFO = JobSpec(kind="person.info", parse=parse_people_info, finish=_INFO)
MODIFY = JobSpec(kind="person.modify", parse=parse_edit_result)


def _change(name: str, value: Any) -> dict[str, Any]:
    """One change: a mapping with the person's ``id`` (from ``person.info``) and the
    changes to make (for example ``{"id": ..., "expression": "happy"}``), all JSON values."""
    if not isinstance(value, Mapping) or not isinstance(value.get("id"), str) or not is_json(value):
        raise ValidationError(
            name,
            value,
            'a mapping with the person\'s "id" from person.info '
            "and JSON values (strings, numbers, booleans)",
        )
    require_text(f"{name}.id", value["id"])
    return dict(value)


class Person(Resource):
    """Presenters (people) in a visual: what can change, and the changes."""

    def info(
        self,
        visual_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> Job[PeopleInfo]:
        """The people in the visual with the changes each supports and their oracle values;
        while the visual is still onboarding (205) the Job calls again until it answers."""
        context = {"visual_id": require_id("visual_id", visual_id)}
        return self._job(
            INFO,
            _INFO.call(context),
            context=context,
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )

    async def modify(
        self,
        visual_id: str,
        changes: Sequence[Mapping[str, Any]],
        *,
        sid: str | HasSid | None = None,
        desired_resolution: DesiredResolution | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | Timeouts | None = None,
    ) -> EditResult:
        """A new visual with `changes` made to its presenters (POST /{visual_id}/create).
        Put every change of one person in one request: the API does not chain changes of
        the same person by `sid`. Changes of other people may chain by `sid`."""
        vid = require_id("visual_id", visual_id)
        body = {
            "changes": require_list("changes", changes, _change),
            **drop_none(sid=sid_of(sid), desired_resolution=check_resolution(desired_resolution)),
        }
        call = call_of("person.modify", {"visual_id": vid}, json=body, kind="sync_generation")
        return await self._direct(
            MODIFY,
            call,
            {"visual_id": vid},
            extras=CallExtras(extra_headers, extra_query, extra_body, timeout),
        )
