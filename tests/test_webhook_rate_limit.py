"""Rejected deliveries are rate limited per client address (WEBHOOK_REJECTED_RATE_LIMIT); a delivery
whose signature verifies for a known agent never is. Over the limit: 429 + Retry-After, still recorded."""

from __future__ import annotations

import json

import pytest
from helpers import gen_workspace, sample_payload
from sqlalchemy import select

from app.extensions import db
from app.models import Call, WebhookEvent
from app.webhooks.signature import sign

pytestmark = pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "WEBHOOK_REJECTED_RATE_LIMIT": "3 per minute"}],
    indirect=True,
)
SECRET = "whsec_acme_test_secret_0001"


def _from(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def _post(client, payload, secret=SECRET, ip="198.51.100.7"):
    return client.post(
        "/api/webhooks/elevenlabs/call-ended",
        **_from(ip),
        **_signed(payload, secret),
    )


def _signed(payload, secret):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["ElevenLabs-Signature"] = sign(secret, body)
    return {"data": body, "headers": headers}


def _events() -> list[WebhookEvent]:
    return list(db.session.execute(select(WebhookEvent).order_by(WebhookEvent.id)).scalars())


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


def test_rejected_deliveries_up_to_the_limit_pass_and_the_next_is_429_and_recorded(client, workspace):
    stray = sample_payload(agent_id="agent_nobody")
    assert [_post(client, stray).status_code for _ in range(3)] == [404, 404, 404]
    over = _post(client, stray)
    assert over.status_code == 429
    assert int(over.headers["Retry-After"]) >= 1
    assert over.json["status"] == "rejected" and "too many rejected deliveries" in over.json["error"]
    events = _events()
    assert len(events) == 4
    assert (events[-1].outcome, events[-1].http_status, events[-1].body) == ("rejected", 429, "")
    assert "unknown agent_id" in events[-1].reason  # why it was refused in the first place


def test_a_verified_delivery_is_never_limited(client, workspace):
    for _ in range(4):
        _post(client, sample_payload(agent_id="agent_nobody"))
    resp = _post(client, sample_payload())
    assert resp.status_code == 202
    # A verified delivery that is refused for its content is not counted or limited either.
    bad = _post(client, sample_payload(conversation_id="conv_bad", transcript="not a list"))
    assert bad.status_code == 422
    assert db.session.query(Call).count() == 1


def test_verified_rejections_do_not_use_up_the_budget(client, workspace):
    for n in range(5):
        assert _post(client, sample_payload(conversation_id=f"c{n}", transcript="x")).status_code == 422
    assert _post(client, sample_payload(agent_id="agent_nobody")).status_code == 404


def test_the_limit_is_per_client_address(client, workspace):
    for _ in range(4):
        _post(client, sample_payload(), "whsec_wrong_secret_0000000")
    assert _post(client, sample_payload(), "whsec_wrong_secret_0000000").status_code == 429
    assert _post(client, sample_payload(), "whsec_wrong_secret_0000000", ip="203.0.113.9").status_code == 401
