"""The JobSpecs of the v2 routes (the edits' read off the route table), each finished by
following its status URL (`StatusURL`)."""

from __future__ import annotations

from ..._completion import StatusURL
from ..._routes import ROUTES
from ..._specs import JobSpec
from ...types.v2 import V2Result, parse_v2_result

_STATUS_PLAN = StatusURL()


def _spec(kind: str) -> JobSpec[V2Result]:
    return JobSpec(kind=f"v2.{kind}", parse=parse_v2_result, finish=_STATUS_PLAN)


GENERATE = _spec("image.generate")
EDIT = _spec("image.edit")
STRUCTURED_INSTRUCTION = _spec("structured_instruction")
#: ``bria.v2.job(request_id)``: the Job of any v2 request, known by its id alone.
FOLLOW = _spec("job")
INTEGRATE = _spec("product.integrate")
#: The ``/v2/image/edit/<route>`` routes of the route table (each reached by a method of
#: ``bria.v2.image``), by route.
EDIT_SPECS = {
    route.name.removeprefix("v2.image."): _spec(route.name.removeprefix("v2."))
    for route in ROUTES
    if route.name.startswith("v2.image.") and route.path.startswith("/image/edit/")
}
