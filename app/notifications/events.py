"""Event types and bodies: `{"type", "timestamp", "data"}` as Standard Webhooks describes them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

EVENT_TYPES = {
    "callback.created": "A caller needs a callback",
    "callback.assigned": "A callback was assigned",
    "callback.done": "A callback was marked done",
    "call.processed": "A call was processed",
    "budget.reached": "The monthly AI budget is reached",
    "test": "Test event from Settings",
}
# Events that also go out by e-mail (when SMTP is set up and there is someone to write to).
EMAIL_EVENT_TYPES = {"callback.created", "callback.assigned", "callback.done", "budget.reached", "test"}

# Receivers may paste a body into HTML or a <script>: these never appear raw (JSON stays equivalent).
_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _default(value):
    if isinstance(value, datetime | date):
        return _iso(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode(event_type: str, data: dict, timestamp: datetime) -> str:
    """The body as sent: compact JSON, UTF-8, with <, >, & and line separators escaped."""
    payload = {"type": event_type, "timestamp": _iso(timestamp), "data": data}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_default)
    return text.translate(_ESCAPES)


def call_data(call, callback=None) -> dict:
    """The `data` of a call or callback event, built from a Call and (optionally) its callback.

    `callback` may be any object with some of: id, reason, requested_time, due_at, priority, state,
    outcome, assignee (a User or None), caller_number, caller_name; what it lacks is null. Without
    one, a call the analysis flagged still carries its callback reason and requested time.
    """
    caller_number = getattr(callback, "caller_number", None) or call.caller_number
    caller_name = getattr(callback, "caller_name", None) or getattr(call, "caller_name", None)
    data = {
        "call_id": call.id,
        "conversation_id": call.conversation_id,
        "status": call.status,
        "agent": {"id": call.external_agent_id, "name": call.agent_name},
        "started_at": _iso(call.started_at),
        "duration_s": call.duration_s,
        "direction": call.direction,
        "summary": call.summary,
        "caller": {"number": caller_number, "name": caller_name},
        "callback": None,
    }
    if callback is not None:
        assignee = getattr(callback, "assignee", None)
        data["callback"] = {
            "id": getattr(callback, "id", None),
            "reason": getattr(callback, "reason", None),
            "requested_time": getattr(callback, "requested_time", None),
            "due_at": _iso(getattr(callback, "due_at", None)),
            "priority": getattr(callback, "priority", None),
            "state": getattr(callback, "state", None),
            "outcome": getattr(callback, "outcome", None),
            "assignee": {"id": assignee.id, "email": assignee.email} if assignee is not None else None,
        }
    elif call.callback_needed:
        data["callback"] = {
            "id": None,
            "reason": call.callback_reason,
            "requested_time": call.callback_requested_time,
            "due_at": None,
            "priority": None,
            "state": None,
            "outcome": None,
            "assignee": None,
        }
    return data
