"""One company never sees another's data: every tenant-owned URL is a 404 across tenants."""

from __future__ import annotations

import pytest
from helpers import AuthActions, csrf_from, deliver, gen_workspace, run_jobs, sample_payload, second_workspace
from sqlalchemy import func, select

from app.extensions import db
from app.models import Agent, Call, Callback, DeliveryAttempt, OutboundEvent, User, WebhookEvent
from app.services import callbacks


@pytest.fixture
def two_tenants(app, client):
    """Tenant A with a processed call and an agent; returns (A's call id, A's agent pk, B's client)."""
    gen_workspace(AuthActions(client), name="Alpha", email="a@alpha.test", agent_id="agent_alpha")
    call_id = deliver(client, sample_payload(agent_id="agent_alpha")).json["call_id"]
    run_jobs(app)
    # A's call has an open callback, so that a 404 below is the workspace's border, not a missing callback.
    callbacks.open_for_call(db.session.get(Call, call_id), reason="Call back about the leak")
    db.session.commit()
    agent_pk = db.session.execute(select(Agent.id)).scalar_one()
    other = second_workspace(app)
    return call_id, agent_pk, other


def _event_of(call_id: int) -> int:
    return db.session.execute(select(WebhookEvent.id).where(WebhookEvent.call_id == call_id)).scalar_one()


def _attempt_of(call_id: int) -> int:
    """A notification attempt of the call's workspace (recorded directly: no receiver needed here)."""
    tenant_id = db.session.get(Call, call_id).tenant_id
    event = OutboundEvent(tenant_id=tenant_id, msg_id="msg_tenancy", event_type="test", body="{}")
    db.session.add(event)
    db.session.flush()
    attempt = DeliveryAttempt(
        tenant_id=tenant_id, event_id=event.id, event_type="test", target="-", number=1, outcome="failed"
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt.id


OWNED_GET = [
    "/calls/{call}",
    "/calls/{call}/similar",
    "/deliveries/{event}",
    "/settings/notifications/attempts/{attempt}",
    "/analytics?agent={agent}",
]
OWNED_POST = [
    "/agents/{agent}/delete",
    "/calls/{call}/delete",
    "/jobs/{call}/retry",
    "/calls/{call}/callback/assign",
    "/calls/{call}/callback/done",
    "/calls/{call}/callback/reopen",
    "/calls/{call}/callback/note",
]


@pytest.mark.parametrize("template", OWNED_GET)
def test_other_tenant_gets_404_for_get(two_tenants, client, template):
    call_id, agent_pk, other = two_tenants
    path = template.format(
        call=call_id, agent=agent_pk, event=_event_of(call_id), attempt=_attempt_of(call_id)
    )
    assert client.get(path).status_code == 200  # the owner sees it
    assert other.get(path).status_code == 404


@pytest.mark.parametrize("template", OWNED_POST)
def test_other_tenant_gets_404_for_post(two_tenants, template):
    call_id, agent_pk, other = two_tenants
    token = csrf_from(other.get("/agents").get_data(as_text=True))
    path = template.format(call=call_id, agent=agent_pk, event=_event_of(call_id))
    intruder = db.session.execute(select(Agent.tenant_id).where(Agent.agent_id == "agent_beta")).scalar_one()
    fields = {"assignee": "", "outcome": "reached", "note": "mine now"}
    fields["assignee"] = str(
        db.session.execute(select(func.min(User.id)).where(User.tenant_id == intruder)).scalar()
    )
    assert other.post(path, data={"csrf_token": token, **fields}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Agent, agent_pk) is not None
    assert db.session.get(Call, call_id).status == "processed"
    callback = db.session.execute(select(Callback).where(Callback.call_id == call_id)).scalar_one()
    assert (callback.state, callback.assignee_id, len(callback.events)) == ("open", None, 1)


# Workspace-wide views without an id in the URL: each shows only its own workspace's calls.
WORKSPACE_VIEWS = ["/calls", "/calls?sort=oldest", "/calls/export.csv", "/callbacks", "/jobs"]


@pytest.mark.parametrize("path", WORKSPACE_VIEWS)
def test_workspace_views_show_only_their_own_calls(two_tenants, client, path):
    call_id, _, other = two_tenants
    db.session.get(Call, call_id).status = "failed"  # so that it is on the failed list too
    db.session.commit()
    marker = db.session.get(Call, call_id).conversation_id if "csv" in path else f'href="/calls/{call_id}"'
    assert marker in client.get(path).get_data(as_text=True)
    assert marker not in other.get(path).get_data(as_text=True)


def test_other_tenants_calls_are_not_listed_or_searchable(two_tenants, client):
    call_id, _, other = two_tenants
    assert f'href="/calls/{call_id}"' in client.get("/calls").get_data(as_text=True)
    listing = other.get("/calls?q=sink").get_data(as_text=True)
    assert f'href="/calls/{call_id}"' not in listing
    assert "No calls match" in listing


def test_agent_id_belongs_to_one_tenant_only(two_tenants):
    _, _, other = two_tenants
    auth = AuthActions(other)
    resp = auth.post_form("/agents", {"agent_id": "agent_alpha", "name": "Stolen"})
    assert resp.status_code == 409
    assert "already registered" in resp.get_data(as_text=True)
    owners = (
        db.session.execute(select(Agent.tenant_id).where(Agent.agent_id == "agent_alpha")).scalars().all()
    )
    assert len(owners) == 1


def test_delivery_for_a_tenants_agent_needs_that_tenants_secret(two_tenants, client):
    # B's secret cannot sign deliveries for A's agent.
    resp = deliver(
        client, sample_payload(agent_id="agent_alpha", conversation_id="c-new"), "whsec_beta_secret_00000001"
    )
    assert resp.status_code == 401
    assert db.session.query(Call).count() == 1


@pytest.mark.parametrize("bad_id", ["abc", "-1", "99999999", "1e3", "%00"])
def test_malformed_or_missing_ids_are_404(client, auth, bad_id):
    gen_workspace(auth)
    assert client.get(f"/calls/{bad_id}").status_code == 404
