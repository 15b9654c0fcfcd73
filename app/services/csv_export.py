"""Calls as CSV rows: one function per row, cells safe to open in a spreadsheet.

A cell a caller could have typed (name, summary, reason, topics) might start with "=", "+", "-",
"@", a tab or a carriage return, which Excel, LibreOffice and Google Sheets read as a formula
(OWASP "CSV injection"): such a cell gets a leading apostrophe. Quoting, commas and newlines are
the csv module's (RFC 4180, CRLF line ends).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, tzinfo

from ..models import Call

HEADER = (
    "id",
    "conversation_id",
    "started",
    "agent",
    "caller_name",
    "caller_number",
    "status",
    "duration_s",
    "callback",
    "callback_reason",
    "sentiment",
    "topics",
    "summary",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # lets Excel read the file as UTF-8 (names with accents, other scripts)


def neutralise(value) -> str:
    """The cell as text, prefixed with ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def call_row(call: Call, zone: tzinfo) -> list[str]:
    started = call.started_at or call.created_at
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    duration = "" if call.duration_s is None else f"{call.duration_s:g}"
    callback = {True: "yes", False: "no"}.get(call.callback_needed, "")
    agent = call.agent.name if call.agent else (call.agent_name or call.external_agent_id)
    summary = call.summary or (call.elevenlabs_analysis or {}).get("transcript_summary") or ""
    return [
        str(call.id),
        neutralise(call.conversation_id),
        started.astimezone(zone).isoformat(timespec="seconds"),
        neutralise(agent),
        neutralise(call.caller_name),
        neutralise(call.caller_number),
        call.status,
        duration,
        callback,
        neutralise(call.callback_reason),
        neutralise(call.sentiment),
        neutralise("; ".join(str(t) for t in (call.topics or []))),
        neutralise(summary),
    ]


def csv_lines(calls: Iterable[Call], zone: tzinfo) -> Iterator[str]:
    """The header, then one encoded line per call, as the calls come (nothing is collected)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(HEADER)
    for call in calls:
        yield line(call_row(call, zone))
