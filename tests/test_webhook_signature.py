"""ElevenLabs-Signature: t=<unix>,v0=<hex HMAC-SHA256 of "<t>.<raw body>">."""

from __future__ import annotations

import time

import pytest
from helpers import deliver, gen_workspace, sample_payload
from sqlalchemy import select

from app.extensions import db
from app.models import Call, WebhookEvent
from app.webhooks.signature import SignatureError, sign, verify

SECRET = "whsec_acme_test_secret_0001"
BODY = b'{"hello": "world"}'


def _verify(header, body=BODY, secret=SECRET, now=None):
    verify(header, body, secret, past_s=1800, future_s=300, now=now)


def test_valid_signature_passes():
    _verify(sign(SECRET, BODY))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "missing"),
        ("", "missing"),
        ("v0=abc", "malformed"),
        ("t=abc,v0=abc", "malformed"),
        ("t=123", "malformed"),
    ],
)
def test_missing_or_malformed_header_is_rejected(header, message):
    with pytest.raises(SignatureError, match=message):
        _verify(header)


def test_wrong_secret_or_changed_body_is_rejected():
    with pytest.raises(SignatureError, match="does not match"):
        _verify(sign("another-secret-entirely", BODY))
    with pytest.raises(SignatureError, match="does not match"):
        _verify(sign(SECRET, BODY), body=BODY + b" ")


def test_time_window():
    now = time.time()
    _verify(sign(SECRET, BODY, int(now) - 29 * 60), now=now)
    with pytest.raises(SignatureError, match="too old"):
        _verify(sign(SECRET, BODY, int(now) - 31 * 60), now=now)
    _verify(sign(SECRET, BODY, int(now) + 4 * 60), now=now)
    with pytest.raises(SignatureError, match="future"):
        _verify(sign(SECRET, BODY, int(now) + 6 * 60), now=now)


def test_non_ascii_signature_value_is_a_mismatch_not_a_crash():
    ts = int(time.time())
    with pytest.raises(SignatureError):
        _verify(f"t={ts},v0=ünïcödé")


def test_any_of_several_v0_values_may_match():
    good = sign(SECRET, BODY)
    ts = good.split(",")[0]
    _verify(f"{ts},v0=deadbeef,{good.split(',')[1]}")


# --------------------------------------------------------------------------- through the endpoint


def _events():
    return db.session.execute(select(WebhookEvent).order_by(WebhookEvent.id)).scalars().all()


def test_endpoint_accepts_good_signature(client, auth):
    gen_workspace(auth)
    resp = deliver(client, sample_payload(), SECRET)
    assert resp.status_code == 202
    assert _events()[-1].signature_valid is True


@pytest.mark.parametrize(
    ("secret", "timestamp", "reason"),
    [
        ("wrong-secret-0000000000", None, "does not match"),
        (SECRET, int(time.time()) - 3600, "too old"),
        (SECRET, int(time.time()) + 3600, "future"),
        (None, None, "missing"),
    ],
    ids=["bad", "expired", "future", "missing"],
)
def test_endpoint_rejects_bad_signatures_with_401_and_records_them(client, auth, secret, timestamp, reason):
    gen_workspace(auth)
    resp = deliver(client, sample_payload(), secret, timestamp=timestamp)
    assert resp.status_code == 401
    assert reason in resp.json["error"]
    event = _events()[-1]
    assert event.outcome == "rejected" and reason in event.reason
    assert event.http_status == 401
    assert db.session.query(Call).count() == 0


def test_global_secret_is_the_fallback(client, auth, app):
    gen_workspace(auth, secret=None)
    app.config["ELEVENLABS_WEBHOOK_SECRET"] = "global-install-secret-1234"
    assert deliver(client, sample_payload(), SECRET).status_code == 401
    assert deliver(client, sample_payload(), "global-install-secret-1234").status_code == 202


def test_tenant_without_any_secret_refuses_unsigned_unless_allowed(client, auth, app):
    gen_workspace(auth, secret=None)
    refused = deliver(client, sample_payload(), None)
    assert refused.status_code == 401
    assert "no webhook signing secret" in refused.json["error"]
    app.config["WEBHOOK_ALLOW_UNSIGNED"] = True
    assert deliver(client, sample_payload(), None).status_code == 202


def test_secret_is_stored_encrypted_and_never_shown_in_full(client, auth):
    gen_workspace(auth)
    from app.models import Tenant

    stored = db.session.execute(select(Tenant.webhook_secret_encrypted)).scalar_one()
    assert SECRET not in stored
    page = client.get("/settings").get_data(as_text=True)
    assert SECRET not in page
    assert SECRET[-4:] in page  # the hint
