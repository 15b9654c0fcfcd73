"""PineconeStore driven through the real pinecone SDK against a local fake index."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from fakes.pinecone_server import FakePinecone, data_plane_error, reset_pinecone_retry_state

from app.providers.base import VectorMatch, VectorRecord
from app.providers.errors import ProviderConfigError, ProviderError
from app.providers.pinecone_store import PineconeStore, clean_metadata

API_KEY = "pc-test-key"
DIM = 4


@pytest.fixture
def server():
    reset_pinecone_retry_state()
    with FakePinecone(dimension=DIM, index_name="calldesk") as fake:
        yield fake


@pytest.fixture
def make_store(server):
    made = []

    def make(**kwargs):
        options = {"api_key": API_KEY, "index_host": server.url, "timeout": 5.0}
        store = PineconeStore(**(options | kwargs))
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def no_backoff(monkeypatch):
    """Skip the SDK's sleeps between retries of timeouts and connection errors."""
    monkeypatch.setattr("pinecone._internal.http_client._retry_sleep", lambda seconds: None)


def unit(i: int) -> list[float]:
    return [1.0 if j == i else 0.0 for j in range(DIM)]


# --- configuration ------------------------------------------------------------------------


def test_host_is_looked_up_by_index_name_once(server, make_store):
    store = make_store(index_host="", index_name="calldesk", controller_host=server.url)
    assert server.requests == []  # nothing happens until first use

    store.ping()
    store.ping()

    paths = [r["path"] for r in server.requests]
    assert paths == ["/indexes/calldesk", "/describe_index_stats", "/describe_index_stats"]
    assert all(r["headers"]["api-key"] == API_KEY for r in server.requests)
    assert all(r["headers"]["x-pinecone-api-version"] for r in server.requests)


def test_explicit_host_skips_the_lookup(server, make_store):
    make_store(index_name="calldesk", controller_host="http://127.0.0.1:9").ping()

    assert [r["path"] for r in server.requests] == ["/describe_index_stats"]


def test_unknown_index_name_is_a_config_error(server, make_store):
    store = make_store(index_host="", index_name="nope", controller_host=server.url)

    with pytest.raises(ProviderConfigError, match="'nope' not found"):
        store.ping()


def test_neither_host_nor_name_is_a_config_error():
    with pytest.raises(ProviderConfigError, match="set PINECONE_INDEX_HOST or PINECONE_INDEX_NAME"):
        PineconeStore(api_key=API_KEY)


def test_missing_api_key_is_a_config_error():
    with pytest.raises(ProviderConfigError, match="PINECONE_API_KEY"):
        PineconeStore(api_key="", index_host="http://127.0.0.1:1")


def test_an_injected_index_needs_no_key(server, make_store):
    from pinecone import Pinecone

    pc = Pinecone(api_key=API_KEY)
    index = pc.Index(host=server.url)
    try:
        store = PineconeStore(api_key="", index=index)
        store.upsert("t1", [VectorRecord(id="a", values=unit(0))])
        assert [m.id for m in store.query("t1", unit(0), 1)] == ["a"]
    finally:
        index.close()
        pc.close()


# --- data plane -----------------------------------------------------------------------------


def test_upsert_batches_by_100_into_the_namespace(server, make_store):
    records = [VectorRecord(id=f"call-{i}", values=unit(i % DIM), metadata={"n": i}) for i in range(250)]

    make_store().upsert("tenant-7", records)

    bodies = [r["json"] for r in server.requests_to("/vectors/upsert")]
    assert [len(b["vectors"]) for b in bodies] == [100, 100, 50]
    assert {b["namespace"] for b in bodies} == {"tenant-7"}
    assert bodies[0]["vectors"][0] == {"id": "call-0", "values": unit(0), "metadata": {"n": 0}}
    assert len(server.vectors("tenant-7")) == 250
    assert server.vectors("") == {}


def test_metadata_is_cleaned_before_sending(server, make_store):
    metadata = {
        "tenant": "acme",
        "score": 0.5,
        "count": 3,
        "urgent": True,
        "summary": None,
        "topics": ["billing", None, 7],
        "started": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        "extra": {"b": 1, "a": None},
        "nan": float("nan"),
    }

    make_store().upsert("t1", [VectorRecord(id="call-1", values=unit(1), metadata=metadata)])

    sent = server.requests_to("/vectors/upsert")[0]["json"]["vectors"][0]["metadata"]
    assert sent == {
        "tenant": "acme",
        "score": 0.5,
        "count": 3,
        "urgent": True,
        "topics": ["billing", "7"],
        "started": "2026-01-02T03:04:00+00:00",
        "extra": '{"a": null, "b": 1}',
        "nan": "nan",
    }
    assert None not in sent.values()


def test_empty_metadata_is_omitted():
    assert clean_metadata(None) == {}
    assert clean_metadata({"a": None}) == {}


def test_query_returns_cosine_matches_from_the_namespace_only(server, make_store):
    store = make_store()
    store.upsert(
        "t1",
        [
            VectorRecord(id="same", values=[1.0, 0.0, 0.0, 0.0], metadata={"k": "v"}),
            VectorRecord(id="close", values=[1.0, 1.0, 0.0, 0.0]),
            VectorRecord(id="far", values=[0.0, 0.0, 0.0, 1.0]),
        ],
    )
    store.upsert("t2", [VectorRecord(id="other-tenant", values=[1.0, 0.0, 0.0, 0.0])])

    matches = store.query("t1", [2.0, 0.0, 0.0, 0.0], top_k=2)

    assert [m.id for m in matches] == ["same", "close"]
    assert matches[0] == VectorMatch(id="same", score=pytest.approx(1.0), metadata={"k": "v"})
    assert matches[1].score == pytest.approx(0.70710678, abs=1e-6)
    body = server.requests_to("/query")[0]["json"]
    assert body["namespace"] == "t1" and body["topK"] == 2 and body["includeMetadata"] is True
    assert store.query("t1", unit(0), top_k=0) == []


def test_delete_is_batched_and_idempotent(server, make_store):
    store = make_store()
    store.upsert("t1", [VectorRecord(id=f"v{i}", values=unit(0)) for i in range(3)])

    store.delete("t1", ["v0", "v1"])
    assert list(server.vectors("t1")) == ["v2"]

    store.delete("t1", ["v2"])
    store.delete("t1", ["v2"])  # the namespace is gone now: Pinecone answers 404, which is fine
    store.delete("t1", [])
    ids = [f"x{i}" for i in range(2500)]
    store.delete("t9", ids)

    bodies = [r["json"] for r in server.requests_to("/vectors/delete")]
    assert bodies[0] == {"namespace": "t1", "ids": ["v0", "v1"]}
    assert [len(b["ids"]) for b in bodies[3:]] == [1000, 1000, 500]


def test_check_passes_on_matching_dimension(server, make_store):
    make_store().check(DIM)

    assert server.requests_to("/describe_index_stats")


def test_check_names_both_dimensions_on_mismatch(make_store):
    with pytest.raises(ProviderConfigError) as caught:
        make_store().check(1536)

    assert caught.value.retryable is False
    assert f"index dimension is {DIM}" in str(caught.value) and "1536" in str(caught.value)


# --- faults ---------------------------------------------------------------------------------


def test_service_unavailable_is_retried_by_the_sdk_then_succeeds(server, make_store):
    server.fail_next(503, times=2)

    make_store().ping()

    assert len(server.requests) == 3


def test_service_unavailable_after_the_sdk_retries_is_retryable(server, make_store):
    server.fail_next(503, times=10)

    with pytest.raises(ProviderError) as caught:
        make_store().upsert("t1", [VectorRecord(id="a", values=unit(0))])

    assert caught.value.retryable is True
    assert caught.value.provider == "pinecone"
    assert "HTTP 503" in str(caught.value)
    assert len(server.requests) == 4  # 1 + the SDK's 3 retries


def test_rate_limit_is_retryable(server, make_store):
    server.fail_next(429, times=10)

    with pytest.raises(ProviderError) as caught:
        make_store().query("t1", unit(0), 3)

    assert caught.value.retryable is True and "HTTP 429" in str(caught.value)


def test_wrong_api_key_is_not_retryable(server, make_store):
    server.api_key = "pc-right-key"

    with pytest.raises(ProviderConfigError) as caught:
        make_store().ping()

    assert caught.value.retryable is False
    assert "HTTP 401" in str(caught.value) and "Invalid API Key" in str(caught.value)
    assert len(server.requests) == 1


def test_bad_request_is_not_retryable_and_keeps_the_message(make_store):
    with pytest.raises(ProviderError) as caught:
        make_store().upsert("t1", [VectorRecord(id="a", values=[1.0, 2.0])])

    assert caught.value.retryable is False
    assert "Vector dimension 2 does not match the dimension of the index 4" in str(caught.value)


def test_server_side_not_found_on_query_is_not_retryable(server, make_store):
    server.fail_next(404, data_plane_error(5, "Index not found"), path="/query")

    with pytest.raises(ProviderError) as caught:
        make_store().query("t1", unit(0), 1)

    assert caught.value.retryable is False and "Index not found" in str(caught.value)


def test_timeout_is_retryable(server, make_store, no_backoff):
    server.delay_next(1.0, times=4)
    started = time.monotonic()

    with pytest.raises(ProviderError) as caught:
        make_store(timeout=0.2).ping()

    assert caught.value.retryable is True
    assert "timed out" in str(caught.value)
    assert len(server.requests) == 4
    assert time.monotonic() - started < 2


def test_connection_refused_is_retryable(no_backoff):
    closed = FakePinecone().start()
    closed.stop()
    store = PineconeStore(api_key=API_KEY, index_host=closed.url, timeout=1.0)
    try:
        with pytest.raises(ProviderError) as caught:
            store.ping()
    finally:
        store.close()

    assert caught.value.retryable is True
    assert "connection error" in str(caught.value)


def test_client_side_validation_is_not_retryable(make_store):
    with pytest.raises(ProviderError) as caught:
        make_store().upsert("t1", [VectorRecord(id="", values=unit(0))])

    assert caught.value.retryable is False
