"""RedisRateLimiter: request slots scheduled in Redis, so that every process using one Bria
account spends one budget per endpoint. Needs the ``redis`` extra (``redis.asyncio``).

Each acquire is one atomic Lua script (GCRA on Redis's own clock, so the processes' clocks do
not matter). When Redis cannot be reached, or answers what a script never does, the limiter
falls back to an in-process one and logs a warning once, trying Redis again every
`retry_interval` seconds: no request waits on, or is lost to, a Redis outage.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._errors import ConfigurationError, ValidationError, short_repr
from ._events import logger
from ._ratelimit import LocalRateLimiter
from ._redact import redact_url

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisRateLimiter"]

T = TypeVar("T")

# KEYS[1]: the key's hash; ARGV: interval (s), burst, max_wait (s, negative: none).
# Answers the seconds until the slot; a slot past max_wait is not reserved.
_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tat', 'paused')
local tat = math.max(tonumber(state[1]) or now, now)
local paused = tonumber(state[2]) or 0
local at = math.max(tat - (burst - 1) * interval, paused, now)
local wait = at - now
if interval > 0 and (max_wait < 0 or wait <= max_wait) then
  tat = math.max(tat, at) + interval
  redis.call('HSET', KEYS[1], 'tat', string.format('%.6f', tat))
  redis.call('EXPIRE', KEYS[1], math.ceil(math.max(tat, paused) - now) + 60)
end
return string.format('%.6f', wait)
"""
# KEYS[1]: the key's hash; ARGV[1]: seconds from now without a slot.
_PAUSE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tat', 'paused')
local paused = math.max(tonumber(state[2]) or 0, now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'paused', string.format('%.6f', paused))
redis.call('EXPIRE', KEYS[1], math.ceil(math.max(tonumber(state[1]) or 0, paused) - now) + 60)
return 1
"""


class _UnexpectedAnswer(Exception):
    """A script answered what it never does: the peer is not the Redis the scripts expect."""

    def __init__(self, script: str, answer: object) -> None:
        super().__init__(f"the {script} script answered {short_repr(answer)}")


def _wait_of(answer: Any) -> float:
    """The seconds the acquire script answered: text of a finite number, 0 or more (NaN
    would switch the limit off, infinity time every request out)."""
    try:
        wait = float(answer) if isinstance(answer, (bytes, str)) else math.nan
    except ValueError:
        wait = math.nan
    if not 0.0 <= wait < math.inf:
        raise _UnexpectedAnswer("acquire", answer)
    return wait


def _paused(answer: Any) -> None:
    """The pause script answers 1."""
    if answer != 1:
        raise _UnexpectedAnswer("pause", answer)


class RedisRateLimiter:
    """A RateLimiter in Redis at `url` (``redis://[:password@]host:port/db``), shared by every
    process and client that uses it with the same API token.

    Keys are `prefix` + a hash of the API token + the endpoint. Each event loop gets its own
    connections, opened on first use; `aclose()` (a BriaClient's close calls it) releases the
    running loop's, and the limiter opens new ones if it is used again.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "bria_async:rate:",
        timeout: float = 0.5,
        retry_interval: float = 5.0,
    ) -> None:
        try:
            import redis.asyncio  # noqa: F401 - only to fail here, clearly, without the extra
        except ImportError:
            raise ConfigurationError(
                "RedisRateLimiter needs the redis extra: pip install 'bria-async[redis]'"
            ) from None
        if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
            shown = redact_url(url) if isinstance(url, str) else url
            raise ValidationError("url", shown, "a redis://, rediss:// or unix:// URL")
        for name, value in (("timeout", timeout), ("retry_interval", retry_interval)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValidationError(name, value, "seconds above 0")
        self._url = url
        self._prefix = prefix
        self._timeout = float(timeout)
        self._retry_interval = float(retry_interval)
        self._fallback = LocalRateLimiter()
        self._down_until: float | None = None  # Redis is skipped until then
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, ...]] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"RedisRateLimiter({redact_url(self._url)!r}, prefix={self._prefix!r})"

    @property
    def using_redis(self) -> bool:
        """False while Redis is unreachable and the in-process fallback is in use."""
        return self._down_until is None

    def _scripts(self) -> tuple[Any, Any]:
        """This loop's (acquire, pause) scripts, on a client opened on first use."""
        loop = asyncio.get_running_loop()
        entry = self._clients.get(loop)
        if entry is None:
            entry = self._clients[loop] = self._open()
        return entry[1], entry[2]

    def _open(self) -> tuple[Redis, Any, Any]:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        client = Redis.from_url(
            self._url,
            socket_timeout=self._timeout,
            socket_connect_timeout=self._timeout,
            retry=Retry(NoBackoff(), 0),  # an outage is the fallback's business, not retries'
        )
        return client, client.register_script(_ACQUIRE), client.register_script(_PAUSE)

    async def _run(
        self, which: int, key: str, args: list[float], check: Callable[[Any], T]
    ) -> T | None:
        """Run a script on `key` and `check` its answer; None (and the fallback's turn) when
        Redis fails or answers what the script never does."""
        if self._down_until is not None and time.monotonic() < self._down_until:
            return None
        try:
            value = check(await self._scripts()[which](keys=[self._prefix + key], args=args))
        # Any error: a peer that is not Redis breaks the client library in any way it may
        # (AttributeError, IndexError...), and no request may wait on or be lost to it.
        except Exception as exc:
            if self._down_until is None:
                reason = str(exc) if isinstance(exc, _UnexpectedAnswer) else type(exc).__name__
                logger.warning(
                    "Redis is unreachable or answers unexpectedly (%s): rate limits are kept "
                    "in this process until %s answers again, so other processes do not share "
                    "them",
                    reason,
                    redact_url(self._url),
                )
            self._down_until = time.monotonic() + self._retry_interval
            await self._drop()
            return None
        if self._down_until is not None:
            logger.warning("Redis answers again: rate limits are shared again")
            self._down_until = None
        return value

    async def acquire(self, key: str, interval: float, burst: int, max_wait: float | None) -> float:
        args = [interval, burst, -1.0 if max_wait is None else max_wait]
        wait = await self._run(0, key, args, _wait_of)
        if wait is None:
            return await self._fallback.acquire(key, interval, burst, max_wait)
        return wait

    async def pause(self, key: str, seconds: float) -> None:
        await self._fallback.pause(key, seconds)  # also here, in case Redis goes away
        await self._run(1, key, [seconds], _paused)

    async def _drop(self) -> None:
        """Close this loop's connections (after a failure: the next use opens new ones)."""
        entry = self._clients.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry[0].aclose()

    async def aclose(self) -> None:
        """Release the running event loop's connections; the limiter stays usable."""
        await self._drop()
