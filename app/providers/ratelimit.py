"""Provider rate limits shared by every worker and web process through Redis, per operation.

Each limited operation ("chat", "embeddings", "vector_upsert", "vector_query") has up to two GCRA
buckets, requests per minute and tokens per minute, plus a shared pause that a provider's 429 sets
(its Retry-After) so that every process slows down, not only the one that was told. A request
*reserves* its turn atomically (one Lua script) and then sleeps until it comes, so processes queue
up in order instead of polling and stampeding. Requests are spaced evenly (no burst beyond one
request, a second's worth of tokens): providers count per second too.

With Redis unreachable, each process keeps the same buckets in memory (limits per process) and says
so once in the log; Redis is tried again every few seconds.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from .errors import RateLimited

log = logging.getLogger("calldesk.ratelimit")

OPERATIONS = ("chat", "embeddings", "vector_upsert", "vector_query")
TOKEN_BURST_S = 1.0  # a second's worth of tokens may go ahead of the even pace
WEB_MAX_WAIT_S = 2.0  # a page never waits longer for its turn: it shows "try again" instead
REDIS_RETRY_S = 5.0  # after a Redis error, count in memory this long before trying Redis again
KEY_PREFIX = "calldesk:ratelimit"

# KEYS[1] pause, KEYS[2..] buckets; ARGV[1] max wait, then per bucket: interval, tau, cost.
# Returns {granted (0/1), wait seconds}. Redis' own clock: workers on other machines agree on it.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local wait = 0
local pause = tonumber(redis.call('GET', KEYS[1]))
if pause and pause > now then wait = pause - now end
local tats = {}
for i = 2, #KEYS do
  local j = 2 + (i - 2) * 3
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  tats[i] = tat
  local w = tat - tonumber(ARGV[j + 1]) - now
  if w > wait then wait = w end
end
if wait > tonumber(ARGV[1]) then return {0, string.format('%.6f', wait)} end
local send = now + wait
for i = 2, #KEYS do
  local j = 2 + (i - 2) * 3
  local tat = math.max(tats[i], send) + tonumber(ARGV[j + 2]) * tonumber(ARGV[j])
  local ttl = math.ceil((tat - now + tonumber(ARGV[j + 1])) * 1000) + 60000
  redis.call('SET', KEYS[i], string.format('%.6f', tat), 'PX', ttl)
end
return {1, string.format('%.6f', wait)}
"""

# KEYS[1] bucket; ARGV[1] seconds to move its schedule by (negative: tokens given back).
_ADJUST = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
tat = math.max(tat + tonumber(ARGV[1]), now)
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', math.ceil((tat - now) * 1000) + 60000)
return 1
"""

# KEYS[1] pause; ARGV[1] seconds from now. Never shortens a longer pause.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local target = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= target then return 0 end
redis.call('SET', KEYS[1], string.format('%.6f', target), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
return 1
"""


@dataclass(frozen=True)
class Rate:
    """Per-minute limits of one operation (None: unlimited)."""

    rpm: int | None = None
    tpm: int | None = None


@dataclass(frozen=True)
class Bucket:
    name: str  # "requests" | "tokens"
    interval: float  # seconds per unit
    tau: float  # how far ahead of the even pace a request may go, in seconds


def buckets_for(rate: Rate) -> list[Bucket]:
    buckets = []
    if rate.rpm:
        buckets.append(Bucket("requests", 60.0 / rate.rpm, 0.0))
    if rate.tpm:
        buckets.append(Bucket("tokens", 60.0 / rate.tpm, TOKEN_BURST_S))
    return buckets


class LocalBackend:
    """The same GCRA in this process's memory (monotonic clock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._tats: dict[str, float] = {}
        self._pauses: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, op: str, costs: list[tuple[Bucket, float]], max_wait: float) -> tuple[bool, float]:
        with self._lock:
            now = self.clock()
            wait = max(self._pauses.get(op, 0.0) - now, 0.0)
            tats = {b.name: self._tats.get(f"{op}:{b.name}", now) for b, _ in costs}
            for bucket, _ in costs:
                wait = max(wait, tats[bucket.name] - bucket.tau - now)
            if wait > max_wait:
                return False, wait
            send = now + wait
            for bucket, cost in costs:
                self._tats[f"{op}:{bucket.name}"] = max(tats[bucket.name], send) + cost * bucket.interval
            return True, wait

    def adjust(self, op: str, bucket: Bucket, seconds: float) -> None:
        with self._lock:
            key = f"{op}:{bucket.name}"
            if key in self._tats:
                self._tats[key] = max(self._tats[key] + seconds, self.clock())

    def pause(self, op: str, seconds: float) -> None:
        with self._lock:
            self._pauses[op] = max(self._pauses.get(op, 0.0), self.clock() + seconds)


class RedisBackend:
    """GCRA state in Redis, changed only by the Lua scripts above (atomic per request)."""

    def __init__(self, client: Redis, prefix: str = KEY_PREFIX):
        self.prefix = prefix
        self._reserve = client.register_script(_RESERVE)
        self._adjust = client.register_script(_ADJUST)
        self._pause = client.register_script(_PAUSE)

    def key(self, op: str, name: str) -> str:
        return f"{self.prefix}:{{{op}}}:{name}"  # {op}: one hash slot per operation (Redis Cluster)

    def reserve(self, op: str, costs: list[tuple[Bucket, float]], max_wait: float) -> tuple[bool, float]:
        keys = [self.key(op, "pause")] + [self.key(op, b.name) for b, _ in costs]
        args: list[float] = [max_wait]
        for bucket, cost in costs:
            args += [bucket.interval, bucket.tau, cost]
        granted, wait = self._reserve(keys=keys, args=args)
        return bool(int(granted)), float(wait)

    def adjust(self, op: str, bucket: Bucket, seconds: float) -> None:
        self._adjust(keys=[self.key(op, bucket.name)], args=[seconds])

    def pause(self, op: str, seconds: float) -> None:
        self._pause(keys=[self.key(op, "pause")], args=[seconds])


def _in_web_request() -> bool:
    from flask import has_request_context

    return has_request_context()


class RateLimiter:
    """acquire() before each provider request; settle() with the real token count; pause() on a 429."""

    def __init__(
        self,
        rates: dict[str, Rate] | None = None,
        redis: Redis | None = None,
        *,
        max_wait: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        prefix: str = KEY_PREFIX,
    ):
        self.rates = rates or {}
        self.max_wait = max_wait
        self.sleep = sleep
        self.local = LocalBackend()
        self.shared = RedisBackend(redis, prefix) if redis is not None else None
        self._retry_redis_at = 0.0
        self._degraded = False

    def buckets(self, op: str) -> list[Bucket]:
        return buckets_for(self.rates.get(op, Rate()))

    def acquire(self, op: str, tokens: int = 0, *, max_wait: float | None = None) -> float:
        """Wait for this request's turn; returns the seconds waited. Raises RateLimited (nothing
        reserved) when the turn is more than `max_wait` away: the caller comes back later."""
        limit = self.max_wait if max_wait is None else max_wait
        if _in_web_request():
            limit = min(limit, WEB_MAX_WAIT_S)
        costs = [(b, 1.0 if b.name == "requests" else float(max(tokens, 0))) for b in self.buckets(op)]
        granted, wait = self._run("reserve", op, costs, limit)
        if not granted:
            raise RateLimited(op, math.ceil(wait))
        if wait > 0:
            self.sleep(wait)
        return wait

    def settle(self, op: str, estimated: int, actual: int) -> None:
        """Correct the tokens reserved by acquire() with what the provider reported using."""
        for bucket in self.buckets(op):
            if bucket.name == "tokens" and actual != estimated:
                self._run("adjust", op, bucket, (actual - estimated) * bucket.interval)

    def pause(self, op: str, seconds: float) -> None:
        """Nobody sends `op` for `seconds` (a provider's Retry-After), in every process."""
        if seconds > 0:
            self._run("pause", op, seconds)

    def _run(self, method: str, *args):
        if self.shared is not None and time.monotonic() >= self._retry_redis_at:
            try:
                result = getattr(self.shared, method)(*args)
            except RedisError as exc:
                self._retry_redis_at = time.monotonic() + REDIS_RETRY_S
                if not self._degraded:
                    self._degraded = True
                    log.warning(
                        "rate limits: Redis unavailable (%s); limiting per process until it is back",
                        type(exc).__name__,
                    )
            else:
                if self._degraded:
                    self._degraded = False
                    log.info("rate limits: Redis is back; limits are shared again")
                return result
        return getattr(self.local, method)(*args)


def limiter_client(redis_url: str) -> Redis:
    """A Redis client that fails in milliseconds: a limit check must never hang a job on an outage."""
    return Redis.from_url(
        redis_url,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
    )


def build_limiter(cfg) -> RateLimiter:
    """The limiter for the configured limits, shared through REDIS_URL."""
    embeddings = Rate(cfg.get("EMBEDDINGS_MAX_RPM"), cfg.get("EMBEDDINGS_MAX_TPM"))
    vectors = Rate(cfg.get("PINECONE_MAX_RPM"))
    rates = {
        "chat": Rate(cfg.get("OPENAI_MAX_RPM"), cfg.get("OPENAI_MAX_TPM")),
        "embeddings": embeddings,
        "vector_upsert": vectors,
        "vector_query": vectors,
    }
    url = cfg.get("REDIS_URL")
    return RateLimiter(
        rates,
        limiter_client(url) if url else None,
        max_wait=float(cfg.get("RATE_LIMIT_MAX_WAIT_S", 10.0)),
    )
