"""`bria-async emulator`: run the emulator until Ctrl-C or SIGTERM, printing its base URL."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from ._config import DEFAULT_TOKEN, EmulatorConfig, Latency, RouteConfig
from ._limits import RateLimit

__all__ = ["build_config", "configure_parser", "run"]

#: The --rate-NAME options: the faults the emulator can inject, and what each does.
_FAULTS = {
    "429": "answered 429 Too Many Requests",
    "500": "answered 500 Internal Server Error",
    "503": "answered 503 Service Unavailable",
    "drop": "whose connection is dropped",
}


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to `parser`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8787, help="API port; 0 picks a free one (8787)"
    )
    parser.add_argument(
        "--storage-port", type=int, default=0, help="port of the image storage (a free one)"
    )
    parser.add_argument("--latency", type=float, help="seconds until each image is ready (fixed)")
    parser.add_argument(
        "--latency-median", type=float, help="typical seconds until an image is ready (varies)"
    )
    parser.add_argument(
        "--latency-p95",
        type=float,
        help="seconds within which 95%% of images are ready (default: twice the median)",
    )
    for name, what in _FAULTS.items():
        parser.add_argument(
            f"--rate-{name}", type=float, default=0.0, help=f"share of requests {what}, 0 to 1"
        )
    parser.add_argument(
        "--retry-after", type=float, default=1.0, help="seconds a 429 or 503 asks to wait (1)"
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N/min",
        help="enforce a rate limit per token and endpoint, as Bria does (N/min, N/s or N/h)",
    )
    parser.add_argument(
        "--rate-burst",
        type=int,
        metavar="N",
        help="requests a rate limit lets go at once (default: its N)",
    )
    parser.add_argument(
        "--onboarding-seconds",
        type=float,
        default=2.0,
        help="seconds until a registered visual is ready (2)",
    )
    parser.add_argument(
        "--training-seconds",
        type=float,
        default=30.0,
        help="seconds a tailored model trains (30)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed: the same run every time")
    parser.add_argument(
        "--max-image-side", type=int, default=None, help="largest side of its images, in pixels"
    )
    parser.add_argument(
        "--api-token",
        default=DEFAULT_TOKEN,
        help=f"the token to accept; others get 401 (default: {DEFAULT_TOKEN})",
    )
    parser.add_argument(
        "--any-token", action="store_true", help="accept any non-empty token (not what Bria does)"
    )


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    """The emulator configuration the parsed options describe."""
    latency = _latency(args)
    rate_limit = None
    if args.rate_limit is not None:
        try:
            rate_limit = RateLimit.parse(args.rate_limit, args.rate_burst)
        except ValueError as error:
            raise SystemExit(f"--rate-limit: {error}") from None
    return EmulatorConfig(
        placeholder_latency=latency,
        onboarding_seconds=args.onboarding_seconds,
        training_seconds=args.training_seconds,
        seed=args.seed,
        api_token=args.api_token,
        any_token=args.any_token,
        max_image_side=args.max_image_side,
        rate_limit=rate_limit,
        default_route=RouteConfig(
            rate_429=args.rate_429,
            retry_after=args.retry_after,
            rate_500=args.rate_500,
            rate_503=args.rate_503,
            rate_drop=args.rate_drop,
        ),
    )


def _latency(args: argparse.Namespace) -> Latency:
    """The placeholder latency of the options: log-normal around --latency-median (95% within
    --latency-p95, by default twice the median, as `bria-async demo`'s), or fixed."""
    median, p95 = args.latency_median, args.latency_p95
    if median is None:
        if p95 is not None:
            raise SystemExit("bria-async emulator: --latency-p95 needs --latency-median")
        return Latency.fixed(3.0 if args.latency is None else args.latency)
    if not median > 0:
        raise SystemExit(f"bria-async emulator: --latency-median must be above 0, not {median:g}")
    if p95 is not None and not p95 >= median:
        raise SystemExit(
            f"bria-async emulator: --latency-p95 must be at least --latency-median "
            f"({median:g}), not {p95:g}"
        )
    return Latency.lognormal(median=median, p95=p95)


def _describe(latency: Latency) -> str:
    """When the emulator's images are ready, in words."""
    if latency.kind == "lognormal":
        return f"images ready after {latency.a:g} s typically, 95% within {latency.b:g} s"
    if latency.kind == "uniform":
        return f"images ready after {latency.a:g} to {latency.b:g} s"
    return f"images ready after {latency.a:g} s"


def _accepted(config: EmulatorConfig) -> str:
    """Which tokens the emulator accepts, never echoing one the user chose."""
    if config.any_token:
        return "any api_token accepted"
    if config.api_token == DEFAULT_TOKEN:
        return f"api_token {DEFAULT_TOKEN!r}"
    return "api_token as given by --api-token"


def _limit(config: EmulatorConfig) -> str:
    limit = config.rate_limit
    return "no rate limit" if limit is None else f"rate limit {limit} per token and endpoint"


async def _serve(args: argparse.Namespace) -> None:
    from ._server import Emulator

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, stop.set)
    emulator = Emulator(
        build_config(args), host=args.host, port=args.port, storage_port=args.storage_port
    )
    async with emulator:
        print(emulator.base_url, flush=True)
        print(
            f"v2 {emulator.v2_base_url}; storage {emulator.storage_url}; "
            f"{_accepted(emulator.config)}; "
            f"{_limit(emulator.config)}; "
            f"{_describe(emulator.config.placeholder_latency)}; "
            f"state at {emulator.base_url.removesuffix('/v1')}/_emulator/state; Ctrl-C stops",
            flush=True,
        )
        await stop.wait()


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0
