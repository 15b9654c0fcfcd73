"""The size limit through a real gunicorn, plain and chunked: its de-chunked input ends differently from
the test client's, and its environ says the stream is terminated (werkzeug then enforces any limit)."""

from __future__ import annotations

import http.client
import json
import os
from pathlib import Path

import pytest
from bodies import PATH, headers_for, padded_body
from helpers import gen_workspace
from processes import free_port, gunicorn_args, healthy, spawn, stop_tree, tail, wait_for
from sqlalchemy import select

from app.extensions import db
from app.models import WebhookEvent

ROOT = Path(__file__).resolve().parent.parent
SECRET = "whsec_acme_test_secret_0001"


@pytest.fixture
def gunicorn(app, migrated, redis_url, tmp_path):
    """`gunicorn wsgi:app` on a free port, on this test's database; yields its port."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": migrated,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-key",  # the tests' key: it decrypts the workspace's webhook secret
        "LLM_PROVIDER": "offline",
        "EMBEDDINGS_PROVIDER": "offline",
        "VECTOR_STORE": "local",
        "ELEVENLABS_WEBHOOK_SECRET": "",
        "RATELIMIT_ENABLED": "false",
    }
    log = tmp_path / "web.log"
    proc = spawn(gunicorn_args(port, tmp_path, workers=1, threads=2), env, log)
    try:
        wait_for(
            lambda: healthy(f"http://127.0.0.1:{port}"), 30, "gunicorn to serve", lambda: tail(log), proc=proc
        )
        yield port
    finally:
        stop_tree(proc)


def _post(port: int, body: bytes, *, chunked: bool) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = headers_for(body, SECRET)
    try:
        if chunked:
            pieces = (body[i : i + 100_000] for i in range(0, len(body), 100_000))
            conn.request("POST", PATH, body=pieces, headers=headers, encode_chunked=True)
        else:
            conn.request("POST", PATH, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
def test_gunicorn_accepts_the_limit_and_records_one_byte_past_it(app, auth, gunicorn, chunked):
    gen_workspace(auth)
    limit = app.config["WEBHOOK_MAX_BYTES"]
    status, answer = _post(gunicorn, padded_body(limit, conversation_id="conv_at"), chunked=chunked)
    assert (status, answer["status"]) == (202, "accepted"), answer
    status, answer = _post(gunicorn, padded_body(limit + 1, conversation_id="conv_past"), chunked=chunked)
    assert status == 413 and f"{limit} byte limit" in answer["error"], answer
    db.session.rollback()
    events = {e.conversation_id: e for e in db.session.execute(select(WebhookEvent)).scalars()}
    assert (events["conv_at"].outcome, events["conv_at"].body_bytes) == ("accepted", limit)
    past = events["conv_past"]
    assert (past.outcome, past.http_status, past.body_bytes) == ("rejected", 413, limit + 1)
    assert past.signature_valid is True and past.tenant_id is not None
