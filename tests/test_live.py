"""Live pages: does a workspace's change marker move exactly when its calls and callbacks change, and
does an idle page's poll cost an empty answer and no query beyond the session?"""

from __future__ import annotations

import re
import time

import pytest
from callback_helpers import act, failure_payload, flagged_payload, nav_count
from helpers import AuthActions, deliver, gen_workspace, run_jobs, second_workspace
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import event, select, update

from app.extensions import db
from app.models import Call, User
from app.pipeline.heartbeat import Heartbeat
from app.pipeline.process import claim
from app.services import changes
from app.web import live

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/callbacks?who=mine"}


@pytest.fixture
def acme(app, auth):
    gen_workspace(auth)
    return db.session.execute(select(User.tenant_id)).scalar_one()


def marker(tenant_id: int) -> str:
    return changes.version(tenant_id)


def poll(client, tag: str | None, headers: dict | None = None):
    sent = {"If-None-Match": f'"{tag}"'} if tag else {}
    return client.get("/live", headers={**(headers or HTMX), **sent})


def etag_of(response) -> str:
    return response.headers["ETag"].strip('"')


def poller_tag(html: str) -> str:
    """The ETag the navigation count was drawn with (its hx-headers)."""
    match = re.search(r"If-None-Match&#34;: &#34;\\&#34;([^\\]+)\\&#34;", html) or re.search(
        r'If-None-Match": "\\"([^\\]+)\\"', html
    )
    assert match, "the page has no live poller"
    return match.group(1)


# --------------------------------------------------------------------------- the marker


def test_the_marker_moves_on_ingest_processing_and_callback_actions_only(app, client, acme):
    start = marker(acme)
    for path in ("/calls", "/callbacks", "/settings", "/live"):
        client.get(path)
    assert marker(acme) == start, "reading pages changes nothing"

    call_id = deliver(client, flagged_payload("conv-live-1")).json["call_id"]
    after_ingest = marker(acme)
    assert after_ingest != start

    run_jobs(app)
    after_processing = marker(acme)
    assert after_processing != after_ingest

    owner = db.session.execute(select(User.id)).scalar_one()
    assert act(client, call_id, "assign", "callback-row-1", assignee=str(owner)).status_code == 200
    after_assign = marker(acme)
    assert after_assign != after_processing
    assert act(client, call_id, "done", outcome="reached", note="Booked").status_code == 302
    assert marker(acme) != after_assign
    assert marker(acme) == marker(acme), "reading the marker does not move it"


def test_a_missed_call_and_a_claim_move_the_marker_but_a_heartbeat_or_queue_stamp_do_not(app, client, acme):
    before = marker(acme)
    deliver(client, failure_payload("conv-live-missed"))
    assert marker(acme) != before

    call_id = deliver(client, flagged_payload("conv-live-2")).json["call_id"]

    queued = marker(acme)
    assert claim(call_id)
    claimed = marker(acme)
    assert claimed != queued, "queued -> processing shows on the list"
    with Heartbeat(call_id, 0.01):
        time.sleep(0.1)
    assert marker(acme) == claimed
    call = db.session.get(Call, call_id)
    call.enqueued_at = call.heartbeat_at  # the queue's own stamp, shown nowhere
    db.session.commit()
    assert marker(acme) == claimed


def test_the_sweeper_a_budget_release_and_a_removed_member_move_the_marker(app, client, acme):
    from datetime import timedelta

    from app.models import utcnow
    from app.services import accounts, budget, jobs

    call_id = deliver(client, flagged_payload("conv-live-stale")).json["call_id"]
    stale = utcnow() - timedelta(hours=1)
    db.session.execute(update(Call).where(Call.id == call_id).values(status="processing", heartbeat_at=stale))
    db.session.commit()
    before = marker(acme)
    jobs.sweep()
    assert db.session.get(Call, call_id).status == "queued"
    assert marker(acme) != before, "a dead worker's call back to queued shows on the list"

    db.session.execute(update(Call).where(Call.id == call_id).values(waiting_for="budget"))
    db.session.commit()
    before = marker(acme)
    assert budget.release_waiting_calls() == 1
    assert marker(acme) != before

    accounts.add_member(acme, "sam@acme.test", "member", "correct-horse-2")
    before = marker(acme)
    owner, sam = db.session.execute(select(User).order_by(User.id)).scalars().all()
    accounts.remove_member(owner, sam)
    assert marker(acme) != before


def test_another_workspaces_changes_leave_the_marker_alone(app, client, acme):
    beta = second_workspace(app)
    mine = marker(acme)
    deliver(beta, flagged_payload("conv-beta", agent_id="agent_beta"), secret="whsec_beta_secret_00000001")
    run_jobs(app)
    assert marker(acme) == mine
    beta_tenant = db.session.execute(select(User.tenant_id).where(User.email == "b@beta.test")).scalar_one()
    assert marker(beta_tenant) != mine


def test_a_redis_that_restarts_empty_never_hands_back_an_old_marker(app, client, acme):
    from app.services.jobs import request_redis

    old = marker(acme)
    request_redis().flushdb()
    assert marker(acme) != old
    assert marker(acme) == marker(acme)


def test_a_bulk_update_is_announced_only_when_committed(app, client, acme):
    call_id = deliver(client, flagged_payload("conv-live-3")).json["call_id"]
    before = marker(acme)
    db.session.execute(update(Call).where(Call.id == call_id).values(waiting_for="budget"))
    changes.touch(acme)
    db.session.rollback()
    assert marker(acme) == before
    db.session.execute(update(Call).where(Call.id == call_id).values(waiting_for="budget"))
    changes.touch(acme)
    db.session.commit()
    assert marker(acme) != before


def test_a_change_inside_a_savepoint_is_announced_when_the_outer_transaction_commits(app, client, acme):
    """Ingest stores the call in a savepoint: releasing it is not yet a commit another process sees,
    and a rolled-back savepoint does not forget the outer transaction's changes."""
    call_id = deliver(client, flagged_payload("conv-live-4")).json["call_id"]
    before = marker(acme)
    with db.session.begin_nested():
        db.session.get(Call, call_id).caller_name = "Ada"
    assert marker(acme) == before, "a released savepoint is not a commit"
    try:
        with db.session.begin_nested():
            db.session.execute(update(Call).where(Call.id == -1).values(caller_name="x"))
            raise RuntimeError("roll the savepoint back")
    except RuntimeError:
        pass
    db.session.commit()
    assert marker(acme) != before


# --------------------------------------------------------------------------- GET /live


def test_an_unchanged_poll_is_an_empty_204_and_a_plain_conditional_get_a_304(client, acme):
    first = poll(client, None)
    assert first.status_code == 200
    tag = etag_of(first)
    unchanged = poll(client, tag)
    assert unchanged.status_code == 204
    assert unchanged.data == b""
    assert etag_of(unchanged) == tag
    plain = client.get("/live", headers={"If-None-Match": f'"{tag}"'})
    assert plain.status_code == 304
    assert plain.data == b""


def test_a_changed_poll_sends_the_count_and_tells_the_page(app, client, acme):
    page = client.get("/callbacks").get_data(as_text=True)
    tag = poller_tag(page)
    assert poll(client, tag).status_code == 204, "the page's own ETag is current"

    deliver(client, flagged_payload("conv-live-4"))
    run_jobs(app)
    changed = poll(client, tag)
    assert changed.status_code == 200
    assert changed.headers["HX-Trigger"] == live.CHANGED_EVENT
    html = changed.get_data(as_text=True)
    assert nav_count(html) == (1, 1)
    new_tag = etag_of(changed)
    assert poller_tag(html) == new_tag, "the redrawn count polls with the new ETag"
    assert poll(client, new_tag).status_code == 204


def test_a_new_minute_redraws_the_count_without_refreshing_the_lists(client, acme):
    tag = etag_of(poll(client, None))
    old_minute = f"{live.marker_of(tag)}.{int(tag.rsplit('.', 1)[1]) - 1}"
    answer = poll(client, old_minute)
    assert answer.status_code == 200
    assert "HX-Trigger" not in answer.headers


def test_an_idle_poll_runs_no_query_beyond_the_session_lookup(app, client, acme):
    tag = etag_of(poll(client, None))
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert poll(client, tag).status_code == 204
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 1, statements
    assert "user_sessions" in statements[0]


def test_with_redis_down_the_marker_is_a_digest_of_the_rows(app, client, acme, monkeypatch):
    dead = Redis(port=1, socket_timeout=0.05, socket_connect_timeout=0.05, retry=Retry(NoBackoff(), 0))
    monkeypatch.setattr(changes, "_redis", lambda: dead)
    down = marker(acme)
    assert down.startswith("d")
    tag = etag_of(poll(client, None))
    assert poll(client, tag).status_code == 204
    deliver(client, flagged_payload("conv-live-down"))
    assert marker(acme) != down
    assert poll(client, tag).status_code == 200


def test_signed_out_polls_go_to_the_login_page_of_the_page_they_came_from(client, acme):
    AuthActions(client).logout()
    plain = client.get("/live")
    assert plain.status_code == 302 and "/login" in plain.headers["Location"]
    polled = poll(client, None)
    assert polled.status_code == 401
    assert polled.headers["HX-Redirect"] == "/login?next=/callbacks?who%3Dmine"


# --------------------------------------------------------------------------- the pages


def test_pages_draw_the_poller_and_their_live_regions_with_their_filters(app, client, acme):
    for path in ("/calls", "/callbacks", "/settings"):
        html = client.get(path).get_data(as_text=True)
        assert 'hx-get="/live"' in html and 'hx-trigger="every 5s, ' in html, path
        poller_tag(html)
    calls = client.get("/calls?status=processed&callback=yes").get_data(as_text=True)
    assert re.search(r'data-live-region hx-get="/calls\?status=processed&amp;callback=yes"', calls)
    assert 'hx-select="#calls-table"' in calls
    queue = client.get("/callbacks?who=mine").get_data(as_text=True)
    assert re.search(r'id="live-callbacks-list" data-live-region hx-get="/callbacks\?who=mine"', queue)
    assert 'hx-select-oob="#callbacks-summary"' in queue and 'id="callbacks-summary"' in queue


@pytest.mark.parametrize("config_overrides", [{"LIVE_POLL_SECONDS": 1}], indirect=True)
def test_the_poll_interval_is_configurable(client, acme):
    assert 'hx-trigger="every 1s, ' in client.get("/calls").get_data(as_text=True)
