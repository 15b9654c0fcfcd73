"""What one job costs: statements, commits, change-marker moves and Redis round trips, counted.

Counts, not times (the speed goal lives in bench/worker_throughput.py): each number here is work the
worker does per call, and a change that adds a round trip to every call shows up as a failure.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from helpers import deliver, gen_workspace, sample_payload
from rq.exceptions import StopRequested
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Call, utcnow
from app.pipeline.heartbeat import Heartbeat
from app.pipeline.inprocess import make_worker
from app.pipeline.process import process_call
from app.providers import Providers, get_providers
from app.services import changes
from app.services.jobs import get_queue, redis_conn


@pytest.fixture
def config_overrides():
    return {"HEARTBEAT_INTERVAL_S": 60}  # its thread's own UPDATEs would be counted with the job's


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


class Counted:
    """Statements and commits on the app's engine, and change-marker moves, inside the block."""

    def __init__(self, monkeypatch):
        self.statements: list[str] = []
        self.commits = 0
        self.bumps: list[int] = []
        bump = changes.bump
        monkeypatch.setattr(
            changes, "bump", lambda tenant_id: (self.bumps.append(tenant_id), bump(tenant_id))
        )

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._statement)
        event.listen(db.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._statement)
        event.remove(db.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, *args):
        self.statements.append(" ".join(statement.split()[:4]))

    def _commit(self, conn):
        self.commits += 1
        self.statements.append("COMMIT")

    def transactions(self) -> list[list[str]]:
        """The statements, one list per commit."""
        return [t.strip("\n").split("\n") for t in "\n".join(self.statements).split("COMMIT")[:-1]]


def test_a_job_claims_and_loads_the_call_in_one_statement_and_commits_three_times(
    client, workspace, app, monkeypatch
):
    """Claim (loads the call), analysis (paid: durable before the embedding is asked for), then the
    embedding, the local vector and the outcome together; the marker moves at the claim and the end."""
    call_id = deliver(client, sample_payload()).json["call_id"]
    db.session.remove()
    with Counted(monkeypatch) as counted:
        assert process_call(call_id) == "processed"
    assert counted.commits == 3, counted.statements
    assert not [s for s in counted.statements if s.startswith("SELECT") and "calls" in s], (
        "the claim's UPDATE ... RETURNING loads the call: no reload"
    )
    work = [s for s in counted.statements if s != "COMMIT" and "synchronous_commit" not in s]
    # The local vector (version, row, tombstones) is one statement on PostgreSQL, three on SQLite.
    assert len(work) <= (7 if db.engine.dialect.name == "postgresql" else 9), "\n".join(counted.statements)
    claimed, analysed, finished = counted.transactions()
    assert claimed[0].startswith("UPDATE calls") and len(claimed) <= 2
    relaxed = [any("synchronous_commit" in s for s in t) for t in (claimed, analysed, finished)]
    if db.engine.dialect.name == "postgresql":
        assert relaxed == [True, False, True], "the paid analysis waits for the disk, the others do not"
    else:
        assert relaxed == [False, False, False]
    tenant_id = db.session.get(Call, call_id).tenant_id
    assert counted.bumps == [tenant_id, tenant_id]


def test_a_call_another_worker_holds_is_not_claimed_and_nothing_is_written(
    client, workspace, app, monkeypatch
):
    call_id = deliver(client, sample_payload()).json["call_id"]
    db.session.execute(
        update(Call).where(Call.id == call_id).values(status="processing", heartbeat_at=utcnow())
    )
    db.session.commit()  # a live worker's call: its heartbeat is fresh
    with Counted(monkeypatch) as counted:
        assert process_call(call_id) == "skipped (processing)"
    assert counted.bumps == []
    assert not [s for s in counted.statements if s.startswith(("INSERT", "DELETE"))]


class _RemoteStore:
    """A vector store outside the database (as Pinecone is) that looks, at each upsert, at what other
    connections can see of the call: the embedding must be committed before it is called."""

    name = "remote-test"

    def __init__(self, call_id: int):
        self.call_id = call_id
        self.committed_at_upsert = None

    def upsert(self, namespace, records):
        with Session(db.engine) as other:
            self.committed_at_upsert = other.execute(
                select(Call.embedded_at).where(Call.id == self.call_id)
            ).scalar_one()


def test_the_embedding_is_committed_before_a_remote_index_is_called(client, workspace, app):
    call_id = deliver(client, sample_payload()).json["call_id"]
    real = get_providers()
    store = _RemoteStore(call_id)
    app.extensions["calldesk_providers"] = Providers(llm=real.llm, embedder=real.embedder, vectors=store)
    db.session.remove()
    assert process_call(call_id) == "processed"
    assert store.committed_at_upsert is not None, "a crash in the upsert would pay for the embedding again"


def test_a_failed_local_index_write_keeps_the_analysis_and_rolls_back_the_rest(
    client, workspace, app, monkeypatch
):
    """The embedding, the local vector and the outcome share a commit: what fails there is redone
    (the embedding, for the price of one embeddings request); the paid analysis is kept."""
    call_id = deliver(client, sample_payload()).json["call_id"]
    store = get_providers().vectors

    def broken(namespace, records):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "write", broken)
    db.session.remove()
    assert process_call(call_id) == "failed"  # outside RQ: no retries left
    db.session.remove()
    call = db.session.get(Call, call_id)
    assert (call.status, call.failed_step) == ("failed", "index")
    assert call.analysed_at is not None and call.summary
    assert call.embedded_at is None and call.indexed_at is None


def test_one_heartbeat_thread_stamps_job_after_job(client, workspace, app):
    """A thread per process (not one started and joined per job) stamps the calls its jobs hold."""
    ids = [
        deliver(client, sample_payload(conversation_id=f"conv-beat-{n}")).json["call_id"] for n in range(2)
    ]
    old = utcnow() - timedelta(hours=1)
    db.session.execute(update(Call).where(Call.id.in_(ids)).values(status="processing", heartbeat_at=old))
    db.session.commit()
    before = {t.ident for t in threading.enumerate()}
    beaters = []
    for call_id in ids:
        with Heartbeat(call_id, 0.05):
            time.sleep(0.3)
            beaters.append({t.ident for t in threading.enumerate() if t.name == "call-heartbeat"} - before)
    assert len(beaters[0]) == 1 and beaters[1] == beaters[0], beaters
    stamped = select(func.count()).where(Call.id.in_(ids), Call.heartbeat_at > old)
    assert db.session.execute(stamped).scalar_one() == 2


# --------------------------------------------------------------------------- the worker's Redis round trips


def _round_trips(monkeypatch) -> list[int]:
    from redis.connection import AbstractConnection

    count = [0]
    original = AbstractConnection.send_packed_command

    def counting(conn, command, check_health=True):
        count[0] += 1
        return original(conn, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return count


def test_a_job_costs_the_in_process_worker_at_most_ten_redis_round_trips(client, workspace, app, monkeypatch):
    """RQ's bookkeeping (finish with its dependents check, idle, dequeue, fetch, start: 8) and the
    change marker's two moves; the loop's own checks (heartbeat, suspension, registration) share
    one round trip per turn."""
    import app.pipeline.process as process

    for n in range(3):
        deliver(client, sample_payload(conversation_id=f"conv-cost-{n}"))
    count = _round_trips(monkeypatch)
    starts = []
    run = process.process_call
    monkeypatch.setattr(process, "process_call", lambda call_id: (starts.append(count[0]), run(call_id))[1])
    conn = redis_conn()
    make_worker([get_queue(conn)], conn).work(burst=True, logging_level="WARNING")
    assert len(starts) == 3
    per_job = (starts[2] - starts[0]) / 2  # from one job's start to the next one's, in a running worker
    assert per_job <= 10, per_job
    assert db.session.execute(select(func.count()).where(Call.status == "processed")).scalar_one() == 3


def test_a_job_that_depends_on_another_still_runs_once_the_other_succeeds(app):
    """The worker reads a finished job's dependents inside the transaction that ends it (RQ's own
    check, before that transaction, cost two round trips per job): what depends on it still runs."""
    conn = redis_conn()
    queue = get_queue(conn)
    first = queue.enqueue(len, "abc")
    second = queue.enqueue(len, "abcd", depends_on=first)
    assert second.get_status() == "deferred"
    make_worker([queue], conn).work(burst=True, logging_level="WARNING")
    assert (first.get_status(), second.get_status()) == ("finished", "finished")
    assert (first.return_value(), second.return_value()) == (3, 4)
    assert first.latest_result().type.name == "SUCCESSFUL"


def test_a_worker_redis_forgot_registers_again_and_a_suspension_still_holds_it(app):
    conn = redis_conn()
    worker = make_worker([get_queue(conn)], conn)
    worker.register_birth()
    conn.srem(worker.redis_workers_keys, worker.key)  # as after a Redis restart that lost it
    worker.check_for_suspension(burst=True)
    assert conn.sismember(worker.redis_workers_keys, worker.key)
    conn.set("rq:suspended", 1)
    with pytest.raises(StopRequested):
        worker.check_for_suspension(burst=True)  # burst mode: a suspended worker stops
    worker.register_death()
