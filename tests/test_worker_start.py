"""The worker refuses to start on a misconfiguration it can see, and says what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fakes.pinecone_server import FakePinecone, reset_pinecone_retry_state

ROOT = Path(__file__).resolve().parent.parent


def _worker_env(migrated, redis_url, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PINECONE_"))}
    env.update(DATABASE_URL=migrated, REDIS_URL=redis_url, SECRET_KEY="test-secret-key", **extra)
    return env


def test_worker_exits_when_index_dimension_differs_from_embeddings(app, migrated, redis_url):
    reset_pinecone_retry_state()
    with FakePinecone(dimension=16) as fake:
        env = _worker_env(
            migrated,
            redis_url,
            LLM_PROVIDER="offline",
            EMBEDDINGS_PROVIDER="offline",
            VECTOR_STORE="pinecone",
            PINECONE_API_KEY="pc-test",
            PINECONE_INDEX_HOST=fake.url,
        )
        done = subprocess.run(
            [sys.executable, "worker.py", "--burst"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode != 0
    assert "configuration error" in done.stderr
    assert "16" in done.stderr and "384" in done.stderr


def test_worker_exits_when_a_required_key_is_missing(app, migrated, redis_url):
    env = _worker_env(
        migrated, redis_url, LLM_PROVIDER="openai", EMBEDDINGS_PROVIDER="offline", VECTOR_STORE="local"
    )
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "OPENAI_API_KEY is not set" in done.stderr
