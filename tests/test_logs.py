"""Log forging: text a tenant controls (a conversation id, an event type, an error quoting them) never
starts a new line in the web or worker logs; one event is one line."""

from __future__ import annotations

import logging
import re

import pytest
from helpers import deliver, gen_workspace, sample_payload, worker_burst

from app.logs import StderrHandler, configure_logging, guard, one_line
from app.services.jobs import get_queue

LINE_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


def forged(text: str) -> list[str]:
    """Lines that start with our marker: what an attacker would have made look like an event."""
    return [line for line in text.splitlines() if line.startswith("FORGED")]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("tab\there", "tab\\there"),
        ("esc\x1b[31mred", "esc\\x1b[31mred"),
        ("nel\x85x", "nel\\x85x"),
        ("ls\u2028ps\u2029", "ls\\u2028ps\\u2029"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("nul\x00", "nul\\x00"),
        ("Zoë 📞 Müller", "Zoë 📞 Müller"),  # ordinary text is left alone
    ],
)
def test_one_line_escapes_what_could_end_a_line(raw, escaped):
    assert one_line(raw) == escaped


def test_a_record_through_the_apps_handler_is_one_line(app, capsys):
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, StderrHandler))
    assert handler is configure_logging()  # installed once, by create_app
    log = logging.getLogger("calldesk.test")
    log.warning("conversation %s done", "conv_1\nFORGED 2026-01-01 00:00:00,000 INFO calldesk: all good")
    try:
        raise ValueError("agent name\r\nFORGED line from an exception")
    except ValueError:
        log.exception("step failed for %s", "Acme\u2028FORGED")
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 2 and all(LINE_START.match(line) for line in lines)
    assert "conv_1\\nFORGED 2026" in lines[0]
    assert "Traceback (most recent call last):\\n" in lines[1] and "\\r\\nFORGED line" in lines[1]
    assert forged(err) == []


def test_a_delivery_cannot_forge_a_web_log_line(client, auth, capsys):
    gen_workspace(auth)
    capsys.readouterr()
    payload = sample_payload(conversation_id="conv_log\nFORGED conversation")
    payload["type"] = "future_event\nFORGED 2026-01-01 00:00:00,000 INFO calldesk: webhook 1: accepted"
    resp = deliver(client, payload)
    assert resp.status_code < 500
    err = capsys.readouterr().err
    assert "webhook" in err  # the delivery was logged ...
    assert forged(err) == []  # ... on one line


def test_guard_keeps_a_foreign_handlers_format():
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    guard(handler)
    record = logging.LogRecord("rq.worker", logging.INFO, __file__, 1, "job %s", ("a\nFORGED",), None)
    assert handler.format(record) == "[INFO] job a\\nFORGED"


def test_worker_output_has_one_line_per_event(app, migrated, redis_url):
    """`python worker.py --burst` with a job an older version enqueued (its description quoted the
    conversation id) and a job whose failure message quotes its argument."""
    queue = get_queue()
    queue.enqueue(
        "app.pipeline.process.process_call",
        424242,
        job_id="call-424242",
        description="process call 424242 (conv_1\nFORGED 2026-01-01 00:00:00,000 INFO rq.worker: hi)",
    )
    queue.enqueue(
        "app.pipeline.process.process_call", "7\nFORGED value in an error", job_id="call-bad", description="x"
    )
    result = worker_burst(migrated, redis_url)
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "conv_1\\nFORGED 2026" in output  # RQ logged the description, escaped
    assert forged(output) == []
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines and all(LINE_START.match(line) for line in lines), output[-3000:]
