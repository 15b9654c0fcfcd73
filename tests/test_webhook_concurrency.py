"""Deliveries that arrive together, while the worker writes, are all stored at once: no 503 "database
locked" on SQLite (the development and default test database), as on PostgreSQL; a writer waits
for another's lock; a savepoint belongs to the transaction around it (app/sqlite_transactions.py)."""

from __future__ import annotations

import contextlib
import threading

from helpers import deliver, gen_workspace, sample_payload
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Call, WebhookEvent
from app.pipeline.process import process_call


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_concurrent_deliveries_while_the_worker_writes_are_all_stored_at_once(app, auth):
    """Each delivery in its own thread, app context and session; the worker processes calls meanwhile."""
    gen_workspace(auth)
    earlier = [deliver(app.test_client(), sample_payload(conversation_id=f"earlier_{i}")) for i in range(3)]
    assert [r.status_code for r in earlier] == [202] * 3
    answers: dict[str, list[int]] = {"new": [], "same": []}
    worker_results: list[str] = []
    errors: list[BaseException] = []
    distinct, repeats, rounds = 8, 4, 2

    def send(kind: str, conversation_id: str, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            answers[kind].append(
                deliver(app.test_client(), sample_payload(conversation_id=conversation_id)).status_code
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    def work(call_ids: list[int], barrier: threading.Barrier) -> None:
        """What the worker does (claim, steps, commits, heartbeat) on its own connection."""
        try:
            with app.app_context():
                barrier.wait()
                worker_results.extend(process_call(call_id) for call_id in call_ids)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    for r in range(rounds):
        barrier = threading.Barrier(distinct + repeats + 1)
        threads = [
            threading.Thread(target=send, args=("new", f"conv_{r}_{i}", barrier)) for i in range(distinct)
        ]
        threads += [
            threading.Thread(target=send, args=("same", f"conv_same_{r}", barrier)) for _ in range(repeats)
        ]
        ids = [resp.json["call_id"] for resp in earlier] if r == 0 else []
        threads.append(threading.Thread(target=work, args=(ids, barrier)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)

    assert errors == []
    assert answers["new"] == [202] * (distinct * rounds), answers  # no 503 "database locked", no 500
    # one conversation sent `repeats` times at once, each round: one call, the others duplicates
    assert sorted(answers["same"]) == [200] * ((repeats - 1) * rounds) + [202] * rounds, answers
    assert worker_results == ["processed"] * 3
    assert _count(Call) == 3 + rounds * (distinct + 1)
    assert _count(Call, Call.status == "processed") == 3
    assert _count(WebhookEvent) == 3 + rounds * (distinct + repeats)
    assert _count(WebhookEvent, WebhookEvent.http_status >= 500) == 0


@contextlib.contextmanager
def _another_writer_holding_the_lock(app, call_id: int, seconds: float = 0.5):
    """Another connection writes (the worker's pattern: read the call, then update it) and holds
    its transaction, hence SQLite's write lock, until `seconds` after the block has started."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with app.app_context():
            db.session.get(Call, call_id)
            db.session.execute(update(Call).where(Call.id == call_id).values(summary="held"))
            holding.set()
            release.wait(10)
            db.session.commit()
            db.session.remove()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    threading.Timer(seconds, release.set).start()  # what is done in the block must wait this long
    try:
        yield
    finally:
        release.set()
        holder.join(10)
    assert db.session.execute(select(Call.summary).where(Call.id == call_id)).scalar_one() == "held"


def test_a_delivery_waits_for_a_write_in_progress_instead_of_failing(app, auth):
    """Another connection holds the write lock for a moment (as a worker's step does): the delivery
    waits for it (SQLite) or does not need it (PostgreSQL), and is accepted."""
    gen_workspace(auth)
    first = deliver(app.test_client(), sample_payload(conversation_id="conv_held"))
    with _another_writer_holding_the_lock(app, first.json["call_id"]):
        resp = deliver(app.test_client(), sample_payload(conversation_id="conv_waiting"))
    assert resp.status_code == 202, resp.json
    assert _count(Call, Call.conversation_id == "conv_waiting") == 1


def test_a_transaction_that_reads_then_writes_waits_for_another_writer(app, auth):
    """The lock upgrade that failed at once ("database is locked", SQLite does not wait there): a
    transaction (begun by a savepoint, as a service's begin_nested() may) reads, then writes, while
    another connection holds the write lock for a moment. It must wait and succeed."""
    gen_workspace(auth)
    held, mine = (
        deliver(app.test_client(), sample_payload(conversation_id=f"conv_{i}")).json["call_id"]
        for i in (1, 2)
    )
    with _another_writer_holding_the_lock(app, held), app.app_context():
        with db.session.begin_nested():
            db.session.execute(select(Call.summary).where(Call.id == mine)).all()
            db.session.execute(update(Call).where(Call.id == mine).values(summary="mine"))
        db.session.commit()
        db.session.remove()
    assert db.session.execute(select(Call.summary).where(Call.id == mine)).scalar_one() == "mine"


def test_a_savepoint_is_part_of_the_transaction_around_it(app, auth):
    """A savepoint (begin_nested(), as opening a callback uses) is released inside its transaction:
    rolling that back takes the row with it (on SQLite, a savepoint that began the transaction used
    to commit on release)."""
    gen_workspace(auth)
    stored = deliver(app.test_client(), sample_payload(conversation_id="conv_template"))
    template = db.session.get(Call, stored.json["call_id"])
    tenant_id, agent_pk = template.tenant_id, template.agent_pk
    db.session.commit()  # nothing open: the savepoint below is the first statement of a transaction
    with db.session.begin_nested():
        db.session.add(
            Call(
                tenant_id=tenant_id,
                agent_pk=agent_pk,
                conversation_id="conv_rolled_back",
                external_agent_id="a",
            )
        )
    db.session.rollback()
    assert _count(Call, Call.conversation_id == "conv_rolled_back") == 0
