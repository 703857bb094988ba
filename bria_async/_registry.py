"""The JobSpec of every kind a job token may name: what `jobs.resume` rebuilds Jobs from.

Explicit, and checked against the route table (`_routes.ROUTES`, whose rows name each
kind): resuming a token needs no namespace to have been imported first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._routes import ROUTES
from ._specs import JobSpec
from .resources import (
    background,
    datasets,
    images,
    models,
    objects,
    person,
    product,
    search,
    v2,
    visuals,
)

_LISTED: tuple[JobSpec[Any], ...] = (
    background.INFO, background.EDIT, background.REPLACE,
    datasets.CREATE, datasets.LIST, datasets.RETRIEVE, datasets.UPDATE, datasets.DELETE,
    datasets.UPLOAD_IMAGE, datasets.LIST_IMAGES, datasets.RETRIEVE_IMAGE,
    datasets.DELETE_IMAGE,
    images.GENERATE, images.UPSCALE,
    models.CREATE, models.LIST, models.RETRIEVE, models.DELETE, models.TRAINING,
    models.STOP_TRAINING,
    objects.INFO, objects.MASK_GENERATOR, objects.REMOVE,
    person.INFO, person.MODIFY,
    product.CUTOUT, product.PACKSHOT, product.LIFESTYLE_BY_TEXT, product.LIFESTYLE_BY_IMAGE,
    product.CONSISTENT_SHOTS, product.KEYWORDS,
    search.PAGE,
    v2.GENERATE, v2.EDIT, v2.STRUCTURED_INSTRUCTION, v2.INTEGRATE, *v2.EDIT_SPECS.values(),
    visuals.REGISTER, visuals.REMOVE_IMAGE, visuals.INFO, visuals.CAPTION, visuals.EDIT,
        visuals.CAMPAIGN,
)  # fmt: skip
_DEFINED = {spec.kind: spec for spec in _LISTED}

#: Kinds of Jobs that follow a route without a submission of their own: ``bria.v2.job(id)``
#: follows ``GET /v2/status/{request_id}`` for a request sent by anyone.
FOLLOW_ONLY: Mapping[str, JobSpec[Any]] = {v2.FOLLOW.kind: v2.FOLLOW}

#: Every kind of the route table that has a Job, and the follow-only ones, by kind.
SPECS: Mapping[str, JobSpec[Any]] = {
    **{route.kind: _DEFINED[route.kind] for route in ROUTES if route.kind in _DEFINED},
    **FOLLOW_ONLY,
}
