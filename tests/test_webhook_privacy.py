"""One workspace can neither block, probe nor read another's deliveries: conversation ids are unique per
workspace, and a delivery that is not proven to be the workspace's own keeps no body."""

from __future__ import annotations

import threading

import pytest
from helpers import AuthActions, deliver, gen_workspace, sample_payload, second_workspace
from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, WebhookEvent

SECRET_A = "whsec_acme_test_secret_0001"
SECRET_B = "whsec_beta_secret_00000001"
TRANSCRIPT = "My kitchen sink is leaking under the cabinet."


def _events() -> list[WebhookEvent]:
    return list(db.session.execute(select(WebhookEvent).order_by(WebhookEvent.id)).scalars())


# --------------------------------------------------------------------------- item 10: ids per workspace


def test_a_conversation_id_used_by_another_workspace_first_is_still_accepted(app, client, auth):
    gen_workspace(auth)  # A: agent_7101k2example
    other = second_workspace(app)  # B: agent_beta
    first = deliver(other, sample_payload(agent_id="agent_beta", conversation_id="conv_shared"), SECRET_B)
    assert first.status_code == 202
    mine = deliver(client, sample_payload(conversation_id="conv_shared"), SECRET_A)
    assert mine.status_code == 202, mine.json
    assert mine.json["call_id"] != first.json["call_id"]
    owners = db.session.execute(select(Call.tenant_id).where(Call.conversation_id == "conv_shared")).all()
    assert len(set(owners)) == 2
    # B learns nothing about A's ids: its own repeat is a duplicate of its own call only.
    again = deliver(other, sample_payload(agent_id="agent_beta", conversation_id="conv_shared"), SECRET_B)
    assert again.json == {"status": "duplicate", "call_id": first.json["call_id"]}


def test_concurrent_duplicates_within_a_workspace_give_exactly_one_call(app, client, auth):
    gen_workspace(auth)
    other = second_workspace(app)
    clients = [app.test_client() for _ in range(6)]
    barrier = threading.Barrier(len(clients) + 2)
    answers: list[int] = []

    def send(c, payload, secret):
        barrier.wait()
        answers.append(deliver(c, payload, secret).status_code)

    threads = [
        threading.Thread(target=send, args=(c, sample_payload(conversation_id="conv_race"), SECRET_A))
        for c in clients
    ]
    beta = sample_payload(agent_id="agent_beta", conversation_id="conv_race")
    threads += [threading.Thread(target=send, args=(c, beta, SECRET_B)) for c in (other, app.test_client())]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(answers) == [200] * 6 + [202] * 2
    per_tenant = db.session.execute(
        select(Call.tenant_id, func.count())
        .where(Call.conversation_id == "conv_race")
        .group_by(Call.tenant_id)
    ).all()
    assert sorted(n for _, n in per_tenant) == [1, 1]


# --------------------------------------------------------------------------- item 11: no body unless proven


def test_a_claimed_agent_id_shows_the_owner_nothing_of_the_real_senders_transcripts(app, client):
    """B registered A's agent id first: A's deliveries, signed with A's secret, land in B's log bodiless."""
    thief = client
    gen_workspace(AuthActions(thief), name="Beta", email="b@beta.test", secret=SECRET_B)
    resp = deliver(app.test_client(), sample_payload(), SECRET_A)
    assert resp.status_code == 401
    event = _events()[0]
    assert event.signature_valid is False and event.tenant_id is not None
    assert event.body == "" and event.body_bytes > 0 and event.conversation_id is None
    assert event.headers["elevenlabs-signature"].startswith("t=")
    page = thief.get(f"/deliveries/{event.id}").get_data(as_text=True)
    assert TRANSCRIPT not in page and "conv_0101k2example" not in page
    assert "signature rejected" in page
    assert "not kept" in page


@pytest.mark.parametrize("secret", [SECRET_A, None], ids=["signed", "unsigned"])
def test_deliveries_to_unknown_agents_keep_no_body(client, auth, secret):
    gen_workspace(auth)
    resp = deliver(client, sample_payload(agent_id="agent_nobody"), secret)
    assert resp.status_code == 404
    event = _events()[0]
    assert (event.tenant_id, event.body, event.agent_id) == (None, "", "agent_nobody")
    assert event.body_bytes > 0


def test_unsigned_delivery_for_a_known_agent_keeps_no_body(client, auth):
    gen_workspace(auth)
    assert deliver(client, sample_payload(), None).status_code == 401
    event = _events()[0]
    assert (event.signature_valid, event.body) == (False, "")


def test_a_verified_but_invalid_delivery_keeps_its_first_64kb_for_its_workspace(client, auth):
    gen_workspace(auth)
    payload = sample_payload(transcript="not a list")
    assert deliver(client, payload).status_code == 422
    event = _events()[0]
    assert event.signature_valid is True and "not a list" in event.body
