"""The deliveries log: a workspace sees every delivery for its agents, with the reason for rejections."""

from __future__ import annotations

import json
import re

from helpers import deliver, gen_workspace, sample_payload, second_workspace
from sqlalchemy import select

from app.extensions import db
from app.models import WebhookEvent


def _event_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/deliveries/(\d+)"', html)]


def test_accepted_duplicate_and_rejected_deliveries_are_listed_with_reasons(client, auth):
    gen_workspace(auth)
    deliver(client, sample_payload())
    deliver(client, sample_payload())
    deliver(client, sample_payload(conversation_id="forged"), "wrong-secret-000000000000")
    html = client.get("/deliveries").get_data(as_text=True)
    assert len(_event_ids(html)) == 3
    assert "signature rejected: signature does not match" in html
    assert "outcome-accepted" in html and "outcome-duplicate" in html and "outcome-rejected" in html
    rejected = client.get("/deliveries?outcome=rejected").get_data(as_text=True)
    assert len(_event_ids(rejected)) == 1 and "signature rejected" in rejected
    assert "forged" not in rejected  # an unproven delivery shows nothing of its content


def test_delivery_page_shows_the_body_escaped(client, auth):
    gen_workspace(auth)
    payload = sample_payload(conversation_id="<img src=x onerror=alert(1)>")
    deliver(client, payload)
    event_id = db.session.execute(select(WebhookEvent.id)).scalar_one()
    html = client.get(f"/deliveries/{event_id}").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Riverside Plumbing, how can I help?" in html


def test_deliveries_are_tenant_scoped_and_unknown_agents_belong_to_nobody(client, auth, app):
    gen_workspace(auth)
    deliver(client, sample_payload())
    deliver(client, sample_payload(agent_id="agent_nobody", conversation_id="stray"))
    mine = db.session.execute(select(WebhookEvent.id).where(WebhookEvent.tenant_id.is_not(None))).scalar_one()
    stray = db.session.execute(select(WebhookEvent.id).where(WebhookEvent.tenant_id.is_(None))).scalar_one()
    assert _event_ids(client.get("/deliveries").get_data(as_text=True)) == [mine]
    assert client.get(f"/deliveries/{stray}").status_code == 404
    other = second_workspace(app)
    assert _event_ids(other.get("/deliveries").get_data(as_text=True)) == []
    assert other.get(f"/deliveries/{mine}").status_code == 404


def test_empty_state(client, auth):
    gen_workspace(auth)
    assert "No deliveries" in client.get("/deliveries").get_data(as_text=True)


def _cut_inside_a_character(at: int) -> bytes:
    for pad in range(3):
        payload = sample_payload(conversation_id="conv_cut", note="x" * pad + "€" * 40_000)
        body = json.dumps(payload, ensure_ascii=False).encode()
        try:
            body[:at].decode()
        except UnicodeDecodeError:
            return body
    raise AssertionError("no padding puts the cut inside a character")


def test_every_recorded_delivery_opens_lone_surrogates_and_cut_characters_included(client, auth, app):
    gen_workspace(auth)
    raw = (
        b'{"data": {"agent_id": "agent_7101k2example", "conversation_id": "conv_sur", '
        b'"transcript": [{"role": "user", "message": "hi \\ud800 there"}]}}'
    )
    assert deliver(client, None, raw=raw).status_code == 202
    app.config["WEBHOOK_MAX_BYTES"] = 100_000  # a 413 keeps the first 64 KB: cut inside a 3-byte character
    assert deliver(client, None, raw=_cut_inside_a_character(64 * 1024)).status_code == 413
    event_ids = _event_ids(client.get("/deliveries").get_data(as_text=True))
    assert len(event_ids) == 2
    for event_id in event_ids:
        page = client.get(f"/deliveries/{event_id}")
        assert page.status_code == 200
    surrogate = db.session.execute(
        select(WebhookEvent).where(WebhookEvent.conversation_id == "conv_sur")
    ).scalar_one()
    assert "hi \\ud800 there" in client.get(f"/deliveries/{surrogate.id}").get_data(as_text=True)
