"""The calls list updates by itself, in a real browser against gunicorn and a real worker: a call that
arrives while the list is open shows up without a reload, where the reader had scrolled to, and a
filtered list stays filtered (the live refresh asks for the address bar's page, not page 1 of all)."""

from __future__ import annotations

import pytest
import test_browser as tb
from helpers import seed_payload
from playwright.sync_api import expect
from test_browser import mark_document, same_document, workspace
from test_browser_callbacks import LIVE_TIMEOUT_MS, missed, wait_for_polls

pytestmark = pytest.mark.e2e

browser, context, page, server = tb.browser, tb.context, tb.page, tb.server

# What the browser does when a tab goes to the background or comes back (headless tabs never do).
VISIBILITY = """() => {{
    Object.defineProperty(document, "visibilityState", {{value: "{state}", configurable: true}});
    document.dispatchEvent(new Event("visibilitychange"));
}}"""


def test_the_calls_list_picks_up_new_calls_without_a_reload(page, server):
    server.start_worker()
    agent_id, secret = workspace(page, "livecalls")
    first = [server.deliver(seed_payload(f"conv-e2e-live-{n}", agent_id), secret) for n in range(6)]
    server.wait_until_processed(*first)

    # A short window, scrolled to the bottom of the list.
    page.set_viewport_size({"width": 1280, "height": 420})
    page.goto("/calls")
    table = page.locator("#calls-table")
    expect(table.locator("tbody tr")).to_have_count(6)
    # Nothing changes: the polls are answered "no content" (a new minute may redraw the count once).
    assert wait_for_polls(page, 3).count(204) >= 2
    # A tab in the background does not poll; shown again, it polls again.
    page.evaluate(VISIBILITY.format(state="hidden"))
    page.wait_for_timeout(500)  # a poll already on its way lands
    polls = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/live") else None)
    page.wait_for_timeout(3000)
    assert polls == [], "a hidden tab must not poll"
    with page.expect_response(lambda r: r.url.endswith("/live"), timeout=LIVE_TIMEOUT_MS):
        page.evaluate(VISIBILITY.format(state="visible"))
    mark_document(page)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 100, "the list must be long enough to scroll"

    new = server.deliver(seed_payload("conv-e2e-live-new", agent_id), secret)
    expect(table.get_by_role("link", name="conv-e2e-live-new")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    server.wait_until_processed(new)
    row = table.locator("tr", has_text="conv-e2e-live-new")
    expect(row.locator(".badge.status-processed")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert same_document(page), "the list must update by itself, without a reload"
    assert page.evaluate("window.scrollY") >= scrolled - 60, "the reader's scroll position is kept"

    # Filtered to missed calls: an ordinary call arrives and stays out; a missed one comes in.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/calls?status=missed")
    expect(page.get_by_role("heading", name="No calls match these filters")).to_be_visible()
    mark_document(page)
    other = server.deliver(seed_payload("conv-e2e-live-other", agent_id), secret)
    server.wait_until_processed(other)
    wait_for_polls(page, 3)
    expect(page.get_by_role("heading", name="No calls match these filters")).to_be_visible()
    server.deliver(missed("conv-e2e-live-missed", agent_id), secret)
    expect(table.get_by_role("link", name="conv-e2e-live-missed")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_label("Status")).to_have_value("missed")
    assert page.url.endswith("/calls?status=missed")
    assert same_document(page)
