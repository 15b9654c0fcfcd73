"""Outbound events: signed delivery to a local receiver, retries, refusals, and the pipeline's hook."""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from fakes.receiver import Receiver
from helpers import deliver, gen_workspace, run_jobs, sample_payload
from notify_helpers import BASE_CONFIG, SECRET_RE, configure, verified
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select, update
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.extensions import db
from app.models import Call, DeliveryAttempt, OutboundEvent, Tenant
from app.notifications import call_data, notify, save_settings, service, sweep_events
from app.notifications.events import encode


@pytest.fixture
def config_overrides(request):
    return {**BASE_CONFIG, **getattr(request, "param", {})}


@pytest.fixture
def rx():
    with Receiver() as server:
        yield server


@pytest.fixture
def tenant_id(auth):
    gen_workspace(auth)
    return db.session.execute(select(Tenant.id)).scalar_one()


def _attempts(event_id: int) -> list[DeliveryAttempt]:
    db.session.expire_all()
    stmt = select(DeliveryAttempt).where(DeliveryAttempt.event_id == event_id).order_by(DeliveryAttempt.id)
    return list(db.session.execute(stmt).scalars())


def _event(event_id: int) -> OutboundEvent:
    db.session.expire_all()
    return db.session.get(OutboundEvent, event_id)


def test_an_event_is_delivered_signed_in_the_standard_webhooks_format(app, auth, tenant_id, rx):
    secret = configure(auth, rx.url)
    event_id = notify(tenant_id, "test", {"message": "hello"})
    run_jobs(app)
    [request] = rx.requests
    payload = verified(request, secret)
    assert payload["type"] == "test" and payload["data"] == {"message": "hello"}
    assert datetime.fromisoformat(payload["timestamp"]).tzinfo is not None
    assert request["headers"]["content-type"] == "application/json"
    assert request["headers"]["webhook-id"] == _event(event_id).msg_id
    assert request["headers"]["webhook-signature"].startswith("v1,")
    [attempt] = _attempts(event_id)
    assert (attempt.number, attempt.http_status, attempt.outcome, attempt.error) == (
        1,
        200,
        "delivered",
        None,
    )
    assert _event(event_id).status == "delivered" and _event(event_id).finished_at is not None


def test_a_signature_made_with_another_secret_does_not_verify(app, auth, tenant_id, rx):
    configure(auth, rx.url)
    notify(tenant_id, "test", {})
    run_jobs(app)
    other = "whsec_" + "QUJD" * 11
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(rx.requests[0]["body"], rx.requests[0]["headers"])


def test_a_500_is_retried_until_the_receiver_accepts_with_the_same_id(app, auth, tenant_id, rx):
    secret = configure(auth, rx.url)
    rx.replies = [500, 503]
    event_id = notify(tenant_id, "test", {"n": 1})
    run_jobs(app)
    assert len(rx.requests) == 3
    assert len({r["headers"]["webhook-id"] for r in rx.requests}) == 1  # receivers dedupe on it
    assert all(verified(r, secret)["data"] == {"n": 1} for r in rx.requests)
    attempts = _attempts(event_id)
    assert [(a.number, a.http_status, a.outcome) for a in attempts] == [
        (1, 500, "retrying"),
        (2, 503, "retrying"),
        (3, 200, "delivered"),
    ]
    assert _event(event_id).status == "delivered"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422, 302])
def test_a_client_error_or_redirect_is_not_retried(app, auth, tenant_id, rx, status):
    configure(auth, rx.url)
    rx.replies = [status]
    event_id = notify(tenant_id, "test", {})
    run_jobs(app)
    assert len(rx.requests) == 1
    [attempt] = _attempts(event_id)
    assert (attempt.http_status, attempt.outcome) == (status, "failed")
    assert _event(event_id).status == "failed"
    if status == 302:
        assert attempt.error == "redirects are not followed: set the final URL"


@pytest.mark.parametrize("status", [408, 429, 500, 502])
def test_timeouts_rate_limits_and_server_errors_are_retried(app, auth, tenant_id, rx, status):
    configure(auth, rx.url)
    rx.replies = [status]
    event_id = notify(tenant_id, "test", {})
    run_jobs(app)
    assert [a.http_status for a in _attempts(event_id)] == [status, 200]


def test_retries_stop_after_the_configured_intervals(app, auth, tenant_id, rx):
    configure(auth, rx.url)
    rx.replies = [500] * 10
    event_id = notify(tenant_id, "test", {})
    run_jobs(app)
    assert len(rx.requests) == 4  # the first try and one retry per NOTIFY_RETRY_INTERVALS entry
    assert [a.outcome for a in _attempts(event_id)] == ["retrying"] * 3 + ["failed"]
    assert _event(event_id).status == "failed"


def test_an_unreachable_receiver_is_retried_then_marked_failed(app, auth, tenant_id):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    configure(auth, f"http://127.0.0.1:{port}/gone")
    event_id = notify(tenant_id, "test", {})
    run_jobs(app)
    attempts = _attempts(event_id)
    assert len(attempts) == 4
    assert all(a.http_status is None and "ConnectError" in a.error for a in attempts)
    assert attempts[-1].outcome == "failed"


@pytest.mark.parametrize("config_overrides", [{"OUTBOUND_ALLOW_PRIVATE": False}], indirect=True)
def test_a_private_url_is_refused_at_delivery_and_not_retried(app, tenant_id, rx):
    # Stored while the server allowed private addresses (or by hand): the job still refuses it.
    save_settings(tenant_id, rx.url, None)
    event_id = notify(tenant_id, "test", {})
    run_jobs(app)
    assert rx.requests == []
    [attempt] = _attempts(event_id)
    assert attempt.outcome == "failed" and "only public addresses" in attempt.error


def test_nothing_is_recorded_or_queued_without_a_url(app, tenant_id, rx):
    assert notify(tenant_id, "call.processed", {"call_id": 1}) is None
    assert db.session.execute(select(OutboundEvent)).first() is None
    from app.services.jobs import get_queue

    assert get_queue().count == 0


def test_unknown_event_types_are_a_programming_error(app, tenant_id):
    with pytest.raises(ValueError, match="unknown event type"):
        notify(tenant_id, "callback.exploded", {})


def test_a_processed_call_is_announced(app, client, auth, rx):
    gen_workspace(auth)
    secret = configure(auth, rx.url)
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    [request] = rx.requests
    payload = verified(request, secret)
    call = db.session.get(Call, call_id)
    assert payload["type"] == "call.processed"
    data = payload["data"]
    assert data["call_id"] == call_id and data["conversation_id"] == call.conversation_id
    assert data["status"] == "processed" and data["summary"] == call.summary
    assert data["caller"]["number"] == call.caller_number
    if call.callback_needed:
        assert data["callback"]["reason"] == call.callback_reason
    else:
        assert data["callback"] is None


def test_a_failing_notification_never_fails_the_call(app, client, auth, rx, monkeypatch):
    gen_workspace(auth)
    configure(auth, rx.url)

    def broken(*args, **kwargs):
        raise RuntimeError("bug in the notification code")

    monkeypatch.setattr(service, "encode", broken)
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    db.session.expire_all()
    assert db.session.get(Call, call_id).status == "processed"
    assert db.session.execute(select(OutboundEvent)).first() is None


def test_a_queue_outage_leaves_the_event_for_the_sweeper(app, client, auth, tenant_id, rx, monkeypatch):
    configure(auth, rx.url)

    class DownQueue:
        def enqueue(self, *args, **kwargs):
            raise RedisConnectionError("Redis is down")

    real_get_queue = service.get_queue
    monkeypatch.setattr(service, "get_queue", lambda connection=None: DownQueue())
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    db.session.expire_all()
    assert db.session.get(Call, call_id).status == "processed"
    event = db.session.execute(select(OutboundEvent)).scalar_one()
    assert event.status == "pending" and event.enqueued_at is None
    assert rx.requests == []

    monkeypatch.setattr(service, "get_queue", real_get_queue)
    assert sweep_events() == 0  # too fresh: notify() may still be enqueueing it
    db.session.execute(update(OutboundEvent).values(created_at=datetime.now(UTC) - timedelta(minutes=5)))
    db.session.commit()
    assert sweep_events() == 1
    run_jobs(app)
    assert len(rx.requests) == 1 and _event(event.id).status == "delivered"


def test_bodies_escape_markup_characters():
    body = encode("test", {"name": "<script>alert('x') & co</script>", "sep": "a\u2028b"}, datetime.now(UTC))
    assert "<" not in body and ">" not in body and "&" not in body and "\u2028" not in body
    assert "\\u003cscript\\u003e" in body
    assert json.loads(body)["data"]["name"] == "<script>alert('x') & co</script>"


def test_call_data_names_the_call_caller_and_callback():
    call = SimpleNamespace(
        id=7,
        conversation_id="conv_1",
        status="processed",
        external_agent_id="agent_1",
        agent_name="Reception",
        started_at=datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
        duration_s=61.5,
        direction="inbound",
        summary="Leaking tap.",
        caller_number="+447700900123",
        callback_needed=True,
        callback_reason="wants a quote",
        callback_requested_time="tomorrow morning",
    )
    assert call_data(call)["callback"]["reason"] == "wants a quote"
    assignee = SimpleNamespace(id=3, email="sam@acme.test")
    callback = SimpleNamespace(
        id=11,
        reason="no hot water",
        requested_time="tomorrow morning",
        due_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        priority="urgent",
        state="open",
        assignee=assignee,
        caller_name="Ann Lee",
    )
    data = call_data(call, callback)
    assert data["call_id"] == 7 and data["conversation_id"] == "conv_1"
    assert data["caller"] == {"number": "+447700900123", "name": "Ann Lee"}
    assert data["callback"] == {
        "id": 11,
        "reason": "no hot water",
        "requested_time": "tomorrow morning",
        "due_at": "2026-12-01T09:00:00Z",
        "priority": "urgent",
        "state": "open",
        "outcome": None,
        "assignee": {"id": 3, "email": "sam@acme.test"},
    }
    assert data["started_at"] == "2026-11-30T09:15:00Z"


def test_the_secret_is_never_logged(app, auth, tenant_id, rx, caplog):
    caplog.set_level(logging.DEBUG)
    secret = configure(auth, rx.url)
    rx.replies = [500]
    notify(tenant_id, "test", {})
    run_jobs(app)
    rotated = auth.post_form("/settings/notifications/rotate", {}).get_data(as_text=True)
    new_secret = SECRET_RE.search(rotated).group(0)
    assert new_secret != secret
    assert len(rx.requests) == 2
    assert secret not in caplog.text and new_secret not in caplog.text
    assert secret.removeprefix("whsec_") not in caplog.text
