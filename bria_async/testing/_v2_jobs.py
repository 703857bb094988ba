"""How the emulator's v2 routes make their jobs and answer for them: `submit` turns a checked
body into a `V2Job` (its outcome, result PNG and webhook; the ERROR/FAILED/UNKNOWN markers
anywhere in the body choose a failure) and answers 202 with its status URL, or with `sync`
the final status body; `status` serves `GET /v2/status/{request_id}`.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiohttp import web

from ._jobs import ERROR_MARKER, FAILED_MARKER, UNKNOWN_MARKER, V2Job, is_loopback_url
from ._results import V2_PREFIX, endpoint, ok, route_template, state_of
from ._v2_inputs import Size
from ._validate import Params, fail

__all__ = ["status", "submit"]

_MARKERS = (ERROR_MARKER, FAILED_MARKER, UNKNOWN_MARKER)


def _markers(value: object) -> set[str]:
    """The job markers in every string of the body."""
    if isinstance(value, str):
        return {marker for marker in _MARKERS if marker in value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return set().union(*(_markers(item) for item in items))


async def submit(
    request: web.Request, body: dict[str, Any], *, size: Size | None, result: dict[str, Any]
) -> web.Response:
    """Make the job (its outcome, result PNG and webhook) and answer 202 or, with sync, 200."""
    params = Params(body)
    sync = params.boolean("sync", False)
    webhook = params.url("webhook_url")
    if webhook is not None and not is_loopback_url(webhook):
        fail(
            400,
            f"invalid webhook_url: {webhook!r}; allowed: a loopback URL (the emulator "
            "delivers only to 127.0.0.1, ::1 or localhost)",
        )
    state = state_of(request)
    template = route_template(request)
    latency = state.config.latency_for(endpoint(request)).sample(state.rng)
    markers = _markers(body)
    request_id = str(uuid.uuid4())
    job = V2Job(
        request_id,
        template,
        time.monotonic() + latency,
        webhook_url=webhook,
        unknown=UNKNOWN_MARKER in markers,
        token=request.headers.get("api_token", ""),
    )
    rate = state.config.route(endpoint(request)).job_error_rate
    if ERROR_MARKER in markers or FAILED_MARKER in markers or (rate and state.rng.random() < rate):
        reason = next((m for m in (FAILED_MARKER, ERROR_MARKER) if m in markers), "job_error_rate")
        job.failed_status = "FAILED" if reason == FAILED_MARKER else "ERROR"
        job.error = {
            "code": 500,
            "message": "Processing failed (emulated failure).",
            "details": f"{template}: request {request_id} failed because of {reason}",
        }
    else:
        job.result = dict(result)
        if size is not None:
            placeholder = state.storage.add_png(size[0], size[1], f"v2|{request_id}", latency)
            job.ready_mono = placeholder.ready_mono
            job.urls.append(placeholder.url)
            job.result = {"image_url": placeholder.url, **result}
    state.v2.add(job, state.config)
    if not sync:
        status_url = f"{request.url.origin()}{V2_PREFIX}/status/{request_id}"
        return ok({"request_id": request_id, "status_url": status_url}, 202)
    await job.wait()
    return ok(job.body(), 200 if job.error is None else int(job.error["code"]))


async def status(request: web.Request) -> web.Response:
    """`GET /v2/status/{request_id}`: the job's status body, 404 once unknown or expired."""
    request_id = request.match_info["request_id"]
    state = state_of(request)
    job = state.v2.jobs.get(request_id)
    ttl = state.config.job_ttl
    if job is None or (ttl is not None and time.time() - job.created > ttl):
        fail(404, f"Request {request_id!r} does not exist or has expired")
    return ok(job.body())
