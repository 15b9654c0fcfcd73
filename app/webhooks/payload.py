"""ElevenLabs payload schemas (lenient: unknown and null fields are fine) and their normalization."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..providers.base import canonical_role

TRANSCRIPTION = "post_call_transcription"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RawTurn(_Lenient):
    role: str | None = None
    message: str | None = None  # ElevenLabs
    content: str | None = None  # the seed's format
    time_in_call_secs: float | None = None
    tool_calls: list[Any] | None = None


class SeedTranscript(_Lenient):
    messages: list[RawTurn]


class PhoneCall(_Lenient):
    type: str | None = None
    direction: str | None = None
    agent_number: str | None = None
    external_number: str | None = None


class Metadata(_Lenient):
    start_time_unix_secs: float | None = None
    call_duration_secs: float | None = None
    termination_reason: str | None = None
    main_language: str | None = None
    cost: float | None = None
    phone_call: PhoneCall | None = None


class ElevenLabsAnalysis(_Lenient):
    call_successful: str | None = None
    transcript_summary: str | None = None
    call_summary_title: str | None = None
    data_collection_results: dict[str, Any] | None = None
    evaluation_criteria_results: dict[str, Any] | None = None


class CallData(_Lenient):
    agent_id: str = Field(min_length=1, max_length=128)
    conversation_id: str = Field(min_length=1, max_length=128)
    agent_name: str | None = None
    status: str | None = None
    transcript: list[RawTurn] | SeedTranscript | None = None
    metadata: Metadata | None = None
    analysis: ElevenLabsAnalysis | None = None


def describe(error: ValidationError, prefix: str = "data") -> str:
    """A readable summary of what was wrong, naming the fields ("data.transcript: ...")."""
    parts = []
    for item in error.errors()[:3]:
        loc = ".".join(str(p) for p in item["loc"] if not str(p).startswith(("list[", "SeedTranscript")))
        parts.append(f"{prefix}.{loc}: {item['msg']}" if loc else f"{prefix}: {item['msg']}")
    more = len(error.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: Any) -> Any:
    """Strings PostgreSQL can store: no NUL characters, no lone surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "\ufffd")
        if not value.isascii():
            value = _SURROGATE.sub("\ufffd", value)  # JSON's "\ud800" escape decodes to one
        return value
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def normalize_turns(transcript: list[RawTurn] | SeedTranscript | None) -> list[dict]:
    turns = transcript.messages if isinstance(transcript, SeedTranscript) else (transcript or [])
    out = []
    for turn in turns:
        text = (turn.message if turn.message is not None else turn.content) or ""
        tools = [
            str(tc.get("tool_name"))
            for tc in (turn.tool_calls or [])
            if isinstance(tc, dict) and tc.get("tool_name")
        ]
        if not text.strip() and not tools:
            continue
        item: dict[str, Any] = {
            "role": canonical_role(turn.role),
            "text": text.strip(),
            "t": turn.time_in_call_secs,
        }
        if tools:
            item["tools"] = tools
        out.append(item)
    return out


def to_datetime(ts: float | None) -> datetime | None:
    if ts is None:
        return None
    try:
        return datetime.fromtimestamp(ts, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else None


def call_fields(data: CallData) -> dict:
    """The Call columns this payload fills (everything but tenant and agent)."""
    meta = data.metadata or Metadata()
    phone = meta.phone_call or PhoneCall()
    turns = normalize_turns(data.transcript)
    el = data.analysis.model_dump(exclude_none=True) if data.analysis else {}
    return clean(
        {
            "conversation_id": data.conversation_id,
            "external_agent_id": data.agent_id,
            "agent_name": _cut(data.agent_name, 120),
            "transcript": turns,
            "transcript_text": "\n".join(f"{t['role']}: {t['text']}" for t in turns if t["text"]),
            "turn_count": len(turns),
            "started_at": to_datetime(meta.start_time_unix_secs),
            "duration_s": meta.call_duration_secs,
            "direction": _cut(phone.direction, 16),
            "caller_number": _cut(phone.external_number, 40),
            "agent_number": _cut(phone.agent_number, 40),
            "termination_reason": _cut(meta.termination_reason, 255),
            "call_metadata": meta.model_dump(exclude_none=True),
            "elevenlabs_analysis": el,
        }
    )
