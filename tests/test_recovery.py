"""Recovery: a worker killed mid-job, Redis down while calls arrive, the database down at ingest.

SLOW (about 15 s): starts real `python worker.py` processes and private `redis-server` processes
(`redis-server` must be on PATH). Speed goals (webhook latency with Redis down) are measured in
bench/webhook_latency.py, not asserted here.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

import pytest
from fakes.openai_server import FakeOpenAI
from fakes.pinecone_server import FakePinecone, reset_pinecone_retry_state
from helpers import deliver, gen_workspace, run_jobs, seed_payload, worker_burst
from processes import Workers, alive, descendants, free_port, kill_tree, wait_for, worker_env
from sqlalchemy import func, select, update

from app import create_app
from app.extensions import db
from app.models import Call, WebhookEvent, utcnow
from app.pipeline.process import process_call
from app.services import jobs as jobs_module
from app.services.jobs import get_queue, request_redis, sweep

# Worker settings for the SIGKILL test: a dead worker is noticed after STALE_PROCESSING_S without a
# heartbeat, by a sweep that runs every SWEEP_INTERVAL_S.
HEARTBEAT_INTERVAL_S = 0.5
STALE_PROCESSING_S = 3
SWEEP_INTERVAL_S = 1
CHAT_DELAY_S = 8.0  # the first analysis request hangs this long: worker A is mid-job when killed
RECOVERY_TIMEOUT_S = 30.0  # kill -> processed, worker B's start-up included


# --------------------------------------------------------------------------- helpers


def _call_state(call_id: int) -> dict:
    """The call's row as the database has it now (and no transaction left open: SQLite writers wait)."""
    row = db.session.execute(
        select(Call.status, Call.attempts, Call.enqueued_at, Call.processed_at, Call.last_error).where(
            Call.id == call_id
        )
    ).one()
    db.session.rollback()
    return row._asdict()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def config_overrides(private_redis):
    return {"REDIS_URL": private_redis.url, "JOB_RETRY_INTERVALS": [0]}


# --------------------------------------------------------------------------- a. SIGKILL mid-job


@pytest.mark.parametrize("mode", ["in-process", "fork"])
def test_worker_killed_mid_job_is_recovered_by_another_worker(
    app, client, auth, migrated, private_redis, tmp_path, mode
):
    """Worker A is SIGKILLed while the call's analysis request is in flight (the job runs in A's own
    process, as a job that crashed the interpreter would take it down; with `--fork`, A and its RQ
    work horse, which RQ puts in a process group of its own); worker B, started just before, takes
    the call over with no further action.

    Recovery interval = STALE_PROCESSING_S + SWEEP_INTERVAL_S = 3 s + 1 s = 4 s after A's last
    heartbeat (HEARTBEAT_INTERVAL_S = 0.5 s): B's sweeper then sees a stale `processing` call, drops
    the dead job and enqueues a new one, which claims the call (attempt 2) and finishes it. The bound
    asserted (30 s from the kill) also covers B's start-up.
    """
    gen_workspace(auth)
    reset_pinecone_retry_state()
    with FakeOpenAI() as openai_fake, FakePinecone(dimension=8) as pinecone_fake:
        openai_fake.delay_next(CHAT_DELAY_S, path="/v1/chat/completions")
        reply = deliver(client, seed_payload(conversation_id="conv-sigkill-001"))
        assert reply.status_code == 202, reply.json
        call_id = reply.json["call_id"]
        tenant_id = db.session.get(Call, call_id).tenant_id
        db.session.rollback()

        env = worker_env(
            migrated,
            private_redis.url,
            RQ_QUEUE=app.config["RQ_QUEUE"],
            JOB_RETRY_INTERVALS="0",
            LLM_PROVIDER="openai",
            EMBEDDINGS_PROVIDER="openai",
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=openai_fake.base_url,
            OPENAI_EMBEDDING_DIMENSIONS=8,
            VECTOR_STORE="pinecone",
            PINECONE_API_KEY="pc-test",
            PINECONE_INDEX_HOST=pinecone_fake.url,
            PINECONE_INDEX_NAME="",
            PINECONE_CONTROLLER_HOST="",
            HEARTBEAT_INTERVAL_S=HEARTBEAT_INTERVAL_S,
            STALE_PROCESSING_S=STALE_PROCESSING_S,
            SWEEP_INTERVAL_S=SWEEP_INTERVAL_S,
        )
        workers = Workers(env, tmp_path)
        try:
            worker_a = workers.start("A", *(["--fork"] if mode == "fork" else []))

            def a_is_mid_job() -> bool:
                assert worker_a.poll() is None, f"worker A exited early\n{workers.logs()}"
                return _call_state(call_id)["status"] == "processing" and bool(openai_fake.chat_requests())

            wait_for(a_is_mid_job, 60, "worker A to be mid-job", workers.logs)
            # RQ's work horse calls os.setpgrp(): it leads its own process group, so killing worker
            # A's group alone would leave it running (it would finish the job). Kill the whole tree.
            horses = [pid for pid in descendants(worker_a.pid) if os.getpgid(pid) == pid]
            assert len(horses) == (1 if mode == "fork" else 0), f"work horses under worker A: {horses}"

            workers.start("B")
            killed = kill_tree(worker_a)
            killed_at = time.monotonic()
            assert set(horses) <= set(killed)
            wait_for(
                lambda: not any(alive(pid) for pid in killed),
                5,
                "worker A and its work horse to be gone",
                lambda: str({pid: alive(pid) for pid in killed}),
            )
            assert _call_state(call_id)["status"] == "processing"  # A died holding the call

            state = wait_for(
                lambda: (s := _call_state(call_id))["status"] in ("processed", "failed") and s,
                RECOVERY_TIMEOUT_S,
                f"call {call_id} to be processed after worker A was killed",
                lambda: f"{_call_state(call_id)}\n{workers.logs()}",
            )
            recovered_in = time.monotonic() - killed_at
            assert workers.procs["B"].poll() is None, workers.logs()
        finally:
            workers.stop_all()

        assert state["status"] == "processed", f"{state}\n{workers.logs()}"
        assert state["attempts"] == 2, f"{state}\n{workers.logs()}"
        # taken over only once A's last heartbeat (at most HEARTBEAT_INTERVAL_S before the kill) went stale
        assert recovered_in >= STALE_PROCESSING_S - HEARTBEAT_INTERVAL_S - 0.2, recovered_in
        vectors = pinecone_fake.vectors(f"tenant-{tenant_id}")
        assert list(vectors) == [f"call-{call_id}"]
        assert sum(len(ns) for ns in pinecone_fake.namespaces.values()) == 1
        assert len(openai_fake.chat_requests()) == 2  # A's (killed in flight) and B's


# --------------------------------------------------------------------------- b. Redis outage at ingest


class TestRedisOutageAtIngest:
    """Calls that arrive while Redis is down are accepted, kept in the database and enqueued by the
    sweeper once Redis is back: each exactly once."""

    N = 5

    def _deliver_during_outage(self, client, count: int, prefix: str) -> list[int]:
        ids = []
        for i in range(count):
            reply = deliver(client, seed_payload(conversation_id=f"{prefix}-{i:03d}"))
            assert reply.status_code == 202, reply.json
            assert reply.json["status"] == "accepted"
            ids.append(reply.json["call_id"])
        for call_id in ids:
            state = _call_state(call_id)
            assert (state["status"], state["enqueued_at"]) == ("queued", None), state
            accepted = db.session.execute(
                select(func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.call_id == call_id, WebhookEvent.outcome == "accepted")
            ).scalar_one()
            db.session.rollback()
            assert accepted == 1
        return ids

    def test_request_path_client_fails_fast(self, app):
        client = request_redis()
        kwargs = client.connection_pool.connection_kwargs
        assert kwargs["socket_timeout"] is not None and kwargs["socket_timeout"] <= 0.5
        assert kwargs["socket_connect_timeout"] is not None and kwargs["socket_connect_timeout"] <= 0.5
        assert kwargs["retry"].get_retries() == 0
        assert not kwargs.get("retry_on_timeout")
        assert client is request_redis()  # cached per app, not built per delivery

    def test_calls_accepted_during_outage_are_enqueued_once_by_the_sweeper(
        self, app, client, auth, private_redis
    ):
        gen_workspace(auth)
        private_redis.stop()
        ids = self._deliver_during_outage(client, self.N, "conv-outage")
        expected = sorted(f"call-{call_id}" for call_id in ids)

        private_redis.start()  # same port, empty: Redis knows nothing about these calls
        queue = get_queue()
        assert queue.count == 0
        assert sweep() == self.N
        assert sorted(queue.job_ids) == expected
        assert all(_call_state(call_id)["enqueued_at"] is not None for call_id in ids)

        assert sweep() == 0  # nothing left to do: no second job for any call
        assert sorted(queue.job_ids) == expected

        run_jobs(app)
        for call_id in ids:
            state = _call_state(call_id)
            assert (state["status"], state["attempts"]) == ("processed", 1), state
        assert queue.count == 0

    def test_worker_started_after_the_outage_processes_everything(
        self, app, client, auth, migrated, private_redis
    ):
        """`python worker.py --burst`: its start-up sweep finds the calls Redis never heard of."""
        gen_workspace(auth)
        private_redis.stop()
        ids = self._deliver_during_outage(client, 3, "conv-outage-burst")
        private_redis.start()
        assert get_queue().count == 0  # without the start-up sweep there would be nothing to run

        queue_name = app.config["RQ_QUEUE"]
        done = worker_burst(migrated, private_redis.url, RQ_QUEUE=queue_name, JOB_RETRY_INTERVALS=0)
        assert done.returncode == 0, done.stdout + done.stderr
        for call_id in ids:
            state = _call_state(call_id)
            assert (state["status"], state["attempts"]) == ("processed", 1), f"{state}\n{done.stderr}"
        assert get_queue().count == 0


# --------------------------------------------------------------------------- c. database down


@pytest.mark.parametrize(
    "database_uri",
    [
        pytest.param("postgresql+psycopg://postgres@127.0.0.1:1/x", id="postgresql-closed-port"),
        pytest.param("sqlite:///{tmp}/no-such-dir/calldesk.db", id="sqlite-unopenable-file"),
    ],
)
def test_webhook_answers_503_with_retry_after_when_the_database_is_down(database_uri, tmp_path):
    down = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_uri.format(tmp=tmp_path),
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # never reached
            "RATELIMIT_ENABLED": False,
            "LLM_PROVIDER": "offline",
            "EMBEDDINGS_PROVIDER": "offline",
            "VECTOR_STORE": "local",
            "ELEVENLABS_WEBHOOK_SECRET": "",
        }
    )
    try:
        reply = deliver(down.test_client(), seed_payload(conversation_id="conv-db-down"))
        assert reply.status_code == 503, reply.get_data(as_text=True)
        assert int(reply.headers["Retry-After"]) > 0
        assert reply.is_json
        assert reply.json["status"] == "error"
        assert "storage" in reply.json["error"] and "unavailable" in reply.json["error"]
    finally:
        with down.app_context():
            db.engine.dispose()


# --------------------------------------------------------------------------- sweep vs. a fast worker


def _process_in_own_context(app, call_id: int) -> None:
    with app.app_context():
        try:
            process_call(call_id)
        finally:
            db.session.remove()


def test_sweep_does_not_overwrite_a_call_a_worker_took_meanwhile(app, client, auth, monkeypatch):
    """sweep() re-enqueues a stale `processing` call and only then commits status='queued'. A worker
    that picks the new job up in between (here: runs it to the end) must not have its outcome
    overwritten by that late commit."""
    gen_workspace(auth)
    call_id = deliver(client, seed_payload(conversation_id="conv-sweep-race")).json["call_id"]
    db.session.execute(
        update(Call)
        .where(Call.id == call_id)
        .values(status="processing", attempts=1, heartbeat_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()

    real_enqueue = jobs_module.enqueue_call

    def enqueue_then_fast_worker(call, connection=None, **kwargs):
        enqueued = real_enqueue(call, connection, **kwargs)
        worker = threading.Thread(target=_process_in_own_context, args=(app, call.id))
        worker.start()
        worker.join(timeout=60)
        return enqueued

    monkeypatch.setattr(jobs_module, "enqueue_call", enqueue_then_fast_worker)
    assert sweep() == 1
    state = _call_state(call_id)
    assert state["processed_at"] is not None and state["attempts"] == 2  # the worker did finish it
    assert state["status"] == "processed", state


# --------------------------------------------------------------------------- severed connections


def _sever_database_connections() -> None:
    """What a PostgreSQL restart does to the web's pool: a connection of its own (not from the pool)
    terminates every other backend of this database, so every pooled connection is dead underneath."""
    import psycopg

    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_deliveries_and_pages_survive_a_database_that_dropped_every_connection(app, client, auth):
    """After a database restart the pool's connections are dead: the next delivery must still be
    202 (stored once), a repeat 200, and the staff pages must load, with no 500 or 503. (Fails with
    `pool_pre_ping` off.) SQLite, a file with no server, has no connections to drop: .ci/run runs it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database server whose connections can be dropped (PostgreSQL)")
    gen_workspace(auth)
    assert deliver(client, seed_payload(conversation_id="conv-before")).status_code == 202
    assert client.get("/calls").status_code == 200
    db.session.remove()
    _sever_database_connections()
    reply = deliver(client, seed_payload(conversation_id="conv-after"))
    assert reply.status_code == 202, reply.get_data(as_text=True)
    again = deliver(client, seed_payload(conversation_id="conv-after"))
    assert (again.status_code, again.json["call_id"]) == (200, reply.json["call_id"])
    assert client.get("/calls").status_code == 200
    stored = db.session.execute(select(Call.conversation_id).order_by(Call.id)).scalars().all()
    assert stored == ["conv-before", "conv-after"]
