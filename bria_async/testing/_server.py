"""The API application (auth, faults, counting, admin endpoints) and `Emulator`, which runs
it beside the storage host on two loopback ports.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiohttp import web

from .. import _served
from . import (
    _routes_edits,
    _routes_images,
    _routes_product,
    _routes_tailored,
    _routes_v2,
    _routes_visuals,
)
from ._config import EmulatorConfig
from ._counters import Counters
from ._faults import inject_fault
from ._limits import retry_after
from ._results import PREFIX, V2_PREFIX, endpoint, route_template
from ._state import STATE_KEY, State
from ._storage import create_storage_app, record
from ._validate import ApiError, error_response

__all__ = ["Emulator", "create_api_app"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_ACCEPTED = frozenset({200, 201, 202, 204, 208, 209})  # not 205/206: nothing was done yet
CLIENT_MAX_SIZE = 32 * 1024 * 1024  # base64 of a 12 MB file must reach the 413 check
STATUS_ROUTE = f"{V2_PREFIX}/status/{{request_id}}"


@web.middleware
async def _api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record, authenticate, keep the rate limit, inject faults, run the route and count the
    accepted ones."""
    v2 = request.path.startswith(V2_PREFIX + "/")
    if not v2 and not request.path.startswith(PREFIX + "/"):
        return await handler(request)
    state = request.app[STATE_KEY]
    record(state.counters, "api", request)
    token = request.headers.get("api_token", "")
    config = state.config
    if not token or (token != config.api_token and not config.any_token):
        return error_response(401, "Unauthorized. Invalid API key or authentication token.", v2=v2)
    template = route_template(request)
    if template:
        refused = await _refused(request, state, token, template, v2=v2)
        if refused is not None:
            return refused
    response = await _answer(request, handler, v2=v2)
    if template and response.status in _ACCEPTED:
        state.counters.submissions[template] += 1
    return response


async def _refused(
    request: web.Request, state: State, token: str, template: str, *, v2: bool
) -> web.StreamResponse | None:
    """The 429 of a request over its route's rate limit, or the fault injected into it;
    None to run the route (the status route's calls are counted first)."""
    config = state.config
    if template == STATUS_ROUTE:
        state.counters.status_calls[request.match_info["request_id"]] += 1
    spent = endpoint(request)
    if config.rate_limit is not None:
        now = time.monotonic()
        wait = state.limits.admit(config.rate_limit, token, spent, now)
        if wait:
            state.counters.rate_limited[spent] += 1
            message = f"Too many requests: over the rate limit of {spent}."
            headers = {"Retry-After": retry_after(wait)}
            return error_response(429, message, v2=v2, headers=headers)
        state.counters.count_minute(spent, now)
    return await inject_fault(request, config.route(spent), state.rng, v2=v2)


async def _answer(request: web.Request, handler: Handler, *, v2: bool) -> web.StreamResponse:
    """The route's answer, its ApiError or HTTP error as the API words one."""
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error.status, error.message, v2=v2)
    except web.HTTPException as error:
        message = f"{error.reason}: {request.method} {request.path}"
        return error_response(error.status, message, v2=v2)


async def _admin_state(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    with_requests = request.query.get("requests", "true").lower() != "false"
    data = state.counters.to_dict(with_requests=with_requests)
    data["v2"] = state.v2.to_dict()
    return web.json_response(data)


async def _admin_reset(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    state.counters.reset()
    state.limits.clear()
    state.v2.deliveries.clear()
    return web.json_response({"reset": True})


async def _close_jobs(app: web.Application) -> None:
    await app[STATE_KEY].v2.close()


def create_api_app(state: State) -> web.Application:
    """The aiohttp application of the API host, every route under /v1 and /v2."""
    app = web.Application(middlewares=[_api_middleware], client_max_size=CLIENT_MAX_SIZE)
    app[STATE_KEY] = state
    for module in (
        _routes_images,
        _routes_edits,
        _routes_visuals,
        _routes_tailored,
        _routes_product,
        _routes_v2,
    ):
        module.add_routes(app.router)
    app.router.add_get("/_emulator/state", _admin_state)
    app.router.add_post("/_emulator/reset", _admin_reset)
    app.on_cleanup.append(_close_jobs)
    return app


class Emulator:
    """The Bria API emulator on `host`: the API on `port`, result storage on `storage_port`.

    Ports 0 pick free ports. Use as `async with Emulator(config) as emu:`.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        storage_port: int = 0,
    ) -> None:
        self.config = config if config is not None else EmulatorConfig()
        self.host = host
        self.state = State(self.config)
        self._ports = (port, storage_port)
        self._runners: list[web.AppRunner] = []
        self.base_url = ""
        self.storage_url = ""

    @property
    def config(self) -> EmulatorConfig:
        """The live configuration; changes apply to the next request."""
        return self._config

    @config.setter
    def config(self, config: EmulatorConfig) -> None:
        self._config = config
        if hasattr(self, "state"):
            self.state.config = config
            self.state.storage.config = config

    @property
    def api_token(self) -> str:
        """The token the emulator accepts (with `any_token`, it accepts others too)."""
        return self.config.api_token

    @property
    def counters(self) -> Counters:
        """What the emulator has seen so far."""
        return self.state.counters

    @property
    def v2_base_url(self) -> str:
        """The v2 API's base URL, e.g. http://127.0.0.1:8787/v2 (empty until started)."""
        return self.base_url.removesuffix(PREFIX) + V2_PREFIX if self.base_url else ""

    def make_ready(self, url: str) -> None:
        """Make the placeholder at `url` ready now."""
        self.state.storage.make_ready(url)

    def finish_job(self, request_id: str) -> None:
        """Make the v2 job `request_id` reach its outcome now (its result ready, its webhook
        sent); KeyError for an unknown id."""
        job = self.state.v2.jobs[request_id]
        for url in job.urls:
            self.state.storage.make_ready(url)
        job.finish_now()

    async def _serve(self, app: web.Application, port: int) -> int:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        self._runners.append(runner)
        await web.TCPSite(runner, self.host, port).start()
        return int(runner.addresses[0][1])

    async def start(self) -> None:
        """Start both listeners."""
        try:
            storage_port = await self._serve(create_storage_app(self.state.storage), self._ports[1])
            self.storage_url = f"http://{self.host}:{storage_port}"
            self.state.storage.base_url = self.storage_url
            api_port = await self._serve(create_api_app(self.state), self._ports[0])
            self.base_url = f"http://{self.host}:{api_port}{PREFIX}"
            _served.serving(self.base_url)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop both listeners."""
        if self.base_url:
            _served.stopped(self.base_url)
        runners, self._runners = self._runners, []
        for runner in reversed(runners):
            await runner.cleanup()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
