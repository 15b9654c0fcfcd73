"""`flask seed-calls`: a workspace filled with processed, indexed calls and worked callbacks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Agent, Call, Callback, CallbackEvent, LocalVector, User, utcnow
from app.services import accounts
from app.services.vectors import namespace_for, vector_metadata

E164 = re.compile(r"\+[1-9][0-9]{7,14}")


def seed(runner, email: str, count) -> object:
    """The command with a fixed seed: its 50 calls have open and done, urgent and normal callbacks."""
    return runner.invoke(args=["seed-calls", "--count", str(count), "--email", email, "--seed", "1"])


def snapshot(tenant_id: int) -> dict:
    """Everything of one workspace the command could touch."""

    def count(model, *where):
        return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

    return {
        "calls": count(Call, Call.tenant_id == tenant_id),
        "callbacks": count(Callback, Callback.tenant_id == tenant_id),
        "events": count(CallbackEvent, CallbackEvent.tenant_id == tenant_id),
        "agents": count(Agent, Agent.tenant_id == tenant_id),
        "vectors": count(LocalVector, LocalVector.namespace == namespace_for(tenant_id)),
    }


def test_seed_calls_fills_only_that_workspace_with_processed_indexed_calls(runner, auth, client):
    other = accounts.signup("Other Co", "other@seed.test", "correct-horse-1")
    assert seed(runner, "other@seed.test", 10).exit_code == 0
    before = snapshot(other.tenant_id)
    auth.signup("Acme Plumbing", "owner@acme.test")  # signed in: the pages below are the owner's
    owner = db.session.execute(select(User).where(User.email == "owner@acme.test")).scalar_one()

    result = seed(runner, "OWNER@acme.test", 50)  # any case, as at the login

    assert result.exit_code == 0, result.output
    assert "50 / 50 calls" in result.output and "49 processed and 1 failed" in result.output
    tid = owner.tenant_id
    assert snapshot(other.tenant_id) == before
    calls = db.session.execute(select(Call).where(Call.tenant_id == tid)).scalars().all()
    assert len(calls) == 50
    agents = {a.id for a in db.session.execute(select(Agent).where(Agent.tenant_id == tid)).scalars()}
    assert 3 <= len(agents) <= 5 and {c.agent_pk for c in calls} <= agents
    processed = [c for c in calls if c.status == "processed"]
    vectors = set(
        db.session.execute(
            select(LocalVector.id).where(LocalVector.namespace == namespace_for(tid))
        ).scalars()
    )
    assert len(processed) == 49 and len(vectors) == 49
    stored = db.session.execute(
        select(LocalVector).where(LocalVector.id == processed[0].vector_id)
    ).scalar_one()
    assert stored.meta == {k: v for k, v in vector_metadata(processed[0]).items() if v is not None}
    now = utcnow()
    for call in processed:
        assert call.summary and call.sentiment in ("positive", "neutral", "negative") and call.topics
        assert call.embedding and call.indexed_at and call.vector_id in vectors
        assert 10 <= call.turn_count == len(call.transcript) <= 30
        assert now - timedelta(days=91) < call.started_at < now and call.duration_s > 0
        assert E164.fullmatch(call.caller_number) and call.caller_name
    assert {c.language for c in processed} == {"en", "es", "de", "fr"}
    assert len({c.caller_number for c in calls}) < 50  # some callers call again
    [failed] = [c for c in calls if c.status == "failed"]
    assert failed.last_error and failed.failed_step in ("analyse", "embed", "index") and not failed.indexed_at
    assert sum("zeppelin" in c.transcript_text.lower() for c in calls) == 5
    assert sum("boiler" in (c.summary or "").lower() for c in calls) >= 4  # common: ~1 call in 6

    callbacks = db.session.execute(select(Callback).where(Callback.tenant_id == tid)).scalars().all()
    assert {cb.call_id for cb in callbacks} == {c.id for c in processed if c.callback_needed}
    assert callbacks and {cb.state for cb in callbacks} == {"open", "done"}
    for cb in callbacks:
        actions = [e.action for e in cb.events]
        assert actions[0] == "created"
        if cb.state == "done":
            assert cb.outcome and cb.done_at and actions[-1] == "done"
        else:
            assert cb.outcome is None and cb.done_at is None
        if cb.assignee_id:
            assert cb.assignee_id == owner.id and "assigned" in actions
    assert any(cb.priority == "urgent" for cb in callbacks)

    # The pages work on it: the list, a similar-calls fragment from the index, a keyword search.
    call = processed[0]
    assert client.get("/calls").status_code == 200
    similar = client.get(f"/calls/{call.id}/similar", headers={"HX-Request": "true"})
    assert similar.status_code == 200 and "/calls/" in similar.get_data(as_text=True)
    assert "zeppelin" in client.get("/calls?q=zeppelin").get_data(as_text=True).lower()


def test_seeding_twice_adds_calls_beside_the_first_ones(runner):
    user = accounts.signup("Acme Plumbing", "owner@acme.test", "correct-horse-1")
    assert seed(runner, "owner@acme.test", 20).exit_code == 0
    assert seed(runner, "owner@acme.test", 20).exit_code == 0
    assert snapshot(user.tenant_id)["calls"] == 40
    assert snapshot(user.tenant_id)["agents"] == 4  # created once, reused


def test_unknown_email_is_a_clear_error(runner):
    accounts.signup("Acme Plumbing", "owner@acme.test", "correct-horse-1")
    result = seed(runner, "nobody@acme.test", 10)
    assert result.exit_code == 1
    assert "no user with the e-mail 'nobody@acme.test'" in result.output
    assert db.session.execute(select(func.count()).select_from(Call)).scalar_one() == 0


@pytest.mark.parametrize("count", ["0", "-5", "1000001", "10000000000000"])
def test_count_out_of_bounds_is_a_clear_error(runner, count):
    accounts.signup("Acme Plumbing", "owner@acme.test", "correct-horse-1")
    result = seed(runner, "owner@acme.test", count)
    assert result.exit_code == 1
    assert "--count must be between 1 and 1,000,000" in result.output
    assert db.session.execute(select(func.count()).select_from(Call)).scalar_one() == 0


def test_count_must_be_a_number(runner):
    result = seed(runner, "owner@acme.test", "many")
    assert result.exit_code == 2 and "'many' is not a valid integer" in result.output
