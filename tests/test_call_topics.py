"""call_topics, what /analytics counts top topics from: one row per call and distinct non-empty text
topic, filled when the pipeline stores an analysis and by the seeder, rewritten when a call's topics
or time change, removed with the call, backfilled by its migration, and per workspace."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_migrate import downgrade, upgrade
from helpers import deliver, gen_workspace, run_jobs, sample_payload
from sqlalchemy import event, select

from app.extensions import db
from app.models import Call, CallTopic, User
from app.models.call_topic import TOPIC_CHARS
from app.services import accounts
from app.services.analytics import Period, Scope
from app.services.analytics.calls import top_topics

BEFORE = "a7c41e2b9d10"  # the revision before call_topics
NOV = Period(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("UTC"))


def rows(call_id: int) -> set[tuple]:
    found = db.session.execute(
        select(CallTopic.tenant_id, CallTopic.agent_pk, CallTopic.at, CallTopic.topic).where(
            CallTopic.call_id == call_id
        )
    )
    return {tuple(r) for r in found}


def new_call(tenant_id: int, conv: str, topics, started=datetime(2026, 11, 3, 9, tzinfo=UTC)) -> Call:
    call = Call(
        tenant_id=tenant_id,
        conversation_id=conv,
        external_agent_id="agent_x",
        started_at=started,
        topics=topics,
    )
    db.session.add(call)
    db.session.flush()
    return call


def tenant_of(email: str) -> int:
    return db.session.execute(select(User.tenant_id).where(User.email == email)).scalar_one()


def test_processing_a_call_fills_its_topics(client, auth, app):
    gen_workspace(auth)
    call_id = deliver(client, sample_payload()).json["call_id"]
    assert rows(call_id) == set()
    run_jobs(app)
    db.session.expire_all()
    call = db.session.get(Call, call_id)
    assert call.status == "processed" and call.topics
    at = call.started_at or call.created_at
    assert rows(call_id) == {(call.tenant_id, call.agent_pk, at, t) for t in call.topics}


def test_only_distinct_non_empty_text_topics_count_and_changes_rewrite_them(app):
    tid = accounts.signup("Acme", "a@acme.test", "correct-horse-1").tenant_id
    long = "x" * (TOPIC_CHARS + 50)
    call = new_call(tid, "c1", ["boiler", "", "boiler", 7, None, ["nested"], " ", long])
    at = call.started_at
    assert rows(call.id) == {
        (tid, None, at, "boiler"),
        (tid, None, at, " "),
        (tid, None, at, long[:TOPIC_CHARS]),
    }

    call.topics = ["billing"]  # re-analysis
    db.session.flush()
    assert rows(call.id) == {(tid, None, at, "billing")}

    call.started_at = None  # the call's time falls back to when it reached us
    db.session.flush()
    assert rows(call.id) == {(tid, None, call.created_at, "billing")}

    call.status = "failed"  # other columns leave the rows alone
    db.session.flush()
    assert rows(call.id) == {(tid, None, call.created_at, "billing")}

    assert rows(new_call(tid, "c2", {"not": "a list"}).id) == set()
    call_id = call.id
    db.session.delete(call)
    db.session.commit()
    assert rows(call_id) == set()


def test_a_first_analysis_adds_rows_without_a_delete_and_later_changes_still_rewrite_them(app):
    """A call whose topics were empty has no rows: the pipeline's first analysis skips the DELETE
    (one statement per call); when the earlier value is not known, the rows are rewritten."""
    tid = accounts.signup("Acme", "a@acme.test", "correct-horse-1").tenant_id
    call = new_call(tid, "c1", None)
    deletes = []

    def seen(conn, cursor, statement, *args):
        if statement.startswith("DELETE FROM call_topics"):
            deletes.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        call.topics = ["boiler"]
        db.session.flush()
        assert rows(call.id) == {(tid, None, call.started_at, "boiler")}
        assert deletes == []
        db.session.commit()
        db.session.expire(call)  # the earlier value is no longer known
        call.topics = []
        db.session.flush()
        assert rows(call.id) == set()
        assert len(deletes) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def test_seeding_fills_call_topics(runner, app):
    accounts.signup("Acme", "a@acme.test", "correct-horse-1")
    result = runner.invoke(args=["seed-calls", "--count", "30", "--email", "a@acme.test", "--seed", "1"])
    assert result.exit_code == 0, result.output
    calls = db.session.execute(select(Call).where(Call.tenant_id == tenant_of("a@acme.test"))).scalars().all()
    assert len(calls) == 30 and any(c.topics for c in calls)
    for call in calls:
        at = call.started_at or call.created_at
        assert rows(call.id) == {(call.tenant_id, call.agent_pk, at, t) for t in set(call.topics)}


def test_the_migration_backfills_existing_calls(app):
    tid = accounts.signup("Acme", "a@acme.test", "correct-horse-1").tenant_id
    ids = [
        new_call(tid, f"c{i}", topics).id for i, topics in enumerate((["a", "b", "a", "", 3], [], None, "a"))
    ]
    db.session.commit()
    expected = {i: rows(i) for i in ids}
    assert expected[ids[0]] and not any(expected[i] for i in ids[1:])

    db.session.remove()
    downgrade(revision=BEFORE)
    upgrade()

    assert {i: rows(i) for i in ids} == expected


def test_top_topics_count_only_the_workspace_and_agent_asked_for(app):
    acme = accounts.signup("Acme", "a@acme.test", "correct-horse-1").tenant_id
    beta = accounts.signup("Beta", "b@beta.test", "correct-horse-1").tenant_id
    new_call(acme, "a1", ["boiler", "billing"])
    new_call(acme, "a2", ["boiler"])
    new_call(acme, "a3", ["boiler"], started=datetime(2026, 12, 1, tzinfo=UTC))  # after the period
    for i in range(3):
        new_call(beta, f"b{i}", ["billing", "leak"])
    db.session.commit()
    assert top_topics(Scope(acme, NOV)) == [("boiler", 2), ("billing", 1)]
    assert top_topics(Scope(beta, NOV)) == [("billing", 3), ("leak", 3)]
    assert top_topics(Scope(acme, NOV, agent_pk=10**6)) == []
