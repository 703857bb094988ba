"""The people (presenters) in a visual, as person/info lists them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._converter import structure
from ._serializable import Serializable
from .objects import SceneObject

if TYPE_CHECKING:
    from ._download import ResultContext


@attrs.frozen(kw_only=True)
class PeopleInfo(Serializable):
    """The presenters of a visual, each with its id (for ``person.create``), the changes it
    supports (``actions``) and their oracle values; iterate it for each person."""

    visual_id: str
    people: tuple[SceneObject, ...]

    def __iter__(self) -> Iterator[SceneObject]:
        return iter(self.people)

    def __len__(self) -> int:
        return len(self.people)


def parse_people_info(body: Any, ctx: ResultContext) -> PeopleInfo:
    """A PeopleInfo from the list person/info answers (or ``{"people": [...]}``)."""
    items = body.get("people") if isinstance(body, Mapping) else body
    if not isinstance(items, list):
        raise TypeError("person/info did not answer a list")
    return PeopleInfo(
        visual_id=str(ctx.context["visual_id"]),
        people=tuple(structure(item, SceneObject) for item in items),
    )
