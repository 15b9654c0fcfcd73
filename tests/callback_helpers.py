"""Callback desk test helpers: deliveries asking for a callback, missed calls, reading the queue."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from helpers import csrf_from, sample_payload
from sqlalchemy import select

from app.extensions import db
from app.models import Callback

AGENT = "agent_7101k2example"
GAS = "Hi, this is Maria Lopez. There is a smell of gas in my kitchen. Can you call me back tomorrow morning?"
TAP = "My tap drips. Please call me back on Friday afternoon."


def flagged_payload(
    conversation_id: str,
    said: str = TAP,
    *,
    start: datetime | None = None,
    number: str | None = "+447700900123",
    direction: str = "inbound",
    variables: dict | None = None,
    agent_id: str = AGENT,
) -> dict:
    """A transcription whose caller asks to be called back (offline analysis flags it)."""
    started = start or datetime(2026, 11, 25, 10, 15, tzinfo=UTC)
    payload = sample_payload(
        conversation_id=conversation_id,
        agent_id=agent_id,
        transcript=[
            {
                "role": "agent",
                "message": "Hello, Riverside Plumbing, how can I help?",
                "time_in_call_secs": 0,
            },
            {"role": "user", "message": said, "time_in_call_secs": 3},
            {"role": "agent", "message": "Of course, someone will call you back.", "time_in_call_secs": 9},
        ],
        conversation_initiation_client_data={"dynamic_variables": variables or {}},
    )
    meta = payload["data"]["metadata"]
    meta["start_time_unix_secs"] = int(started.timestamp())
    meta["phone_call"]["direction"] = direction
    meta["phone_call"]["external_number"] = number
    return payload


def failure_payload(
    conversation_id: str,
    reason: str = "no-answer",
    metadata: dict | None = None,
    agent_id: str = AGENT,
    timestamp=1764403200,
) -> dict:
    """A call_initiation_failure as ElevenLabs sends it (shared/samples/call_initiation_failure.json)."""
    data = {"agent_id": agent_id, "conversation_id": conversation_id, "failure_reason": reason}
    if metadata is not None:
        data["metadata"] = metadata
    return {"type": "call_initiation_failure", "event_timestamp": timestamp, "data": data}


def twilio(from_: str, to: str, direction: str = "outbound-api", status: str = "no-answer") -> dict:
    body = {"CallSid": "CA0000", "From": from_, "To": to, "CallStatus": status, "Direction": direction}
    return {"type": "twilio", "body": body}


def callback_of(call_id: int) -> Callback | None:
    db.session.expire_all()
    return db.session.execute(select(Callback).where(Callback.call_id == call_id)).scalar_one_or_none()


def callbacks_count() -> int:
    db.session.expire_all()
    return len(db.session.execute(select(Callback.id)).all())


def act(
    client, call_id: int, action: str, htmx_target: str | None = None, page: str = "/callbacks", **fields
):
    """POST a callback action as its form does (CSRF token from `page`); as HTMX when a target is given."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    headers = {"HX-Request": "true", "HX-Target": htmx_target} if htmx_target else {}
    return client.post(
        f"/calls/{call_id}/callback/{action}", data={"csrf_token": token, **fields}, headers=headers
    )


def nav_count(html: str) -> tuple[int, int]:
    """(open, overdue) as the navigation shows them."""
    match = re.search(r'id="nav-callback-count"[^>]*data-open="(\d+)" data-overdue="(\d+)"', html, re.S)
    assert match, "the page has no callback count in its navigation"
    return int(match.group(1)), int(match.group(2))
