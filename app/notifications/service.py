"""notify(): record an outbound event for a workspace and queue its delivery; the settings behind it."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app, has_request_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job
from sqlalchemy import or_, select

from .. import secrets_box
from ..extensions import db
from ..models import NotificationSettings, OutboundEvent, utcnow
from ..services.jobs import LIVE_STATES, get_queue, redis_conn, request_redis
from . import signing
from .events import EMAIL_EVENT_TYPES, EVENT_TYPES, call_data, encode

log = logging.getLogger("calldesk.notifications")

JOBS = {
    "webhook": "app.notifications.delivery.deliver_webhook",
    "email": "app.notifications.delivery.deliver_email",
}
JOB_TIMEOUT_S = 120
# A shape check, as for sign-up: no spaces, commas or line breaks can reach a mail header.
EMAIL_RE = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")


def settings_for(tenant_id: int) -> NotificationSettings | None:
    return db.session.execute(
        select(NotificationSettings).where(NotificationSettings.tenant_id == tenant_id)
    ).scalar_one_or_none()


def _set_new_secret(row: NotificationSettings) -> str:
    secret = signing.new_secret()
    row.secret_encrypted = secrets_box.encrypt(secret)
    row.secret_hint = signing.secret_hint(secret)
    row.secret_created_at = utcnow()
    return secret


def save_settings(tenant_id: int, url: str | None, email: str | None) -> str | None:
    """Store the URL and address (already validated); returns the signing secret if one was just made."""
    row = settings_for(tenant_id) or NotificationSettings(tenant_id=tenant_id)
    row.url = url or None
    row.email = email or None
    secret = _set_new_secret(row) if row.url and not row.secret_encrypted else None
    db.session.add(row)
    db.session.commit()
    return secret


def rotate_secret(tenant_id: int) -> str:
    """Replace the signing secret; the new one is returned to be shown once."""
    row = settings_for(tenant_id) or NotificationSettings(tenant_id=tenant_id)
    secret = _set_new_secret(row)
    db.session.add(row)
    db.session.commit()
    return secret


def email_enabled() -> bool:
    return bool(current_app.config["SMTP_URL"])


def _recipients(event_type: str, email_to: Iterable[str], settings: NotificationSettings | None) -> list[str]:
    if event_type not in EMAIL_EVENT_TYPES or not email_enabled():
        return []
    if isinstance(email_to, str):  # one address passed bare, not a list of its characters
        email_to = [email_to]
    wanted = [*email_to, settings.email if settings else None]
    found = [a.strip() for a in wanted if a and EMAIL_RE.match(a.strip())]
    return list(dict.fromkeys(found))


def notify(
    tenant_id: int,
    event_type: str,
    data: dict,
    *,
    email_to: Iterable[str] = (),
    connection: Redis | None = None,
) -> int | None:
    """Send `event_type` with `data` to the workspace's URL (and by e-mail); returns the event id or None.

    Call it after committing your own changes: it commits its event row. It never raises for a
    database or queue failure (a notification must not fail the work that caused it): a queue
    outage leaves the event for the worker's sweeper, anything else is logged and dropped.
    Nothing is recorded when the workspace has no URL and there is nobody to e-mail.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    try:
        settings = settings_for(tenant_id)
        url = settings.url if settings else None
        recipients = _recipients(event_type, email_to, settings)
        if not url and not recipients:
            return None
        now = utcnow()
        event = OutboundEvent(
            tenant_id=tenant_id,
            msg_id=signing.new_msg_id(),
            event_type=event_type,
            body=encode(event_type, data, now),
            email_to=",".join(recipients) or None,
            status="pending" if url else "skipped",
            email_status="pending" if recipients else None,
            created_at=now,
        )
        db.session.add(event)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("tenant=%s: could not record a %s notification", tenant_id, event_type)
        return None
    enqueue(event, connection)
    return event.id


def notify_call_processed(call) -> int | None:
    """The pipeline's hook, after the commit that marks the call processed; never raises."""
    try:
        return notify(call.tenant_id, "call.processed", call_data(call))
    except Exception:  # a bug here must not turn a processed call into a failed one
        db.session.rollback()
        log.exception("call=%s: the call.processed notification failed", call.id)
        return None


def _channels(event: OutboundEvent) -> list[str]:
    return [
        ch for ch, state in (("webhook", event.status), ("email", event.email_status)) if state == "pending"
    ]


def job_id(event_id: int, channel: str) -> str:
    return f"notify-{event_id}-{channel}"


def enqueue(event: OutboundEvent, connection: Redis | None = None) -> bool:
    """Queue a job per pending channel; False (and the event left for the sweeper) if Redis is down."""
    if connection is None:  # a page must not hang on a Redis outage; the worker may wait
        connection = request_redis() if has_request_context() else redis_conn()
    queue = get_queue(connection)
    intervals = current_app.config["NOTIFY_RETRY_INTERVALS"]
    try:
        for channel in _channels(event):
            jid = job_id(event.id, channel)
            with contextlib.suppress(NoSuchJobError):
                existing = Job.fetch(jid, connection=connection)
                if existing.get_status(refresh=False) in LIVE_STATES:
                    continue
                existing.delete()
            with contextlib.suppress(DuplicateJobError):
                queue.enqueue(
                    JOBS[channel],
                    event.id,
                    job_id=jid,
                    unique=True,
                    retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
                    job_timeout=JOB_TIMEOUT_S,
                    result_ttl=3600,
                    failure_ttl=7 * 24 * 3600,
                    description=f"notify {channel}: event {event.id} ({event.event_type})",
                )
    except RedisError as exc:
        log.warning(
            "event=%s: queue unavailable (%s); the sweeper will send it", event.id, type(exc).__name__
        )
        return False
    event.enqueued_at = utcnow()
    db.session.commit()
    return True


def sweep_events(connection: Redis | None = None, limit: int = 200) -> int:
    """Queue events recorded while Redis was down (never enqueued); returns how many were queued."""
    now = utcnow()
    rows = db.session.execute(
        select(OutboundEvent)
        .where(
            OutboundEvent.enqueued_at.is_(None),
            or_(OutboundEvent.status == "pending", OutboundEvent.email_status == "pending"),
            OutboundEvent.created_at < now - timedelta(seconds=30),  # notify() may be enqueueing it now
            OutboundEvent.created_at > now - timedelta(days=1),  # older news is not worth sending
        )
        .order_by(OutboundEvent.id)
        .limit(limit)
    ).scalars()
    count = 0
    for event in rows.all():
        if not enqueue(event, connection or redis_conn()):
            break
        count += 1
    return count
