"""Every delivery is recorded; good ones become one queued Call and one job; bad ones get a clear 4xx."""

from __future__ import annotations

import json

import pytest
from helpers import deliver, gen_workspace, sample_payload, seed_payload
from sqlalchemy import select

from app.extensions import db
from app.models import Call, WebhookEvent
from app.services.jobs import get_queue

SECRET = "whsec_acme_test_secret_0001"


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


def _last_event() -> WebhookEvent:
    return db.session.execute(select(WebhookEvent).order_by(WebhookEvent.id.desc())).scalars().first()


def test_real_payload_is_accepted_stored_and_enqueued(client, workspace):
    resp = deliver(client, sample_payload())
    assert resp.status_code == 202
    assert resp.json["status"] == "accepted"
    call = db.session.get(Call, resp.json["call_id"])
    assert call.status == "queued"
    assert call.conversation_id == "conv_0101k2example"
    assert [t["role"] for t in call.transcript] == ["agent", "user", "agent", "user"]
    assert call.transcript[1] == {
        "role": "user",
        "text": "My kitchen sink is leaking under the cabinet.",
        "t": 3.0,
    }
    assert call.transcript[2]["tools"] == ["book_visit"]
    assert call.duration_s == 41 and call.direction == "inbound"
    assert call.caller_number == "+15550002" and call.agent_number == "+15550001"
    assert call.started_at.timestamp() == 1764399950
    assert call.elevenlabs_analysis["transcript_summary"].startswith("Caller reported a leaking")
    assert call.enqueued_at is not None
    assert get_queue().job_ids == [f"call-{call.id}"]
    event = _last_event()
    assert (event.outcome, event.http_status, event.call_id) == ("accepted", 202, call.id)
    assert json.loads(event.body) == sample_payload()
    assert event.headers["elevenlabs-signature"].startswith("t=")


def test_both_paths_accept(client, workspace):
    assert (
        deliver(client, sample_payload(conversation_id="c1"), path="/api/webhooks/elevenlabs").status_code
        == 202
    )
    assert deliver(client, sample_payload(conversation_id="c2")).status_code == 202


def test_seed_format_is_accepted(client, workspace):
    resp = deliver(client, seed_payload())
    assert resp.status_code == 202
    call = db.session.get(Call, resp.json["call_id"])
    assert call.turn_count == 5
    assert call.transcript[3]["text"] == "That sounds good. Can someone call me back tomorrow to finalize?"
    assert call.transcript[3]["t"] is None


def test_duplicate_delivery_creates_no_second_call_and_no_second_job(client, workspace):
    first = deliver(client, sample_payload())
    second = deliver(client, sample_payload())
    assert second.status_code == 200
    assert second.json == {"status": "duplicate", "call_id": first.json["call_id"]}
    assert db.session.query(Call).count() == 1
    assert get_queue().count == 1
    assert [e.outcome for e in db.session.execute(select(WebhookEvent)).scalars()] == [
        "accepted",
        "duplicate",
    ]


def test_unknown_agent_is_404_json_and_recorded(client, workspace):
    resp = deliver(client, sample_payload(agent_id="agent_nobody"))
    assert resp.status_code == 404
    assert "unknown agent_id" in resp.json["error"]
    event = _last_event()
    assert (event.outcome, event.http_status, event.agent_id, event.tenant_id) == (
        "rejected",
        404,
        "agent_nobody",
        None,
    )
    assert db.session.query(Call).count() == 0


@pytest.mark.parametrize(
    ("raw", "status", "fragment"),
    [
        (b"{not json", 400, "malformed JSON"),
        (b"\xff\xfe\x00garbage", 400, "malformed JSON"),
        (b"[1, 2]", 400, "expected a JSON object"),
        (b'{"data": 5}', 422, "data: expected an object"),
        (b'{"type": "post_call_transcription", "data": {"conversation_id": "x"}}', 422, "data.agent_id"),
        (b'{"data": {"agent_id": 123, "conversation_id": "x"}}', 422, "data.agent_id"),
        (
            b'{"data": {"agent_id": "agent_7101k2example", "conversation_id": "x", "transcript": "hello"}}',
            422,
            "data.transcript",
        ),
        (b'{"data": {"agent_id": "agent_7101k2example", "conversation_id": 7}}', 422, "data.conversation_id"),
        (
            b'{"data": {"agent_id": "agent_7101k2example", "conversation_id": "x", '
            b'"metadata": {"call_duration_secs": NaN}}}',
            400,
            "malformed JSON",
        ),
        (b"[" * 100000, 400, "malformed JSON"),
    ],
)
def test_malformed_bodies_get_a_clear_4xx_and_are_recorded(client, workspace, raw, status, fragment):
    resp = deliver(client, None, SECRET, raw=raw)
    assert resp.status_code == status, resp.json
    assert fragment in resp.json["error"]
    event = _last_event()
    assert event.outcome == "rejected" and fragment in event.reason
    assert event.body_bytes == len(raw)
    assert db.session.query(Call).count() == 0


def test_oversized_body_is_413_and_only_64kb_is_kept(client, workspace, app):
    app.config["WEBHOOK_MAX_BYTES"] = 200_000
    payload = sample_payload()
    payload["data"]["padding"] = "x" * 300_000
    resp = deliver(client, payload)
    assert resp.status_code == 413
    assert "200000 byte limit" in resp.json["error"]
    event = _last_event()
    assert event.outcome == "rejected" and event.body_truncated
    assert len(event.body) == 64 * 1024
    assert event.body_bytes > 300_000


# call_initiation_failure is a missed call now: tests/test_missed_calls.py
@pytest.mark.parametrize("kind", ["post_call_audio", "some_future_event"])
def test_other_event_types_are_recorded_and_acknowledged_not_processed(client, workspace, kind):
    payload = {
        "type": kind,
        "event_timestamp": "1764400000",
        "data": {
            "agent_id": "agent_7101k2example",
            "conversation_id": "conv_x",
            "failure_reason": "busy",
            "full_audio": "SUQz" * 1000,
        },
    }
    resp = deliver(client, payload)
    assert resp.status_code == 200
    assert resp.json["status"] == "ignored"
    event = _last_event()
    assert (event.outcome, event.event_type) == ("ignored", kind)
    assert db.session.query(Call).count() == 0
    assert get_queue().count == 0


def test_nulls_unknown_fields_and_tool_only_turns_are_tolerated(client, workspace):
    payload = sample_payload(metadata=None, analysis=None, brand_new_field={"x": 1}, agent_name=None)
    payload["event_timestamp"] = "2025-11-29T07:00:00Z"
    payload["data"]["transcript"].append(
        {
            "role": "agent",
            "message": None,
            "time_in_call_secs": 20,
            "tool_calls": [{"tool_name": "end_call"}],
            "new_thing": True,
        }
    )
    payload["data"]["transcript"].append({"role": None, "message": None})
    resp = deliver(client, payload)
    assert resp.status_code == 202
    call = db.session.get(Call, resp.json["call_id"])
    assert call.transcript[-1] == {"role": "agent", "text": "", "t": 20.0, "tools": ["end_call"]}
    assert call.started_at is None and call.duration_s is None


def test_nul_characters_and_lone_surrogates_are_stored_safely(client, workspace):
    raw = (
        b'{"data": {"agent_id": "agent_7101k2example", "conversation_id": "conv_nul", '
        b'"transcript": [{"role": "user", "message": "hi\\u0000 there \\ud800"}]}}'
    )
    resp = deliver(client, None, SECRET, raw=raw)
    assert resp.status_code == 202
    call = db.session.get(Call, resp.json["call_id"])
    assert "\x00" not in call.transcript[0]["text"]
    assert call.transcript[0]["text"].startswith("hi")


def test_conversation_id_longer_than_the_column_is_rejected(client, workspace):
    resp = deliver(client, sample_payload(conversation_id="c" * 500))
    assert resp.status_code == 422
    assert "data.conversation_id" in resp.json["error"]


def test_webhook_needs_no_csrf_token_and_no_login(client, workspace):
    client.post("/logout")  # no token: refused, but irrelevant to the webhook
    assert deliver(client, sample_payload()).status_code == 202


def test_a_call_stored_but_never_enqueued_is_found_by_the_next_sweep(client, workspace, monkeypatch):
    """The call is committed with `enqueued_at` stamped (one commit per delivery); should the web
    process die before the job exists, the sweep's lost-job check enqueues it."""
    from app.services.jobs import job_id, sweep
    from app.webhooks import ingest

    monkeypatch.setattr(ingest, "enqueue_call", lambda *args, **kwargs: None)  # died right after commit
    resp = deliver(client, sample_payload())
    assert resp.status_code == 202
    call = db.session.get(Call, resp.json["call_id"])
    assert call.status == "queued" and call.enqueued_at is not None
    assert get_queue().job_ids == []
    assert sweep() == 1
    assert get_queue().job_ids == [job_id(call.id)]


def test_an_accepted_delivery_costs_three_statements_and_one_commit(app, client, workspace):
    """The hot path: the agent, the call (INSERT .. ON CONFLICT, no savepoint), the record; one commit."""
    from sqlalchemy import event as sa_event

    deliver(client, sample_payload(conversation_id="warm-up"))
    seen: list[str] = []

    def statement(conn, cursor, text, params, context, many):
        seen.append(text.split(None, 1)[0].upper())

    def commit(conn):
        seen.append("COMMIT")

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", statement)
    sa_event.listen(engine, "commit", commit)
    try:
        first = deliver(client, sample_payload(conversation_id="counted"))
        assert first.status_code == 202
        assert seen == ["SELECT", "INSERT", "INSERT", "COMMIT"]
        seen.clear()
        again = deliver(client, sample_payload(conversation_id="counted"))
        assert (again.status_code, again.json["call_id"]) == (200, first.json["call_id"])
        assert seen == ["SELECT", "INSERT", "SELECT", "INSERT", "COMMIT"]  # the repeat looks the winner up
    finally:
        sa_event.remove(engine, "before_cursor_execute", statement)
        sa_event.remove(engine, "commit", commit)
    assert len(db.session.execute(select(Call).where(Call.conversation_id == "counted")).scalars().all()) == 1


def test_a_conflict_whose_winner_is_gone_asks_for_a_retry_and_is_recorded(client, workspace, monkeypatch):
    """The insert met a conflicting row that was deleted before the lookup: 409, recorded, nothing stored."""
    from sqlalchemy import false

    from app.webhooks import ingest

    nothing = select(Call.id).where(false())  # what INSERT .. ON CONFLICT DO NOTHING returns on a conflict
    monkeypatch.setattr(ingest, "_INSERT_CALL", dict.fromkeys(ingest._INSERT_CALL, nothing))
    resp = deliver(client, sample_payload(conversation_id="vanished"))
    assert resp.status_code == 409
    assert "retry" in resp.json["error"]
    event = _last_event()
    assert (event.outcome, event.http_status, event.call_id) == ("rejected", 409, None)
    assert db.session.execute(select(Call).where(Call.conversation_id == "vanished")).first() is None
