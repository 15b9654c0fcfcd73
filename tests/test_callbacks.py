"""A callback is a thing with a life: opened once per call by the pipeline, with its due time, caller,
priority and timeline; retries, re-analysis and concurrent runs never open a second one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from callback_helpers import GAS, callback_of, callbacks_count, flagged_payload
from fakes.receiver import Receiver
from helpers import deliver, gen_workspace, run_jobs, sample_payload
from notify_helpers import BASE_CONFIG, configure, verified
from sqlalchemy import select, update

from app.extensions import db
from app.models import Call, Callback, CallbackEvent, OutboundEvent, Tenant, User
from app.pipeline.process import process_call
from app.services import callbacks


@pytest.fixture
def config_overrides():
    return dict(BASE_CONFIG)


@pytest.fixture
def workspace(auth):
    gen_workspace(auth)
    tenant = db.session.execute(select(Tenant)).scalar_one()
    tenant.timezone = "Europe/London"
    db.session.commit()
    return tenant.id


def _requeue(call_id: int, **values) -> None:
    db.session.execute(update(Call).where(Call.id == call_id).values(status="queued", **values))
    db.session.commit()


def test_a_flagged_call_opens_one_callback_with_its_details(app, client, workspace):
    payload = flagged_payload("conv-gas", GAS, variables={"customer_name": "Maria López"})
    call_id = deliver(client, payload).json["call_id"]
    run_jobs(app)
    callback = callback_of(call_id)
    assert callback is not None and callback.state == "open" and callback.source == "analysis"
    assert callback.priority == "urgent"  # a gas smell
    assert callback.requested_time == "tomorrow morning"
    # Called on Wednesday 25 Nov 2026 10:15 UTC (10:15 in London): due the next day at 09:00 London time.
    assert callback.due_resolved and callback.due_at == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert (callback.caller_number, callback.caller_name) == ("+447700900123", "Maria López")
    assert "gas" in callback.reason
    assert [e.action for e in callback.events] == ["created"]
    call = db.session.get(Call, call_id)
    assert call.callback_urgent is True and call.caller_name == "Maria López"


def test_the_name_the_analysis_heard_is_the_fallback(app, client, workspace):
    call_id = deliver(client, flagged_payload("conv-heard", GAS)).json["call_id"]
    run_jobs(app)
    assert db.session.get(Call, call_id).caller_name == "Maria Lopez"
    assert callback_of(call_id).caller_name == "Maria Lopez"


def test_an_unflagged_call_has_no_callback(app, client, workspace):
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    assert db.session.get(Call, call_id).callback_needed is False
    assert callback_of(call_id) is None


def test_an_unnamed_time_is_due_at_once_and_says_so(app, client, workspace):
    said = "My tap drips. Please call me back when the moon is blue."
    call_id = deliver(client, flagged_payload("conv-moon", said)).json["call_id"]
    run_jobs(app)
    callback = callback_of(call_id)
    assert callback.requested_time is None and callback.due_resolved is False
    assert abs((callback.due_at - callback.created_at).total_seconds()) < 5
    page = client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert "the caller named no time" in page


def test_a_retry_and_a_reanalysis_never_open_a_second_callback(app, client, workspace):
    call_id = deliver(client, flagged_payload("conv-twice")).json["call_id"]
    run_jobs(app)
    first = callback_of(call_id).id
    _requeue(call_id)  # a retry of the whole job
    assert process_call(call_id) == "processed"
    _requeue(call_id, analysed_at=None)  # a re-analysis: the analyse and callback steps run again
    assert process_call(call_id) == "processed"
    assert callbacks_count() == 1 and callback_of(call_id).id == first
    assert len(callback_of(call_id).events) == 1


def test_concurrent_openings_make_one_callback(app, client, workspace):
    """Two workers reaching the callback step of the same call at once (a stale claim taken over)."""
    call_id = deliver(client, flagged_payload("conv-race")).json["call_id"]
    db.session.execute(
        update(Call).where(Call.id == call_id).values(callback_needed=True, callback_reason="call back")
    )
    db.session.commit()
    barrier, results, errors = threading.Barrier(2), [], []

    def worker():
        with app.app_context():
            try:
                call = db.session.get(Call, call_id)
                barrier.wait(timeout=10)
                callback, created = callbacks.open_from_analysis(call)
                db.session.commit()
                results.append((callback.id, created))
            except Exception as exc:  # reported below: a thread's exception would vanish
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len({cid for cid, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    assert callbacks_count() == 1


def test_the_lifecycle_is_recorded_in_the_timeline(app, client, workspace):
    call_id = deliver(client, flagged_payload("conv-life")).json["call_id"]
    run_jobs(app)
    owner = db.session.execute(select(User)).scalar_one()
    callback = callback_of(call_id)
    assert callbacks.assign(callback, str(owner.id), owner) is True
    assert callbacks.assign(callback, str(owner.id), owner) is False  # no change, no timeline line
    callbacks.add_note(callback, "Line busy at 9:05", owner)
    callbacks.mark_done(callback, "left_voicemail", "Left a message", owner)
    callbacks.reopen(callback, None, owner)
    callbacks.assign(callback, "", owner)
    events = db.session.execute(
        select(CallbackEvent).where(CallbackEvent.callback_id == callback.id).order_by(CallbackEvent.id)
    ).scalars()
    lines = [(e.action, e.actor_email, e.assignee_email, e.outcome, e.note) for e in events]
    assert lines == [
        ("created", None, None, None, None),
        ("assigned", owner.email, owner.email, None, None),
        ("note", owner.email, None, None, "Line busy at 9:05"),
        ("done", owner.email, None, "left_voicemail", "Left a message"),
        ("reopened", owner.email, None, None, None),
        ("unassigned", owner.email, None, None, None),
    ]
    callback = callback_of(call_id)
    assert (callback.state, callback.outcome, callback.done_at, callback.assignee_id) == (
        "open",
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda cb, me: callbacks.mark_done(cb, "teleported", None, me), "Choose an outcome"),
        (lambda cb, me: callbacks.mark_done(cb, "reached", "x" * 2001, me), "at most 2000"),
        (lambda cb, me: callbacks.add_note(cb, "   ", me), "Write a note"),
        (lambda cb, me: callbacks.reopen(cb, None, me), "already open"),
        (lambda cb, me: callbacks.assign(cb, "999999", me), "not a member"),
        (lambda cb, me: callbacks.assign(cb, "1 OR 1=1", me), "not a member"),
    ],
)
def test_refused_changes_change_nothing(app, client, workspace, change, message):
    call_id = deliver(client, flagged_payload("conv-refused")).json["call_id"]
    run_jobs(app)
    owner = db.session.execute(select(User)).scalar_one()
    with pytest.raises(callbacks.CallbackError, match=message):
        change(callback_of(call_id), owner)
    db.session.rollback()
    callback = callback_of(call_id)
    assert (callback.state, callback.assignee_id, len(callback.events)) == ("open", None, 1)


def test_a_removed_member_s_callbacks_go_back_to_the_team(app, client, auth, workspace):
    from app.services import accounts

    call_id = deliver(client, flagged_payload("conv-removed")).json["call_id"]
    run_jobs(app)
    owner = db.session.execute(select(User)).scalar_one()
    member = accounts.add_member(workspace, "sam@acme.test", "member", "correct-horse-2")
    callbacks.assign(callback_of(call_id), str(member.id), owner)
    accounts.remove_member(owner, db.session.get(User, member.id))
    callback = callback_of(call_id)
    assert callback.assignee_id is None
    assert callback.events[1].assignee_email == "sam@acme.test"  # the timeline still says who


# --------------------------------------------------------------------------- notifications


@pytest.fixture
def rx():
    with Receiver() as server:
        yield server


def test_created_assigned_and_done_are_announced_after_the_change(app, client, auth, workspace, rx):
    secret = configure(auth, rx.url)
    call_id = deliver(client, flagged_payload("conv-notify", GAS)).json["call_id"]
    run_jobs(app)
    owner = db.session.execute(select(User)).scalar_one()
    callbacks.assign(callback_of(call_id), str(owner.id), owner)
    callbacks.mark_done(callback_of(call_id), "reached", "Booked for Thursday", owner)
    run_jobs(app)
    bodies = [verified(r, secret) for r in rx.requests]
    by_type = {b["type"]: b["data"] for b in bodies}
    assert set(by_type) == {"call.processed", "callback.created", "callback.assigned", "callback.done"}
    created = by_type["callback.created"]
    callback = callback_of(call_id)
    assert created["call_id"] == call_id and created["callback"]["id"] == callback.id
    assert created["caller"] == {"number": "+447700900123", "name": "Maria Lopez"}
    assert created["callback"]["priority"] == "urgent" and created["callback"]["state"] == "open"
    assert created["callback"]["due_at"] == "2026-11-26T09:00:00Z"
    assert created["callback"]["requested_time"] == "tomorrow morning"
    assert by_type["callback.assigned"]["callback"]["assignee"] == {"id": owner.id, "email": owner.email}
    done = by_type["callback.done"]["callback"]
    assert (done["state"], done["outcome"]) == ("done", "reached")


def test_a_failing_notification_never_fails_the_action(app, client, auth, workspace, rx, monkeypatch):
    configure(auth, rx.url)
    call_id = deliver(client, flagged_payload("conv-notify-broken")).json["call_id"]

    def broken(*args, **kwargs):
        raise RuntimeError("bug in the notification code")

    monkeypatch.setattr(callbacks, "notify", broken)
    run_jobs(app)
    assert db.session.get(Call, call_id).status == "processed"
    owner = db.session.execute(select(User)).scalar_one()
    callbacks.mark_done(callback_of(call_id), "reached", None, owner)
    assert callback_of(call_id).state == "done"
    assert db.session.execute(select(OutboundEvent.event_type)).scalars().all() == ["call.processed"]


def test_nav_count_query_counts_open_and_overdue(app, client, workspace):
    ids = [deliver(client, flagged_payload(f"conv-count-{i}")).json["call_id"] for i in range(3)]
    run_jobs(app)
    db.session.execute(
        update(Callback).where(Callback.call_id == ids[0]).values(state="done", outcome="reached")
    )
    db.session.execute(
        update(Callback).where(Callback.call_id == ids[1]).values(due_at=datetime(2099, 1, 1, tzinfo=UTC))
    )
    db.session.commit()
    # ids[2] is due on Friday 27 Nov 2026 14:00: overdue by the time anyone reads this.
    assert callbacks.open_counts(workspace, now=datetime(2030, 1, 1, tzinfo=UTC)) == (2, 1)
    assert callbacks.open_counts(workspace, now=datetime(2026, 11, 25, tzinfo=UTC)) == (2, 0)
