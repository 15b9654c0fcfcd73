"""Rejected deliveries are kept WEBHOOK_EVENTS_RETENTION_DAYS (default 30), then deleted by the worker's
sweeper or `flask --app wsgi purge-deliveries`. Other outcomes stay: they are their calls' history."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from ..extensions import db
from ..models import WebhookEvent, utcnow


def purge_deliveries(now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete rejected deliveries older than the retention, in batches; returns how many."""
    days = current_app.config["WEBHOOK_EVENTS_RETENTION_DAYS"]
    before = (now or utcnow()) - timedelta(days=days)
    old = select(WebhookEvent.id).where(WebhookEvent.outcome == "rejected", WebhookEvent.received_at < before)
    deleted = 0
    while True:
        ids = list(db.session.execute(old.order_by(WebhookEvent.id).limit(batch_size)).scalars())
        if not ids:
            return deleted
        # Short transactions: the webhook keeps writing to this table meanwhile.
        deleted += db.session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(ids))).rowcount
        db.session.commit()
