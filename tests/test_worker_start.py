"""The worker refuses to start on a misconfiguration it can see, and says what is wrong."""

from __future__ import annotations

from fakes.pinecone_server import FakePinecone, reset_pinecone_retry_state
from helpers import worker_burst


def test_worker_exits_when_index_dimension_differs_from_embeddings(app, migrated, redis_url):
    reset_pinecone_retry_state()
    with FakePinecone(dimension=16) as fake:
        done = worker_burst(
            migrated,
            redis_url,
            VECTOR_STORE="pinecone",
            PINECONE_API_KEY="pc-test",
            PINECONE_INDEX_HOST=fake.url,
        )
    assert done.returncode != 0
    assert "configuration error" in done.stderr
    assert "16" in done.stderr and "640" in done.stderr


def test_worker_exits_when_a_required_key_is_missing(app, migrated, redis_url):
    done = worker_burst(migrated, redis_url, LLM_PROVIDER="openai")
    assert done.returncode != 0
    assert "OPENAI_API_KEY is not set" in done.stderr
