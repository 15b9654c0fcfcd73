"""Staff pages: list (filters, pagination, HTMX partial), detail (polling, escaping), agents, settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import deliver, gen_workspace, pager_link, run_jobs, sample_payload, seed_payload
from sqlalchemy import select

from app.extensions import db
from app.models import Agent, Call, Tenant

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/calls/(\d+)"', html)]


def test_empty_state_explains_how_to_connect(client, workspace):
    html = client.get("/calls").get_data(as_text=True)
    assert "No calls yet" in html
    assert "/api/webhooks/elevenlabs/call-ended" in html


def test_list_is_newest_first_with_badges_and_preview(client, workspace, app):
    old = deliver(client, sample_payload(conversation_id="old")).json["call_id"]
    payload = seed_payload(conversation_id="new")
    new = deliver(client, payload).json["call_id"]
    run_jobs(app)
    html = client.get("/calls").get_data(as_text=True)
    assert _ids(html) == [new, old]
    assert html.count('class="badge callback"') == 1
    assert "status-processed" in html
    assert "water leak" in html  # summary preview
    assert "0:41" in html  # duration


def test_search_by_words_and_conversation_id(client, workspace, app):
    a = deliver(client, sample_payload(conversation_id="conv_leak")).json["call_id"]
    b = deliver(client, seed_payload(conversation_id="conv_plan")).json["call_id"]
    assert _ids(client.get("/calls?q=kitchen sink").get_data(as_text=True)) == [a]
    assert _ids(client.get("/calls?q=premium").get_data(as_text=True)) == [b]
    assert _ids(client.get("/calls?q=conv_pl").get_data(as_text=True)) == [b]
    assert _ids(client.get("/calls?q=100%").get_data(as_text=True)) == []


def test_filters_by_status_and_callback(client, workspace, app):
    a = deliver(client, sample_payload(conversation_id="conv_leak")).json["call_id"]
    b = deliver(client, seed_payload(conversation_id="conv_plan")).json["call_id"]
    run_jobs(app)
    assert _ids(client.get("/calls?callback=yes").get_data(as_text=True)) == [b]
    assert _ids(client.get("/calls?callback=no").get_data(as_text=True)) == [a]
    assert _ids(client.get("/calls?status=failed").get_data(as_text=True)) == []


def test_pagination(client, workspace, app):
    tenant = db.session.execute(select(Tenant)).scalar_one()
    agent = db.session.execute(select(Agent)).scalar_one()
    db.session.add_all(
        Call(
            tenant_id=tenant.id,
            agent_pk=agent.id,
            external_agent_id=agent.agent_id,
            conversation_id=f"c{i:03d}",
        )
        for i in range(30)
    )
    db.session.commit()
    first = client.get("/calls").get_data(as_text=True)
    older = pager_link(first, "next")
    second = client.get(older).get_data(as_text=True)
    assert len(_ids(first)) == 25 and len(_ids(second)) == 5
    assert not set(_ids(first)) & set(_ids(second))
    assert "30 calls" in first and "after=" in older
    assert client.get("/calls?page=99").status_code == 200
    assert client.get("/calls?page=abc").status_code == 200


def test_htmx_search_returns_only_the_table_partial(client, workspace):
    deliver(client, sample_payload())
    resp = client.get("/calls?q=sink", headers={"HX-Request": "true", "HX-Target": "calls-table"})
    html = resp.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="calls-table">')
    assert "<html" not in html


def test_detail_polls_while_queued_and_stops_when_processed(client, workspace, app):
    call_id = deliver(client, sample_payload()).json["call_id"]
    queued = client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in queued
    partial = client.get(f"/calls/{call_id}", headers={"HX-Request": "true", "HX-Target": "call-main"})
    assert partial.get_data(as_text=True).lstrip().startswith('<div id="call-main"')
    run_jobs(app)
    done = client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' not in done
    assert "Riverside Plumbing, how can I help?" in done  # transcript
    assert "Leak repair booked" in done  # ElevenLabs' own analysis beside ours


def test_user_text_is_escaped(client, workspace, app):
    payload = sample_payload(conversation_id="xss", agent_name="<b>agent</b>")
    payload["data"]["transcript"][1]["message"] = '<script>alert("x")</script> my sink leaks'
    call_id = deliver(client, payload).json["call_id"]
    run_jobs(app)
    for page in (client.get(f"/calls/{call_id}"), client.get("/calls")):
        html = page.get_data(as_text=True)
        assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in client.get(f"/calls/{call_id}").get_data(as_text=True)


def test_agents_page_lists_and_removes_with_confirmation(client, workspace, auth):
    html = client.get("/agents").get_data(as_text=True)
    assert "agent_7101k2example" in html and "data-confirm=" in html
    agent = db.session.execute(select(Agent)).scalar_one()
    assert auth.post_form(f"/agents/{agent.id}/delete", {}, page="/agents").status_code == 302
    assert db.session.query(Agent).count() == 0


def test_agent_form_validation(client, workspace, auth):
    resp = auth.post_form("/agents", {"agent_id": "bad id!", "name": ""})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Letters, digits" in html and "This field is required" in html


def test_settings_secret_validation_and_removal(client, workspace, auth):
    short = auth.post_form("/settings", {"webhook_secret": "short"})
    assert short.status_code == 400 and "16+ characters" in short.get_data(as_text=True)
    assert auth.post_form("/settings/secret/delete", {}, page="/settings").status_code == 302
    assert db.session.execute(select(Tenant.webhook_secret_encrypted)).scalar_one() is None
    assert "not set" in client.get("/settings").get_data(as_text=True)


def test_members_cannot_change_settings(client, workspace, auth):
    from app.models import User

    user = db.session.execute(select(User)).scalar_one()
    user.role = "member"
    db.session.commit()
    assert auth.post_form("/settings", {"webhook_secret": "x" * 20}).status_code == 403
    assert auth.post_form("/agents", {"agent_id": "agent_2", "name": "Two"}).status_code == 403


def test_healthz_reports_database_and_redis(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_unknown_page_is_a_friendly_404(client, workspace):
    resp = client.get("/nope")
    assert resp.status_code == 404
    assert "Not Found" in resp.get_data(as_text=True)


def test_templates_build_every_link_with_url_for():
    """No path is written by hand, so a moved route cannot leave a dead link behind."""
    written = re.compile(r'(?:href|action|src|hx-get|hx-post)="/')
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in written.finditer(path.read_text())
    ]
    assert offenders == []


def test_only_a_superuser_has_the_queue_admin_in_the_menu(client, workspace):
    from app.models import User

    assert "Queue admin" not in client.get("/calls").get_data(as_text=True)
    db.session.execute(select(User)).scalar_one().is_superuser = True
    db.session.commit()
    assert '<a href="/admin/rq/">Queue admin</a>' in client.get("/calls").get_data(as_text=True)
