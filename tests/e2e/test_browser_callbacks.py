"""The morning routine at the callback desk, in a real browser against gunicorn and a real worker: with
/callbacks open, a flagged call arrives through the signed webhook and shows in the queue and the
navigation count by itself (live polling, no reload); it is assigned and marked done inline while another
call arrives (the half-typed note survives the update); a missed call arrives with its number, again
without a reload, and is worked from its call page. The calls list picks up new calls the same way,
keeping its filters and scroll position. Screenshots of the queue and a call page, at desktop and phone
width, go to tests/e2e/artifacts/."""

from __future__ import annotations

import re

import pytest
import test_browser as tb
from playwright.sync_api import expect
from test_browser import ARTIFACTS, mark_document, same_document, workspace

pytestmark = pytest.mark.e2e

# The browser, the web server and the worker, as the other browser tests have them (a server per module).
browser, context, page, server = tb.browser, tb.context, tb.page, tb.server

LIVE_TIMEOUT_MS = 10_000  # a live page notices a change within LIVE_POLL_SECONDS (1 s here) and a fetch
GAS = "Hi, this is Maria Lopez. There is a smell of gas in my kitchen. Can you call me back tomorrow morning?"


def flagged(conversation_id: str, agent_id: str) -> dict:
    return {
        "type": "post_call_transcription",
        "data": {
            "agent_id": agent_id,
            "conversation_id": conversation_id,
            "transcript": [
                {"role": "agent", "message": "Hello, Riverside Plumbing, how can I help?"},
                {"role": "user", "message": GAS},
                {"role": "agent", "message": "Of course, someone will call you back tomorrow morning."},
            ],
            "metadata": {
                "start_time_unix_secs": 1764065700,
                "call_duration_secs": 48,
                "phone_call": {"direction": "inbound", "external_number": "07700 900123"},
            },
        },
    }


def missed(conversation_id: str, agent_id: str) -> dict:
    body = {
        "From": "+442079460958",
        "To": "+442079460000",
        "CallStatus": "no-answer",
        "Direction": "outbound-api",
    }
    return {
        "type": "call_initiation_failure",
        "event_timestamp": 1764403200,
        "data": {
            "agent_id": agent_id,
            "conversation_id": conversation_id,
            "failure_reason": "no-answer",
            "metadata": {"type": "twilio", "body": body},
        },
    }


def deliver_missed(server, payload: dict, secret: str) -> int:
    """Initiation failures are answered 202 like transcriptions (stored at once, nothing queued)."""
    return server.deliver(payload, secret)


def nav(page):
    return page.locator("#nav-callback-count")


def wait_for_polls(page, count: int) -> list[int]:
    """Let the page's live poller ask `count` more times (each LIVE_POLL_SECONDS apart); their statuses."""
    statuses = []
    for _ in range(count):
        with page.expect_response(lambda r: r.url.endswith("/live"), timeout=LIVE_TIMEOUT_MS) as answer:
            pass
        statuses.append(answer.value.status)
    return statuses


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_morning_routine(page, server):
    server.start_worker()
    agent_id, secret = workspace(page, "desk")
    page.goto("/settings")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.get_by_role("status").filter(has_text="Time zone saved")).to_be_visible()
    expect(page.get_by_text("Times in Europe/London")).to_be_visible()

    page.goto("/callbacks")
    expect(page.get_by_role("heading", name="No open callbacks")).to_be_visible()
    expect(nav(page)).to_have_attribute("data-open", "0")
    mark_document(page)

    # A flagged call arrives through the real webhook and worker, and shows up by itself.
    call_id = server.deliver(flagged("conv-e2e-gas", agent_id), secret)
    server.wait_until_processed(call_id)
    row = page.locator(".cb-row").first
    expect(row).to_have_attribute("data-state", "open", timeout=LIVE_TIMEOUT_MS)
    assert same_document(page), "the queue must update by itself, without a reload"
    row = page.locator(f"#{row.get_attribute('id')}")
    expect(row.locator(".badge.urgent")).to_have_text("Urgent")
    expect(row.locator(".caller-name")).to_have_text("Maria Lopez")
    expect(row.locator("a.tel")).to_have_attribute("href", "tel:+447700900123")
    expect(row.locator("a.tel")).to_have_text("+44 7700 900123")
    expect(row.get_by_role("link", name="Open call")).to_have_attribute("href", f"/calls/{call_id}")
    expect(row.locator("time.due")).to_have_attribute("title", "2025-11-26 09:00 GMT")
    expect(row.locator("time.due")).to_have_text(re.compile(r"^overdue \d+ d$"))
    expect(nav(page)).to_have_attribute("data-open", "1")
    expect(nav(page)).to_contain_text("1 overdue")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "callbacks.png", full_page=True)

    # Assign to me, then mark done with a note: inline, the page is never reloaded.
    row.get_by_role("button", name="Assign to me").click()
    expect(row.locator(".cb-assignee")).to_have_text("owner@desk.e2e.test")
    expect(row.get_by_role("button", name="Assign to me")).to_have_count(0)
    row.get_by_label("Outcome").select_option("reached")
    row.get_by_label("Note").fill("Engineer booked for 10:00, gas supply off")
    # Another call arrives while the note is being typed: the count follows at once, the queue waits.
    tap = flagged("conv-e2e-tap", agent_id)
    tap["data"]["transcript"][1]["message"] = "My tap drips. Please call me back on Friday afternoon."
    tap_id = server.deliver(tap, secret)
    server.wait_until_processed(tap_id)
    expect(nav(page)).to_have_attribute("data-open", "2", timeout=LIVE_TIMEOUT_MS)
    wait_for_polls(page, 2)
    expect(row.get_by_label("Note")).to_have_value("Engineer booked for 10:00, gas supply off")
    expect(row.get_by_label("Outcome")).to_have_value("reached")
    expect(page.locator(".cb-row")).to_have_count(1)
    row.get_by_role("button", name="Mark done").click()
    expect(row).to_have_attribute("data-state", "done")
    expect(row).to_contain_text("Outcome: Reached")
    expect(nav(page)).to_have_attribute("data-open", "1")  # the count drops with the same answer
    # Done with the form: the queue now catches up (the open ones: only the new call).
    tap_row = page.locator(".cb-row", has_text="Friday afternoon")
    expect(tap_row).to_have_attribute("data-state", "open", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator(".cb-row")).to_have_count(1)
    expect(page.locator("#callbacks-summary")).to_contain_text("1 open")
    assert same_document(page), "the actions must update the row in place, not reload the page"

    # A missed call arrives with its number and shows in the queue, without a reload.
    missed_id = deliver_missed(server, missed("conv-e2e-missed", agent_id), secret)
    missed_row = page.locator(".cb-row", has_text="Missed call: no answer")
    expect(missed_row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(missed_row.locator("a.tel")).to_have_attribute("href", "tel:+442079460000")
    expect(missed_row.locator("a.tel")).to_have_text("+44 20 7946 0000")
    expect(missed_row.locator(".badge.missed")).to_have_text("Missed call")
    expect(nav(page)).to_have_attribute("data-open", "2")
    assert same_document(page), "the missed call must show up without a reload"

    # The call page shows the done callback, its timeline and the note.
    page.goto(f"/calls/{call_id}")
    main = page.locator("#call-main")
    expect(main).to_have_attribute("data-callback-state", "done")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("owner@desk.e2e.test marked it done: Reached")
    expect(timeline).to_contain_text("Engineer booked for 10:00, gas supply off")
    expect(timeline).to_contain_text("owner@desk.e2e.test assigned it to owner@desk.e2e.test")

    # Worked from its call page: assign with the select, add a note, mark done; all in place.
    page.goto(f"/calls/{missed_id}")
    main = page.locator("#call-main")
    expect(main).to_have_attribute("data-callback-state", "open")
    expect(main).to_have_attribute("data-call-status", "missed")
    page.screenshot(path=ARTIFACTS / "callback-call.png", full_page=True)
    mark_document(page)
    page.locator("#callback-panel").get_by_label("Assignee").select_option(label="owner@desk.e2e.test (me)")
    page.locator("#callback-panel").get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#callback-panel dd.cb-assignee")).to_have_text("owner@desk.e2e.test")
    page.get_by_label("Add a note").fill("Rang at 9:05, no answer")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".timeline")).to_contain_text("Rang at 9:05, no answer")
    page.locator("#callback-panel").get_by_label("Outcome").select_option("left_voicemail")
    page.locator("#callback-panel").get_by_role("button", name="Mark done").click()
    expect(page.locator("#call-main")).to_have_attribute("data-callback-state", "done")
    expect(nav(page)).to_have_attribute("data-open", "1")
    page.locator("#callback-panel").get_by_role("button", name="Reopen").click()
    expect(page.locator("#call-main")).to_have_attribute("data-callback-state", "open")
    expect(nav(page)).to_have_attribute("data-open", "2")
    assert same_document(page)

    # A refused change shows its reason in place (a teammate removed meanwhile is simulated by a bad id).
    page.locator("#callback-panel select[name=assignee]").evaluate(
        "s => { const o = document.createElement('option'); o.value = '999999'; o.text = 'ghost';"
        " s.add(o); s.value = '999999'; }"
    )
    page.locator("#callback-panel").get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#callback-panel [role=alert]")).to_contain_text("not a member of this workspace")
    assert same_document(page)


def test_screens_at_desktop_and_phone_width(page, server):
    """For people to look at (tests/e2e/artifacts/); on a phone nothing scrolls sideways."""
    server.start_worker()
    agent_id, secret = workspace(page, "deskshots")
    first = server.deliver(flagged("conv-e2e-shot-1", agent_id), secret)
    payload = flagged("conv-e2e-shot-2", agent_id)
    payload["data"]["transcript"][1]["message"] = "My tap drips. Please call me back on Friday afternoon."
    payload["data"]["metadata"]["phone_call"]["external_number"] = "+1 415 555 0134"
    second = server.deliver(payload, secret)
    deliver_missed(server, missed("conv-e2e-shot-3", agent_id), secret)
    server.wait_until_processed(first, second)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, suffix in [(1280, ""), (390, "-phone")]:
        page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
        page.goto("/callbacks")
        expect(page.locator(".cb-row")).to_have_count(3)
        page.screenshot(path=ARTIFACTS / f"callbacks{suffix}.png", full_page=True)
        assert no_sideways_scroll(page), f"/callbacks scrolls sideways at {width} px"
        page.goto(f"/calls/{first}")
        expect(page.locator("#callback-panel")).to_be_visible()
        page.screenshot(path=ARTIFACTS / f"callback-call{suffix}.png", full_page=True)
        assert no_sideways_scroll(page), f"the call page scrolls sideways at {width} px"
    for name in ("callbacks", "callbacks-phone", "callback-call", "callback-call-phone"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 0
