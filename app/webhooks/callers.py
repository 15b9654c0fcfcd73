"""Who a delivery is about: the customer's number and name, and the missed call of an initiation failure.

A transcription names the customer in its phone-call metadata (`external_number`) or in the dynamic
variables the conversation started with (`system__caller_id` for an inbound call, the number dialled,
`system__called_number`, for an outbound one; names such as `customer_name` or `user_name`). A
`call_initiation_failure` names them in Twilio's status-callback fields (`From`/`To`/`Direction`) or
in the SIP ones (`from_number`/`to_number`); for an outbound attempt, the usual case, the customer
is the number dialled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .payload import CallData, clean, to_datetime

INITIATION_FAILURE = "call_initiation_failure"
NAME_KEYS = ("customer_name", "caller_name", "user_name", "contact_name", "full_name", "name")
NUMBER_KEYS = ("customer_phone", "customer_number", "caller_number", "phone_number")
FAILURE_LABELS = {"busy": "busy", "no-answer": "no answer"}


class FailureData(BaseModel):
    """`data` of a call_initiation_failure: only the ids are required, the rest is read leniently."""

    model_config = ConfigDict(extra="ignore")

    agent_id: str = Field(min_length=1, max_length=128)
    conversation_id: str = Field(min_length=1, max_length=128)
    failure_reason: Any = None
    metadata: Any = None


@dataclass
class MissedCall:
    """A checked call_initiation_failure, and when it happened."""

    data: FailureData
    at: datetime | None


def _text(value, size: int) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else None
    if not isinstance(value, str):
        return None
    value = clean(value).strip()
    return value[:size] or None


def dynamic_variables(client_data) -> dict:
    """`conversation_initiation_client_data.dynamic_variables`, or {} when it is missing or malformed."""
    variables = client_data.get("dynamic_variables") if isinstance(client_data, dict) else None
    return variables if isinstance(variables, dict) else {}


def caller(data: CallData) -> tuple[str | None, str | None]:
    """(number as sent, name) of the customer on a transcription; either may be None."""
    variables = dynamic_variables(data.conversation_initiation_client_data)
    phone = data.metadata.phone_call if data.metadata and data.metadata.phone_call else None
    outbound = bool(phone and (phone.direction or "").lower().startswith("outbound"))
    system_key = "system__called_number" if outbound else "system__caller_id"
    number = _text(phone.external_number if phone else None, 40)
    for key in (system_key, *NUMBER_KEYS):
        number = number or _text(variables.get(key), 40)
    name = next((n for n in (_text(variables.get(k), 120) for k in NAME_KEYS) if n), None)
    return number, name


def event_time(value) -> datetime | None:
    """`event_timestamp` (seconds, as a number or a string, or ISO 8601) as an aware datetime."""
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return to_datetime(int(text))
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return to_datetime(value)
    return None


def missed_call(data: FailureData, at: datetime) -> dict:
    """The Call columns of a call that never connected (everything but tenant, agent and number form)."""
    meta = data.metadata if isinstance(data.metadata, dict) else {}
    kind = meta.get("type") if isinstance(meta.get("type"), str) else None
    body = meta.get("body") if isinstance(meta.get("body"), dict) else {}
    twilio = (body.get("From"), body.get("To"), body.get("Direction"))
    sip = (body.get("from_number"), body.get("to_number"), body.get("direction"))
    from_, to, direction = twilio if kind == "twilio" or (kind != "sip" and any(twilio)) else sip
    inbound = str(direction or "").strip().lower().startswith("inbound")
    customer, ours = (from_, to) if inbound else (to, from_)
    reason = str(data.failure_reason or "").strip().lower()
    detail = [f"call initiation failed: {FAILURE_LABELS.get(reason, 'failed')}"]
    for key in ("sip_status_code", "error_reason", "CallStatus"):
        value = _text(body.get(key), 80)
        if value:
            detail.append(f"{key} {value}")
    return clean(
        {
            "conversation_id": data.conversation_id,
            "external_agent_id": data.agent_id,
            "transcript": [],
            "transcript_text": "",
            "turn_count": 0,
            "started_at": at,
            "direction": "inbound" if inbound else "outbound",
            "caller_number": _text(customer, 40),
            "agent_number": _text(ours, 40),
            "termination_reason": "; ".join(detail)[:255],
            "call_metadata": {
                "initiation_failure": {
                    "failure_reason": _text(data.failure_reason, 40),
                    "type": _text(kind, 16),
                    "body": body,
                }
            },
            "status": "missed",
        }
    )
