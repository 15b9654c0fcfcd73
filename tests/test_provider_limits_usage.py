"""The paid providers under the shared limiter (429s, Retry-After, tokens) and the usage they report,
through the real SDKs against the local fakes."""

from __future__ import annotations

import uuid

import pytest
from fakes.openai_server import FakeOpenAI
from fakes.pinecone_server import FakePinecone, reset_pinecone_retry_state
from redis import Redis

from app.providers import usage
from app.providers.base import AnalysisRequest, Turn, VectorRecord
from app.providers.errors import ProviderError, RateLimited
from app.providers.openai_embed import OpenAIEmbedder
from app.providers.openai_llm import OpenAIAnalyser
from app.providers.pinecone_store import PineconeStore
from app.providers.ratelimit import Rate, RateLimiter

API_KEY = "sk-test-0123456789abcdef"


class SpyLimiter(RateLimiter):
    """A limiter in memory that remembers what it was told."""

    def __init__(self, rates=None):
        super().__init__(rates or {}, None, sleep=lambda s: None)
        self.settled: list[tuple[str, int, int]] = []
        self.paused: list[tuple[str, float]] = []

    def settle(self, op, estimated, actual):
        self.settled.append((op, estimated, actual))
        super().settle(op, estimated, actual)

    def pause(self, op, seconds):
        self.paused.append((op, seconds))
        super().pause(op, seconds)


@pytest.fixture
def server():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def redis_limiters(redis_url):
    """Limiters sharing one Redis, as two worker processes would."""
    prefix, clients = f"test-oa-{uuid.uuid4().hex[:8]}", []

    def make(**kwargs) -> RateLimiter:
        client = Redis.from_url(redis_url)
        clients.append(client)
        return RateLimiter(kwargs.pop("rates", {}), client, prefix=prefix, sleep=lambda s: None, **kwargs)

    yield make
    for client in clients:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


def analyser(server, limiter=None, **kwargs) -> OpenAIAnalyser:
    options = {"api_key": API_KEY, "model": "gpt-test", "base_url": server.base_url, "timeout": 5.0}
    return OpenAIAnalyser(**(options | kwargs), limiter=limiter)


def request() -> AnalysisRequest:
    return AnalysisRequest(turns=[Turn(role="agent", text="Hello"), Turn(role="user", text="Call me back")])


def test_a_429_is_not_retried_by_the_sdk_and_pauses_every_process(server, redis_limiters):
    server.retry_headers = {}  # only the Retry-After the test gives
    server.fail_next(429, headers={"retry-after": "30"}, path="/v1/chat/completions")
    worker_a = analyser(server, redis_limiters(max_wait=2), max_retries=2)
    worker_b = analyser(server, redis_limiters(max_wait=2), max_retries=2)

    with pytest.raises(RateLimited) as caught:
        worker_a.analyse(request())
    assert 29 <= caught.value.delay <= 30
    assert len(server.chat_requests()) == 1  # the SDK's own retries did not fire

    with pytest.raises(RateLimited):  # the other worker waits too, without asking
        worker_b.analyse(request())
    assert len(server.chat_requests()) == 1


def test_a_short_retry_after_is_waited_out_and_the_request_sent_again(server):
    limiter = SpyLimiter()
    server.fail_next(429, headers={"retry-after-ms": "20"})

    result = analyser(server, limiter, max_retries=2).analyse(request())

    assert result.summary
    assert len(server.chat_requests()) == 2
    assert limiter.paused == [("chat", pytest.approx(0.02))]


def test_429s_beyond_the_retries_send_the_call_back_for_later_not_to_failure(server):
    server.fail_next(429, times=5)  # retry-after-ms: 1 each time

    with pytest.raises(RateLimited) as caught:
        analyser(server, SpyLimiter(), max_retries=1).analyse(request())

    assert len(server.chat_requests()) == 2
    assert caught.value.delay >= 1


def test_an_account_out_of_credit_is_an_error_and_pauses_nobody(server):
    limiter = SpyLimiter()
    server.fail_quota()

    with pytest.raises(ProviderError) as caught:
        analyser(server, limiter, max_retries=2).analyse(request())

    assert not isinstance(caught.value, RateLimited) and caught.value.retryable is False
    assert limiter.paused == []


def test_chat_usage_is_reported_and_corrects_the_token_estimate(server):
    limiter = SpyLimiter({"chat": Rate(tpm=100_000)})
    server.usage = {"prompt_tokens": 1200, "completion_tokens": 80}

    with usage.collect() as used:
        analyser(server, limiter).analyse(request())

    assert used == [usage.Usage("chat", "openai", "gpt-test", 1200, 80)]
    [(op, estimated, actual)] = limiter.settled
    assert (op, actual) == ("chat", 1280) and estimated > 300  # prompt estimate + a reply's worth


def test_tokens_of_a_reply_that_cannot_be_used_are_still_reported(server):
    server.usage = {"prompt_tokens": 900, "completion_tokens": 12}
    server.reply_next_raw("this is not JSON")

    with usage.collect() as used, pytest.raises(ProviderError, match="invalid output"):
        analyser(server).analyse(request())

    assert [(u.input_tokens, u.output_tokens) for u in used] == [(900, 12)]


def test_embedding_usage_is_reported_per_request(server):
    server.usage = {"embedding_tokens": 37}
    embedder = OpenAIEmbedder(
        api_key=API_KEY, base_url=server.base_url, dimensions=8, limiter=SpyLimiter({"embeddings": Rate(60)})
    )

    with usage.collect() as used:
        embedder.embed(["a water leak under the sink"])

    assert used == [usage.Usage("embeddings", "openai", "text-embedding-3-small", 37, 0)]


def test_usage_outside_a_collector_goes_nowhere_and_collectors_do_not_mix(server):
    analyser(server).analyse(request())  # no collector: nothing breaks

    with usage.collect() as outer:
        usage.report(usage.Usage("chat", "openai", "m", 1))
        with usage.collect() as inner:
            usage.report(usage.Usage("chat", "openai", "m", 2))
    assert [u.input_tokens for u in outer] == [1] and [u.input_tokens for u in inner] == [2]


@pytest.mark.parametrize(
    ("tokens", "weights", "parts"),
    [
        (100, [1, 1], [50, 50]),
        (10, [1, 1, 1], [3, 4, 3]),
        (7, [0, 0], [4, 3]),
        (1, [3, 1, 1], [1, 0, 0]),
    ],
)
def test_a_batched_request_is_shared_out_in_whole_tokens(tokens, weights, parts):
    split = usage.split(usage.Usage("embeddings", "openai", "m", tokens), weights)
    assert [p.input_tokens for p in split] == parts
    assert sum(p.input_tokens for p in split) == tokens


def test_pinecone_upserts_and_queries_take_their_turn_and_a_429_pauses_them(redis_limiters):
    reset_pinecone_retry_state()
    with FakePinecone(dimension=2) as server:
        server.retry_headers = {"Retry-After": "0"}
        limiter = redis_limiters(
            rates={"vector_upsert": Rate(rpm=6), "vector_query": Rate(rpm=6)}, max_wait=1
        )
        store = PineconeStore(api_key="pc-test", index_host=server.url, limiter=limiter)
        try:
            store.upsert("tenant-1", [VectorRecord("call-1", [1.0, 0.0])])
            assert store.query("tenant-1", [1.0, 0.0], 1)[0].id == "call-1"  # its own allowance
            with pytest.raises(RateLimited):  # the next upsert is 10 s away
                store.upsert("tenant-1", [VectorRecord("call-2", [0.0, 1.0])])
            assert len(server.requests_to("/vectors/upsert")) == 1

            server.fail_next(429, times=10, headers={"Retry-After": "0"}, path="/query")
            limiter.rates = {}
            with pytest.raises(RateLimited) as caught:  # the SDK's own retries are spent: wait, not fail
                store.query("tenant-1", [1.0, 0.0], 1)
            assert "HTTP 429" in str(caught.value)
            server.clear_faults()
            second = PineconeStore(
                api_key="pc-test", index_host=server.url, limiter=redis_limiters(max_wait=0)
            )
            with pytest.raises(RateLimited):  # every process pauses its queries
                second.query("tenant-1", [1.0, 0.0], 1)
            second.close()
        finally:
            store.close()
