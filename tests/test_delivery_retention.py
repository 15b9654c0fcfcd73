"""Rejected deliveries are deleted after WEBHOOK_EVENTS_RETENTION_DAYS: by the worker's sweeper, or by
`flask --app wsgi purge-deliveries`. Accepted, duplicate and ignored ones stay with their calls."""

from __future__ import annotations

import importlib.util
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import WebhookEvent, utcnow
from app.webhooks.retention import purge_deliveries

ROOT = Path(__file__).resolve().parent.parent


def _event(outcome: str, age_days: float) -> int:
    event = WebhookEvent(
        path="/api/webhooks/elevenlabs",
        headers={},
        outcome=outcome,
        http_status=401 if outcome == "rejected" else 200,
        received_at=utcnow() - timedelta(days=age_days),
    )
    db.session.add(event)
    db.session.commit()
    return event.id


def _left() -> set[int]:
    db.session.rollback()
    return set(db.session.execute(select(WebhookEvent.id)).scalars())


@pytest.fixture
def events(app):
    return {
        "old-rejected": _event("rejected", 30.01),
        "older-rejected": _event("rejected", 400),
        "young-rejected": _event("rejected", 29.9),
        "old-accepted": _event("accepted", 400),
        "old-duplicate": _event("duplicate", 400),
        "old-ignored": _event("ignored", 400),
    }


def _kept(events) -> set[int]:
    return {v for k, v in events.items() if k not in ("old-rejected", "older-rejected")}


def test_purge_deletes_only_rejected_deliveries_older_than_the_retention(app, events):
    assert app.config["WEBHOOK_EVENTS_RETENTION_DAYS"] == 30
    assert purge_deliveries() == 2
    assert _left() == _kept(events)
    assert purge_deliveries() == 0


def test_retention_is_configurable(app, events):
    app.config["WEBHOOK_EVENTS_RETENTION_DAYS"] = 500
    assert purge_deliveries() == 0
    app.config["WEBHOOK_EVENTS_RETENTION_DAYS"] = 1
    assert purge_deliveries() == 3


def test_purge_works_in_batches(app):
    ids = [_event("rejected", 31) for _ in range(7)]
    assert purge_deliveries(batch_size=3) == 7
    assert not _left() & set(ids)


def test_cli_command(app, runner, events):
    result = runner.invoke(args=["purge-deliveries"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 rejected deliveries older than 30 days" in result.output
    assert _left() == _kept(events)


def test_the_workers_sweeper_loop_purges(app, events):
    spec = importlib.util.spec_from_file_location("calldesk_worker_module", ROOT / "worker.py")
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    stop = threading.Event()
    loop = threading.Thread(target=worker._sweep_forever, args=(app, 0.05, stop), daemon=True)
    loop.start()
    try:
        deadline = time.monotonic() + 20
        while _left() != _kept(events):
            assert time.monotonic() < deadline, "the sweeper did not purge old rejected deliveries"
            time.sleep(0.05)
    finally:
        stop.set()
        loop.join(timeout=10)
