"""The shared provider rate limiter: even spacing, tokens, 429 pauses, sharing between processes
(two limiter objects on one Redis stand for two processes), and the per-process fallback."""

from __future__ import annotations

import logging
import socket
import uuid

import pytest
from flask import Flask
from redis import Redis

from app.providers.errors import RateLimited
from app.providers.ratelimit import LocalBackend, Rate, RateLimiter, build_limiter, limiter_client


class Sleeps(list):
    """A sleep that records how long it was asked to wait, and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def prefix():
    return f"test-rl-{uuid.uuid4().hex[:8]}"


def _factory(redis_url: str | None, prefix: str, clients: list):
    def make_limiter(rates: dict, **kwargs) -> RateLimiter:
        client = Redis.from_url(redis_url) if redis_url else None
        if client is not None:
            clients.append(client)
        return RateLimiter(rates, client, sleep=kwargs.pop("sleep", Sleeps()), prefix=prefix, **kwargs)

    return make_limiter


def _cleanup(clients: list, prefix: str) -> None:
    for client in clients:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


@pytest.fixture(params=["redis", "memory"])
def make(request, redis_url, prefix):
    """Limiters on one shared Redis, or (the fallback) each in its own memory: same behaviour."""
    clients: list = []
    yield _factory(redis_url if request.param == "redis" else None, prefix, clients)
    _cleanup(clients, prefix)


@pytest.fixture
def shared(redis_url, prefix):
    """Limiters on one Redis: each stands for another worker process."""
    clients: list = []
    yield _factory(redis_url, prefix, clients)
    _cleanup(clients, prefix)


def test_requests_are_spaced_evenly_at_the_limit(make):
    sleeps = Sleeps()
    limiter = make({"chat": Rate(rpm=60)}, sleep=sleeps)

    waits = [limiter.acquire("chat") for _ in range(4)]

    assert waits[0] == 0
    # each request takes the next one-second slot: no burst
    for n, wait in enumerate(waits[1:], start=1):
        assert n - 0.2 < wait <= n
    assert sleeps == waits[1:]  # the limiter sleeps the wait itself


def test_a_turn_too_far_away_raises_and_reserves_nothing(make):
    limiter = make({"chat": Rate(rpm=6)})  # one request every 10 s
    limiter.acquire("chat")

    with pytest.raises(RateLimited) as caught:
        limiter.acquire("chat", max_wait=2)
    assert 9 <= caught.value.delay <= 10
    assert caught.value.retryable is True

    # the refused request took no slot: the next one gets the same turn, not the one after
    assert 9 < limiter.acquire("chat", max_wait=20) <= 10


def test_tokens_per_minute_pace_requests_and_are_corrected_by_real_usage(make):
    limiter = make({"chat": Rate(tpm=6000)})  # 100 tokens a second, one second of burst

    assert limiter.acquire("chat", tokens=300) == 0
    with pytest.raises(RateLimited) as caught:
        limiter.acquire("chat", tokens=300, max_wait=0)
    assert 1.5 < caught.value.delay <= 2  # 300 tokens = 3 s of budget, 1 s of it may go ahead

    limiter.settle("chat", estimated=300, actual=100)  # the reply says it used only 100
    assert limiter.acquire("chat", tokens=300, max_wait=0) == 0


def test_operations_have_their_own_limits(make):
    limiter = make({"chat": Rate(rpm=1), "embeddings": Rate(rpm=1)})
    limiter.acquire("chat")

    assert limiter.acquire("embeddings", max_wait=0) == 0
    assert limiter.acquire("vector_query", max_wait=0) == 0  # no limit set
    with pytest.raises(RateLimited):
        limiter.acquire("chat", max_wait=0)


def test_a_pause_from_a_429_holds_back_every_request_of_the_operation(make):
    limiter = make({})  # even without limits: a provider's Retry-After is honoured

    limiter.pause("chat", 30)

    with pytest.raises(RateLimited) as caught:
        limiter.acquire("chat", max_wait=5)
    assert 29 <= caught.value.delay <= 30
    assert limiter.acquire("embeddings", max_wait=0) == 0


def test_two_processes_share_one_limit_through_redis(shared):
    first, second = shared({"chat": Rate(rpm=60)}), shared({"chat": Rate(rpm=60)})

    assert first.acquire("chat") == 0
    assert 0.8 < second.acquire("chat") <= 1.0  # second takes the slot after first's
    first.pause("chat", 20)
    with pytest.raises(RateLimited):
        second.acquire("chat", max_wait=5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_redis_down_limits_hold_per_process_and_the_outage_is_logged_once(caplog):
    limiter = RateLimiter(
        {"chat": Rate(rpm=60)}, limiter_client(f"redis://127.0.0.1:{_closed_port()}/0"), sleep=Sleeps()
    )
    caplog.set_level(logging.INFO, logger="calldesk.ratelimit")

    waits = [limiter.acquire("chat") for _ in range(3)]

    assert waits[0] == 0 and 0.8 < waits[1] <= 1.0 and 1.8 < waits[2] <= 2.0  # still limited, in memory
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
    assert "per process" in warnings[0].getMessage()


def test_redis_is_tried_again_after_an_outage(shared, prefix, monkeypatch, caplog):
    from app.providers import ratelimit

    limiter, other = shared({"chat": Rate(rpm=60)}), shared({"chat": Rate(rpm=60)})
    real = limiter.shared
    limiter.shared = ratelimit.RedisBackend(limiter_client(f"redis://127.0.0.1:{_closed_port()}/0"), prefix)
    caplog.set_level(logging.INFO, logger="calldesk.ratelimit")
    limiter.acquire("chat")  # Redis "down": counted in memory

    limiter.shared = real  # Redis "back"
    monkeypatch.setattr(ratelimit, "REDIS_RETRY_S", 0.0)
    limiter._retry_redis_at = 0.0
    assert limiter.acquire("chat") == 0  # the first request Redis sees
    assert 0.8 < other.acquire("chat") <= 1.0  # shared again
    assert any("shared again" in r.getMessage() for r in caplog.records)


def test_a_page_never_waits_more_than_two_seconds():
    limiter = RateLimiter({"embeddings": Rate(rpm=20)}, None, sleep=Sleeps(), max_wait=30)
    limiter.acquire("embeddings")

    with Flask(__name__).test_request_context("/search"), pytest.raises(RateLimited) as caught:
        limiter.acquire("embeddings")
    assert caught.value.delay == 3  # the next turn, 3 s away: a page says "try again" instead

    assert 2.5 < limiter.acquire("embeddings") <= 3.0  # a job waits for it


def test_limits_come_from_the_settings():
    limiter = build_limiter(
        {
            "OPENAI_MAX_RPM": 500,
            "OPENAI_MAX_TPM": 200_000,
            "EMBEDDINGS_MAX_RPM": 3000,
            "EMBEDDINGS_MAX_TPM": None,
            "PINECONE_MAX_RPM": 600,
            "REDIS_URL": "",
            "RATE_LIMIT_MAX_WAIT_S": 7.5,
        }
    )

    assert limiter.rates["chat"] == Rate(500, 200_000)
    assert limiter.rates["embeddings"] == Rate(3000, None)
    assert limiter.rates["vector_upsert"] == limiter.rates["vector_query"] == Rate(600, None)
    assert limiter.max_wait == 7.5 and limiter.shared is None
    assert [b.name for b in limiter.buckets("chat")] == ["requests", "tokens"]
    assert limiter.buckets("vector_upsert")[0].interval == pytest.approx(0.1)


def test_the_memory_backend_follows_its_clock():
    now = [100.0]
    backend = LocalBackend(clock=lambda: now[0])
    limiter = RateLimiter({"chat": Rate(rpm=60)}, None, sleep=Sleeps())
    limiter.local = backend

    assert limiter.acquire("chat") == 0
    now[0] += 1.0  # a second later the next slot is free
    assert limiter.acquire("chat") == 0
