"""The callback desk in the browser's terms: the queue, its filters and rows, the call page's panel, the
actions (HTMX and plain forms), their refusals, and who may do what."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from callback_helpers import GAS, TAP, act, callback_of, flagged_payload, nav_count
from helpers import AuthActions, csrf_from, deliver, gen_workspace, run_jobs, second_workspace
from sqlalchemy import select, update

from app.extensions import db
from app.models import Agent, Callback, User
from app.services import accounts


@pytest.fixture
def desk(app, client, auth):
    """A London workspace with two open callbacks: a normal one due later, an urgent one due sooner."""
    gen_workspace(auth)
    assert (
        auth.post_form("/settings/timezone", {"timezone": "Europe/London"}, page="/settings").status_code
        == 302
    )
    normal = deliver(client, flagged_payload("conv-tap", TAP, number="07700 900111")).json["call_id"]
    urgent = deliver(client, flagged_payload("conv-gas", GAS, number="+447700900222")).json["call_id"]
    run_jobs(app)
    return {"normal": normal, "urgent": urgent}


def _rows(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="cb-row[^"]*" id="callback-row-(\d+)"', html)]


def _callback_id(call_id: int) -> int:
    return callback_of(call_id).id


def _member(app, tenant_id: int, email="sam@acme.test"):
    """A member of the workspace, signed in on a client of their own."""
    accounts.add_member(tenant_id, email, "member", "correct-horse-2")
    other = app.test_client()
    assert AuthActions(other).login(email, "correct-horse-2").status_code == 302
    return other


def _owner() -> User:
    return db.session.execute(select(User).where(User.role == "owner")).scalars().first()


def test_the_queue_lists_urgent_first_then_by_due_time(client, desk):
    html = client.get("/callbacks").get_data(as_text=True)
    assert _rows(html) == [_callback_id(desk["urgent"]), _callback_id(desk["normal"])]
    # Make the normal one due first: urgency still wins.
    db.session.execute(
        update(Callback)
        .where(Callback.call_id == desk["normal"])
        .values(due_at=datetime(2020, 1, 1, tzinfo=UTC))
    )
    db.session.commit()
    html = client.get("/callbacks").get_data(as_text=True)
    assert _rows(html) == [_callback_id(desk["urgent"]), _callback_id(desk["normal"])]


def test_a_row_shows_caller_reason_due_assignee_agent_and_the_call_link(client, desk):
    html = client.get("/callbacks").get_data(as_text=True)
    row = re.search(rf'id="callback-row-{_callback_id(desk["urgent"])}".*?</li>', html, re.S).group(0)
    assert 'href="tel:+447700900222"' in row and "+44 7700 900222" in row
    assert "Maria Lopez" in row and "Urgent" in row and "gas" in row
    assert f'href="/calls/{desk["urgent"]}"' in row
    assert "Agent: Reception" in row and "Assignee: <strong" in row
    due = re.search(r'<time class="due[^"]*" datetime="[^"]+" title="([^"]+)">([^<]+)</time>', row)
    assert due and due.group(1) == "2026-11-26 09:00 GMT"
    assert re.fullmatch(r"overdue \d+ (min|h|d)", due.group(2))
    # A national number is read in the workspace's region (GB, from its zone), stored and linked in E.164.
    assert 'href="tel:+447700900111"' in html


def test_due_text_reads_in_and_overdue():
    from app.web.timefmt import relative

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert relative(now + timedelta(hours=2, minutes=5), now) == "in 2 h"
    assert relative(now + timedelta(minutes=20), now) == "in 20 min"
    assert relative(now - timedelta(days=1, hours=3), now) == "overdue 1 d"
    assert relative(now - timedelta(minutes=90), now) == "overdue 1 h"
    assert relative(now + timedelta(seconds=30), now) == "due now"


def test_filters_mine_unassigned_done_and_agent(app, client, desk):
    owner = _owner()
    act(client, desk["urgent"], "assign", assignee=str(owner.id))
    urgent, normal = _callback_id(desk["urgent"]), _callback_id(desk["normal"])
    assert _rows(client.get("/callbacks?who=mine").get_data(as_text=True)) == [urgent]
    assert _rows(client.get("/callbacks?who=unassigned").get_data(as_text=True)) == [normal]
    assert _rows(client.get("/callbacks?who=all").get_data(as_text=True)) == [urgent, normal]
    act(client, desk["normal"], "done", outcome="reached", note="")
    assert _rows(client.get("/callbacks?state=done").get_data(as_text=True)) == [normal]
    assert _rows(client.get("/callbacks").get_data(as_text=True)) == [urgent]
    agent_pk = db.session.execute(select(Agent.id)).scalar_one()
    assert _rows(client.get(f"/callbacks?agent={agent_pk}").get_data(as_text=True)) == [urgent]
    assert _rows(client.get(f"/callbacks?agent={agent_pk + 1}").get_data(as_text=True)) == []
    assert _rows(client.get("/callbacks?who=bogus&state=bogus&agent=x").get_data(as_text=True)) == [urgent]


def test_empty_states_say_what_to_do(client, auth):
    gen_workspace(auth)
    assert "When a caller asks to be called back" in client.get("/callbacks").get_data(as_text=True)
    assert "No callbacks done yet" in client.get("/callbacks?state=done").get_data(as_text=True)
    mine = client.get("/callbacks?who=mine").get_data(as_text=True)
    assert "Nothing open is assigned to you" in mine and "Assign to me" in mine


def test_assign_to_me_inline_returns_the_row_and_the_nav_count(client, desk):
    owner, cb = _owner(), _callback_id(desk["urgent"])
    assert nav_count(client.get("/calls").get_data(as_text=True))[0] == 2
    resp = act(client, desk["urgent"], "assign", htmx_target=f"callback-row-{cb}", assignee=str(owner.id))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="cb-row state-open is-urgent" id="callback-row-{cb}"')
    assert f'<strong class="cb-assignee">{owner.email}</strong>' in html
    assert 'hx-swap-oob="true"' in html and nav_count(html) == (2, 2)
    assert callback_of(desk["urgent"]).assignee_id == owner.id


def test_done_inline_drops_the_count_and_reopen_brings_it_back(client, desk):
    cb = _callback_id(desk["normal"])
    resp = act(
        client,
        desk["normal"],
        "done",
        htmx_target=f"callback-row-{cb}",
        outcome="no_answer",
        note="Rang twice",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'data-state="done"' in html and "No answer" in html
    assert nav_count(html)[0] == 1
    resp = act(client, desk["normal"], "reopen", htmx_target=f"callback-row-{cb}")
    assert (
        'data-state="open"' in resp.get_data(as_text=True) and nav_count(resp.get_data(as_text=True))[0] == 2
    )


def test_without_htmx_the_forms_redirect_back(client, desk):
    resp = act(client, desk["normal"], "done", outcome="reached", note="ok", next="/callbacks?who=all")
    assert resp.status_code == 302 and resp.headers["Location"] == "/callbacks?who=all"
    resp = act(client, desk["normal"], "reopen", next="https://evil.example/")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/calls/{desk['normal']}"
    for sneaky in ("/\\evil.example", "/\t/evil.example", "//evil.example"):
        resp = act(client, desk["normal"], "note", next=sneaky, note="Called, no answer")
        assert resp.headers["Location"] == f"/calls/{desk['normal']}"


def test_the_call_page_panel_carries_the_contract(client, desk):
    url = f"/calls/{desk['urgent']}"
    html = client.get(url).get_data(as_text=True)
    assert 'data-callback-state="open"' in html
    for action in ("assign", "done", "reopen"):
        if action != "reopen":
            assert f'action="/calls/{desk["urgent"]}/callback/{action}"' in html
    assert '<select name="assignee"' in html and 'name="outcome"' in html and 'name="note"' in html
    assert html.count('name="csrf_token"') >= 4
    act(client, desk["urgent"], "done", page=url, outcome="reached", note="Booked a visit")
    html = client.get(url).get_data(as_text=True)
    assert 'data-callback-state="done"' in html
    assert f'action="/calls/{desk["urgent"]}/callback/reopen"' in html
    assert "marked it done: <strong>Reached</strong>" in html and "Booked a visit" in html


def test_a_call_without_callback_is_state_none_and_its_actions_404(client, auth, app):
    from helpers import sample_payload

    gen_workspace(auth)
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    assert 'data-callback-state="none"' in client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert act(client, call_id, "done", outcome="reached").status_code == 404


def test_the_panel_action_answers_htmx_with_the_call_block(client, desk):
    url = f"/calls/{desk['urgent']}"
    resp = act(client, desk["urgent"], "note", htmx_target="call-main", page=url, note="Tried at 9:05")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.lstrip().startswith('<div id="call-main"')
    assert "added a note" in html and "Tried at 9:05" in html and 'hx-swap-oob="true"' in html


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("done", {"outcome": "teleported"}, "Choose an outcome"),
        ("done", {}, "Choose an outcome"),
        ("assign", {"assignee": "not-a-number"}, "not a member of this workspace"),
        ("reopen", {}, "already open"),
        ("note", {"note": ""}, "Write a note first"),
    ],
)
def test_bad_input_is_400_with_a_clear_message_and_changes_nothing(client, desk, action, fields, message):
    resp = act(client, desk["normal"], action, **fields)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    cb = _callback_id(desk["normal"])
    resp = act(client, desk["normal"], action, htmx_target=f"callback-row-{cb}", **fields)
    assert resp.status_code == 400 and resp.headers["X-Swap-Error"] == "1"
    assert message in resp.get_data(as_text=True) and f'id="callback-row-{cb}"' in resp.get_data(as_text=True)
    callback = callback_of(desk["normal"])
    assert (callback.state, callback.assignee_id, len(callback.events)) == ("open", None, 1)


def test_an_assignee_from_another_workspace_is_refused(app, client, desk):
    second_workspace(app)
    stranger = db.session.execute(select(User).where(User.email == "b@beta.test")).scalar_one()
    resp = act(client, desk["normal"], "assign", assignee=str(stranger.id))
    assert resp.status_code == 400 and "not a member of this workspace" in resp.get_data(as_text=True)
    assert callback_of(desk["normal"]).assignee_id is None


def test_a_done_callback_cannot_be_assigned(client, desk):
    act(client, desk["normal"], "done", outcome="not_needed")
    resp = act(client, desk["normal"], "assign", assignee=str(_owner().id))
    assert resp.status_code == 400 and "Reopen it before assigning" in resp.get_data(as_text=True)
    assert callback_of(desk["normal"]).assignee_id is None


def test_without_a_csrf_token_nothing_changes(client, desk):
    for action, fields in [("assign", {"assignee": str(_owner().id)}), ("done", {"outcome": "reached"})]:
        resp = client.post(f"/calls/{desk['normal']}/callback/{action}", data=fields)
        assert resp.status_code == 400
        resp = client.post(
            f"/calls/{desk['normal']}/callback/{action}", data={**fields, "csrf_token": "forged"}
        )
        assert resp.status_code == 400
    callback = callback_of(desk["normal"])
    assert (callback.state, callback.assignee_id) == ("open", None)


def test_htmx_sends_the_token_in_a_header(client, desk):
    token = csrf_from(client.get("/callbacks").get_data(as_text=True))
    resp = client.post(
        f"/calls/{desk['normal']}/callback/done",
        data={"outcome": "reached"},
        headers={"HX-Request": "true", "HX-Target": "call-main", "X-CSRFToken": token},
    )
    assert resp.status_code == 200 and callback_of(desk["normal"]).state == "done"


def test_members_work_callbacks_and_may_assign_teammates(app, client, desk):
    """Decided: anyone on the team assigns callbacks, to themselves or a teammate (the timeline says who)."""
    tenant_id = _owner().tenant_id
    member_client = _member(app, tenant_id)
    member = db.session.execute(select(User).where(User.email == "sam@acme.test")).scalar_one()
    assert act(member_client, desk["normal"], "assign", assignee=str(member.id)).status_code == 302
    assert act(member_client, desk["urgent"], "assign", assignee=str(_owner().id)).status_code == 302
    assert act(member_client, desk["normal"], "done", outcome="left_voicemail", note="vm").status_code == 302
    assert act(member_client, desk["normal"], "reopen").status_code == 302
    assert act(member_client, desk["normal"], "note", note="will try at 2").status_code == 302
    callback = callback_of(desk["normal"])
    assert callback.assignee_id == member.id and callback.state == "open"
    assert [e.actor_email for e in callback.events[1:]] == ["sam@acme.test"] * 4
    assert callback_of(desk["urgent"]).assignee.email == "owner@acme.test"


def test_the_navigation_shows_open_and_overdue_on_every_page(client, desk):
    for path in ("/calls", "/callbacks", "/settings", "/team", "/account", f"/calls/{desk['normal']}"):
        assert nav_count(client.get(path).get_data(as_text=True)) == (2, 2), path
    db.session.execute(update(Callback).values(due_at=datetime.now(UTC) + timedelta(days=2)))
    db.session.commit()
    html = client.get("/calls").get_data(as_text=True)
    assert nav_count(html) == (2, 0)


def test_the_caller_s_other_calls_and_callbacks_are_on_the_call_page(app, client, desk):
    later = deliver(client, flagged_payload("conv-tap-2", TAP, number="+44 7700 900111")).json["call_id"]
    run_jobs(app)
    act(client, desk["normal"], "done", outcome="reached")
    html = client.get(f"/calls/{later}").get_data(as_text=True)
    history = re.search(r'id="caller-history">.*?</section>', html, re.S).group(0)
    assert f'href="/calls/{desk["normal"]}"' in history and "Callback done: Reached" in history
    assert f'href="/calls/{desk["urgent"]}"' not in history  # another caller
