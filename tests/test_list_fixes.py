"""List fixes (issue 8 item 9): agent and date filters, sort, "no more" past the end, no "None", favicon."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from helpers import gen_workspace
from list_data import T0, gen_calls, workspace_rows
from sqlalchemy import select

from app.extensions import db
from app.models import Agent, Call, Callback, Tenant, WebhookEvent


@pytest.fixture
def workspace(client, auth):
    gen_workspace(auth)
    return auth


CALL_LINK = r'<a href="/calls/([0-9]+)" class="mono"'  # a calls list row's link to its call


def listed(client, url: str) -> list[int]:
    return [int(i) for i in re.findall(CALL_LINK, client.get(url).get_data(as_text=True))]


def test_filter_by_agent(client, workspace):
    tenant, _ = workspace_rows()
    other = Agent(tenant_id=tenant.id, agent_id="agent_second", name="Second line")
    db.session.add(other)
    db.session.commit()
    first = gen_calls(3)
    second = gen_calls(2, agent_pk=other.id)
    assert set(listed(client, f"/calls?agent={other.id}")) == set(second)
    assert set(listed(client, "/calls")) == set(first + second)
    html = client.get("/calls").get_data(as_text=True)
    assert f'<option value="{other.id}" >Second line</option>' in html


def test_filter_by_days_in_the_workspace_zone(client, workspace):
    """A call at 02:00 UTC on the 21st happened on the 20th in New York: "to=2026-11-20" includes it."""
    tenant, _ = workspace_rows()
    tenant.timezone = "America/New_York"
    ids = gen_calls(3)
    moments = [
        datetime(2026, 11, 19, 12, tzinfo=UTC),
        datetime(2026, 11, 21, 2, tzinfo=UTC),
        T0.replace(day=22),
    ]
    for call_id, moment in zip(ids, moments, strict=True):
        db.session.get(Call, call_id).started_at = moment
    db.session.commit()
    assert listed(client, "/calls?from=2026-11-20&to=2026-11-20") == [ids[1]]
    assert listed(client, "/calls?from=2026-11-20") == [ids[2], ids[1]]
    assert listed(client, "/calls?to=2026-11-19") == [ids[0]]


@pytest.mark.parametrize(
    "query",
    ["from=2026-02-30", "to=yesterday", "from=99999-01-01", "from=0001-01-01", "to=2026-1-5", "from=%00"],
)
def test_an_impossible_day_is_ignored_with_a_note(client, workspace, query):
    ids = gen_calls(2)
    resp = client.get(f"/calls?{query}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "was ignored" in html
    assert set(listed(client, f"/calls?{query}")) == set(ids)


def test_sort_newest_oldest_and_longest(client, workspace):
    ids = gen_calls(3)  # newest first: ids[0], ids[1] (same minute, lower id after), ids[2]
    for call_id, seconds in zip(ids, [30.0, None, 300.0], strict=True):
        db.session.get(Call, call_id).duration_s = seconds
    db.session.commit()
    assert listed(client, "/calls") == [ids[1], ids[0], ids[2]]
    assert listed(client, "/calls?sort=oldest") == [ids[2], ids[0], ids[1]]
    assert listed(client, "/calls?sort=duration") == [ids[2], ids[0], ids[1]]  # unknown duration last
    assert listed(client, "/calls?sort=sideways") == listed(client, "/calls")


def test_empty_states_tell_none_yet_from_none_left(client, workspace):
    assert "No calls yet" in client.get("/calls").get_data(as_text=True)
    gen_calls(2)
    assert "No calls match" in client.get("/calls?status=failed").get_data(as_text=True)


def _bare_rows():
    """A call with every optional field empty, its callback, and a delivery with nothing known."""
    tenant, _ = workspace_rows()
    call = Call(
        tenant_id=tenant.id, agent_pk=None, external_agent_id="agent_gone", conversation_id="conv_bare"
    )
    db.session.add(call)
    db.session.flush()
    db.session.add(Callback(tenant_id=tenant.id, call_id=call.id, due_at=T0))
    db.session.add(
        WebhookEvent(tenant_id=tenant.id, path="/x", headers={}, outcome="rejected", http_status=401)
    )
    db.session.commit()
    return call


def test_no_page_prints_none_for_empty_fields(client, workspace):
    call = _bare_rows()
    event = db.session.execute(select(WebhookEvent)).scalar_one()
    for path in [
        "/calls",
        f"/calls/{call.id}",
        "/callbacks",
        "/deliveries",
        f"/deliveries/{event.id}",
        "/calls/export.csv",
    ]:
        resp = client.get(path)
        assert resp.status_code == 200, path
        text = resp.get_data(as_text=True)
        visible = re.sub(r"<[^>]+>", " ", text)
        assert not re.search(r"\bNone\b", visible), (path, re.findall(r".{40}\bNone\b.{40}", visible))
    db.session.get(Call, call.id).status = "failed"
    db.session.commit()
    assert not re.search(r"\bNone\b", re.sub(r"<[^>]+>", " ", client.get("/jobs").get_data(as_text=True)))


def test_favicon_is_served_and_linked(client, workspace):
    resp = client.get("/static/favicon.svg")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert b"<svg" in resp.data
    assert '<link rel="icon" href="/static/favicon.svg' in client.get("/calls").get_data(as_text=True)
    assert db.session.execute(select(Tenant)).scalar_one()
