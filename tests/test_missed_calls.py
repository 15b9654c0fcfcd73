"""Missed calls are callbacks too: a signed call_initiation_failure for a known agent stores a call marked
missed (never analysed, never failed) and opens a callback to the customer's number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from callback_helpers import callback_of, failure_payload, twilio
from helpers import deliver, gen_workspace, jobs_page, run_jobs
from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, Callback, Tenant, WebhookEvent
from app.services.jobs import get_queue

SAMPLE = Path(__file__).resolve().parent / "data" / "call_initiation_failure.json"  # from shared/samples


@pytest.fixture
def workspace(auth):
    gen_workspace(auth)
    tenant = db.session.execute(select(Tenant)).scalar_one()
    tenant.timezone = "Europe/London"  # region GB for national numbers
    db.session.commit()


def _missed(client, payload) -> Call:
    resp = deliver(client, payload)
    assert resp.status_code == 202, resp.get_data(as_text=True)
    assert resp.json["status"] == "accepted"
    db.session.expire_all()
    return db.session.get(Call, resp.json["call_id"])


def test_the_shared_sample_opens_a_callback_to_the_number_dialled(client, workspace):
    payload = json.loads(SAMPLE.read_text())
    payload["data"]["agent_id"] = "agent_7101k2example"
    call = _missed(client, payload)
    assert call.status == "missed" and call.direction == "outbound"
    assert call.caller_number == "+442079460000"  # To: the customer the agent dialled
    assert call.agent_number == "+442079460958"
    assert call.analysed_at is None and call.callback_needed is True
    callback = callback_of(call.id)
    assert (callback.source, callback.state, callback.reason) == ("missed", "open", "Missed call: no answer")
    assert callback.caller_number == "+442079460000"
    assert callback.due_resolved is False
    assert get_queue().count == 0  # never enters the pipeline
    event = db.session.execute(select(WebhookEvent)).scalar_one()
    assert (event.outcome, event.call_id) == ("accepted", call.id)


@pytest.mark.parametrize(
    ("metadata", "number", "direction"),
    [
        (twilio("+442079460958", "+447700900123", "outbound-api"), "+447700900123", "outbound"),
        (twilio("+442079460958", "07700 900123", "outbound-dial"), "+447700900123", "outbound"),
        (twilio("+447700900555", "+442079460958", "inbound"), "+447700900555", "inbound"),
        (twilio("+442079460958", "+447700900123", None), "+447700900123", "outbound"),  # usual case
        (
            {
                "type": "sip",
                "body": {
                    "from_number": "+442079460958",
                    "to_number": "+14155550134",
                    "sip_status_code": 486,
                    "error_reason": "Busy Here",
                },
            },
            "+14155550134",
            "outbound",
        ),
        (
            {
                "type": "sip",
                "body": {"from_number": "+14155550199", "to_number": "+442079460958", "direction": "inbound"},
            },
            "+14155550199",
            "inbound",
        ),
    ],
)
def test_the_customer_is_the_number_dialled_or_for_inbound_the_caller(
    client, workspace, metadata, number, direction
):
    call = _missed(client, failure_payload("conv-missed", "busy", metadata))
    assert (call.caller_number, call.direction) == (number, direction)
    assert callback_of(call.id).caller_number == number
    assert callback_of(call.id).reason == "Missed call: busy"


def test_sip_details_are_kept_for_staff(client, workspace):
    body = {
        "from_number": "+442079460958",
        "to_number": "+14155550134",
        "sip_status_code": 486,
        "error_reason": "Busy Here",
    }
    call = _missed(client, failure_payload("conv-sip", "busy", {"type": "sip", "body": body}))
    assert "sip_status_code 486" in call.termination_reason and "Busy Here" in call.termination_reason


@pytest.mark.parametrize(
    "metadata", [None, {}, {"type": "twilio"}, {"type": "sip", "body": "garbled"}, [1, 2]]
)
def test_missing_metadata_still_opens_a_callback_without_a_number(client, workspace, metadata):
    payload = failure_payload("conv-nometa", "unknown", metadata)
    if metadata is None:
        payload["data"].pop("metadata", None)
    call = _missed(client, payload)
    assert call.status == "missed" and call.caller_number is None
    callback = callback_of(call.id)
    assert callback.reason == "Missed call: failed" and callback.caller_number is None
    assert "the number was not sent" in call.summary


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        ("busy", "Missed call: busy"),
        ("no-answer", "Missed call: no answer"),
        ("unknown", "Missed call: failed"),
        (None, "Missed call: failed"),
        ("something-new", "Missed call: failed"),
    ],
)
def test_the_reason_says_what_happened(client, workspace, reason, text):
    call = _missed(client, failure_payload(f"conv-{reason}", reason, twilio("+1", "+447700900123")))
    assert callback_of(call.id).reason == text


def test_a_repeat_is_a_duplicate_and_opens_nothing_more(client, workspace):
    first = _missed(client, failure_payload("conv-dup", "busy", twilio("+1", "+447700900123")))
    resp = deliver(client, failure_payload("conv-dup", "busy", twilio("+1", "+447700900123")))
    assert resp.status_code == 200 and resp.json == {"status": "duplicate", "call_id": first.id}
    assert db.session.execute(select(func.count()).select_from(Callback)).scalar_one() == 1


def test_unknown_agents_and_bad_signatures_are_refused_as_before(client, workspace):
    assert deliver(client, failure_payload("conv-x", agent_id="agent_nobody")).status_code == 404
    assert deliver(client, failure_payload("conv-y"), secret="whsec_wrong_secret_0000").status_code == 401
    bad = failure_payload("conv-z")
    bad["data"]["conversation_id"] = 42
    assert deliver(client, bad).status_code == 422
    assert db.session.execute(select(func.count()).select_from(Call)).scalar_one() == 0


def test_a_missed_call_is_neither_processed_nor_failed(app, client, workspace):
    call = _missed(client, failure_payload("conv-nofail", "no-answer", twilio("+1", "+447700900123")))
    run_jobs(app)
    db.session.expire_all()
    assert db.session.get(Call, call.id).status == "missed"
    page = jobs_page(client)
    assert page["failed"] == {} and page["counts"].get("failed", 0) == 0
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "never connected" in html and 'data-callback-state="open"' in html
    assert "Processing failed" not in html and "Waiting for a worker" not in html


def test_it_shows_in_the_queue_with_its_number_and_reason(client, workspace):
    call = _missed(client, failure_payload("conv-queue", "busy", twilio("+1", "07700 900123")))
    html = client.get("/callbacks").get_data(as_text=True)
    assert 'href="tel:+447700900123"' in html and "+44 7700 900123" in html
    assert "Missed call: busy" in html and "Missed call</span>" in html
    assert f'href="/calls/{call.id}"' in html
    assert "missed" in client.get("/calls?status=missed").get_data(as_text=True)


def test_a_timestamp_as_a_string_or_iso_is_the_call_time(client, workspace):
    call = _missed(client, failure_payload("conv-ts1", timestamp="1764403200"))
    assert call.started_at.isoformat() == "2025-11-29T08:00:00+00:00"
    call = _missed(client, failure_payload("conv-ts2", timestamp="2025-11-29T08:00:00Z"))
    assert call.started_at.isoformat() == "2025-11-29T08:00:00+00:00"
    call = _missed(client, failure_payload("conv-ts3", timestamp={"odd": True}))
    assert call.started_at is not None
