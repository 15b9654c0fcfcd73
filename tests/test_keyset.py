"""Keyset pagination (app/pagination.py): every row once, in order, both ways; bad cursors are page one."""

from __future__ import annotations

import re

import pytest
from helpers import gen_workspace, pager_link
from list_data import gen_callbacks, gen_calls, gen_deliveries
from sqlalchemy import select

from app.extensions import db
from app.models import Call, Callback, WebhookEvent
from app.pagination import COUNT_CAP, Page, count_capped

ROW_IDS = {
    "/calls": r'<a href="/calls/([0-9]+)" class="mono"',
    "/callbacks": r'data-callback-id="([0-9]+)"',
    "/deliveries": r'href="/deliveries/([0-9]+)"',
    "/jobs": r'data-call-id="([0-9]+)"',
}


@pytest.fixture
def workspace(client, auth):
    gen_workspace(auth)
    return auth


def ids(path: str, html: str) -> list[int]:
    return [int(i) for i in re.findall(ROW_IDS[path.split("?")[0]], html)]


def walk(client, url: str, rel: str = "next") -> tuple[list[list[int]], str]:
    """Follow "Older →" (or "Newer ←") links from `url`; each page's ids, and the last page's URL."""
    pages, path = [], url.split("?")[0]
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(ids(path, html))
        last, url = url, pager_link(html, rel)
        assert len(pages) < 50, "the pager loops"
    return pages, last


def test_calls_walk_older_then_newer_with_ties(client, workspace):
    """60 calls, many sharing a start minute: 25 + 25 + 10, no row twice, none lost, then back again."""
    gen_calls(60)
    expected = [
        c.id
        for c in sorted(
            db.session.execute(select(Call)).scalars(), key=lambda c: (c.started_at, c.id), reverse=True
        )
    ]
    pages, last = walk(client, "/calls")
    assert [len(p) for p in pages] == [25, 25, 10]
    assert sum(pages, []) == expected
    back, _ = walk(client, last, rel="prev")
    assert back == pages[::-1]


def test_sort_by_duration_and_oldest_walk_every_row(client, workspace):
    gen_calls(40)
    calls = db.session.execute(select(Call)).scalars().all()
    longest = sorted(calls, key=lambda c: (-1 if c.duration_s is None else c.duration_s, c.id), reverse=True)
    oldest = sorted(calls, key=lambda c: (c.started_at, c.id))
    assert sum(walk(client, "/calls?sort=duration")[0], []) == [c.id for c in longest]
    assert sum(walk(client, "/calls?sort=oldest")[0], []) == [c.id for c in oldest]


def test_callbacks_walk_urgent_first_then_due(client, workspace):
    """Mixed directions (priority descending, due ascending) page like a single order."""
    gen_callbacks(30)
    rows = db.session.execute(select(Callback)).scalars().all()
    urgent_first = sorted(rows, key=lambda c: (c.priority != "urgent", c.due_at, c.id))
    pages, last = walk(client, "/callbacks")
    assert [len(p) for p in pages] == [25, 5]
    assert sum(pages, []) == [c.id for c in urgent_first]
    assert walk(client, last, rel="prev")[0] == pages[::-1]


def test_deliveries_and_failed_jobs_walk(client, workspace):
    events = gen_deliveries(60)
    assert sorted(sum(walk(client, "/deliveries")[0], [])) == sorted(events)
    failed = gen_calls(30)
    db.session.execute(Call.__table__.update().values(status="failed"))
    db.session.commit()
    pages, _ = walk(client, "/jobs")
    assert [len(p) for p in pages] == [25, 5] and sorted(sum(pages, [])) == sorted(failed)


@pytest.mark.parametrize("path", list(ROW_IDS))
@pytest.mark.parametrize(
    "cursor", ["x", "", "e30", "eyJvIjoiIiwidiI6W119.forged", "A" * 5000, "%00", "٣", "null", "[1,2]"]
)
def test_a_bad_cursor_is_the_first_page(client, workspace, path, cursor):
    for arg in ("after", "before"):
        resp = client.get(path, query_string={arg: cursor})
        assert resp.status_code == 200
        assert 'rel="prev"' not in resp.get_data(as_text=True)


def test_a_cursor_of_another_sort_is_the_first_page(client, workspace):
    """A duration cursor read as a date would be a type error: the order's fingerprint refuses it."""
    gen_calls(30)
    by_duration = pager_link(client.get("/calls?sort=duration").get_data(as_text=True), "next")
    cursor = by_duration.split("after=")[1].split("&")[0]
    html = client.get(f"/calls?after={cursor}").get_data(as_text=True)
    first = client.get("/calls").get_data(as_text=True)
    assert ids("/calls", html) == ids("/calls", first)


def test_past_the_last_page_says_no_more(client, workspace):
    """Rows deleted under an "Older" link: "No more calls" and the way back, not "No calls yet"."""
    gen_calls(30, callback_needed=False)
    older = pager_link(client.get("/calls?callback=no").get_data(as_text=True), "next")
    # Nothing matches past the cursor any more: the five oldest calls now need a callback.
    for call in db.session.execute(select(Call).order_by(Call.started_at, Call.id).limit(5)).scalars():
        call.callback_needed = True
    db.session.commit()
    html = client.get(older).get_data(as_text=True)
    assert "No more calls" in html and "No calls yet" not in html
    assert 'href="/calls?callback=no"' in html


def test_newer_from_the_second_page_is_a_full_first_page(client, workspace):
    """Going back never shows a short page one, even when calls arrived in between."""
    gen_calls(30)
    second = pager_link(client.get("/calls").get_data(as_text=True), "next")
    newer = pager_link(client.get(second).get_data(as_text=True), "prev")
    html = client.get(newer).get_data(as_text=True)
    assert len(ids("/calls", html)) == 25 and 'rel="prev"' not in html


def test_totals_are_exact_under_the_cap_and_capped_above(client, workspace, app):
    gen_calls(12)
    assert "12 calls" in client.get("/calls").get_data(as_text=True)
    with app.test_request_context():
        assert count_capped(select(Call), Call.id, cap=5) == 6
        assert count_capped(select(Call), Call.id, cap=50) == 12
    assert Page(items=[], total=COUNT_CAP).total_label == "10,000"
    assert Page(items=[], total=COUNT_CAP + 1).total_label == "10,000+"


@pytest.mark.parametrize(
    ("path", "noun"),
    [
        ("/calls", "calls"),
        ("/callbacks", "callbacks"),
        ("/deliveries", "deliveries"),
        ("/jobs", "failed calls"),
    ],
)
def test_every_list_says_no_more_past_its_end(client, workspace, path, noun):
    gen_callbacks(30)
    gen_deliveries(60)
    db.session.execute(Call.__table__.update().values(status="failed"))
    db.session.commit()
    older = pager_link(client.get(path).get_data(as_text=True), "next")
    db.session.execute(Callback.__table__.delete())
    db.session.execute(WebhookEvent.__table__.delete())
    db.session.execute(Call.__table__.delete())
    db.session.commit()
    html = client.get(older).get_data(as_text=True)
    assert f"No more {noun}" in html and 'id="past-end"' in html


def test_ranked_search_pages_by_rank_then_newest(client, workspace):
    """The search's relevance is the first keyset key: every match once, across pages, both ways."""
    strong = gen_calls(10, summary="boiler boiler boiler: the boiler is broken")
    weak = gen_calls(20, summary="a boiler question")
    gen_calls(5, summary="nothing to see")
    pages, last = walk(client, "/calls?q=boiler")
    found = sum(pages, [])
    assert sorted(found) == sorted(strong + weak) and len(pages) == 2
    assert set(found[:10]) == set(strong)  # the stronger matches first
    assert walk(client, last, rel="prev")[0] == pages[::-1]
