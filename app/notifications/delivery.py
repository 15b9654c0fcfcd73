"""The RQ jobs that deliver an outbound event: one per channel, each attempt logged, retried by RQ."""

from __future__ import annotations

import logging
import smtplib
import time

from flask import current_app
from rq import get_current_job
from sqlalchemy import func, select

from .. import secrets_box
from ..extensions import db
from ..models import DeliveryAttempt, OutboundEvent, utcnow
from ..outbound import PostResult, app_client, post
from . import mail, signing
from .service import settings_for

log = logging.getLogger("calldesk.notifications")
RETRY_STATUSES = {408, 429}


class DeliveryRetry(Exception):
    """Raised to hand a failed attempt back to RQ, which schedules the next one."""


def _retryable(result: PostResult) -> bool:
    """5xx, 408, 429, timeouts and connection errors may pass; other answers and refusals will not."""
    if result.refused:
        return False
    if result.status is None:
        return True
    return result.status >= 500 or result.status in RETRY_STATUSES


def _record(event: OutboundEvent, channel: str, target: str, *, ok: bool, retryable: bool, **fields) -> bool:
    """Log one attempt and update the event; returns True when RQ should try again."""
    job = get_current_job()
    will_retry = not ok and retryable and job is not None and job.should_retry
    outcome = "delivered" if ok else "retrying" if will_retry else "failed"
    number = (
        1
        + db.session.execute(
            select(func.count())
            .select_from(DeliveryAttempt)
            .where(DeliveryAttempt.event_id == event.id, DeliveryAttempt.channel == channel)
        ).scalar_one()
    )
    db.session.add(
        DeliveryAttempt(
            tenant_id=event.tenant_id,
            event_id=event.id,
            event_type=event.event_type,
            channel=channel,
            target=target,
            number=number,
            outcome=outcome,
            **fields,
        )
    )
    event.attempts += 1
    if outcome != "retrying":
        if channel == "webhook":
            event.status = outcome
        else:
            event.email_status = outcome
        if event.status != "pending" and event.email_status != "pending":
            event.finished_at = utcnow()
    db.session.commit()
    log.info(
        "notify %s event=%s tenant=%s type=%s attempt=%d: %s (%s)",
        channel,
        event.id,
        event.tenant_id,
        event.event_type,
        number,
        fields.get("http_status") or "no answer",
        outcome,
    )
    return will_retry


def deliver_webhook(event_id: int) -> str:
    """POST the event to the workspace's current URL, signed with its current secret."""
    event = db.session.get(OutboundEvent, event_id)
    if event is None or event.status != "pending":
        return "nothing to do"
    settings = settings_for(event.tenant_id)
    url = settings.url if settings else None
    secret = secrets_box.decrypt(settings.secret_encrypted) if settings else None
    if not url or not secret:
        error = "no notification URL is set" if not url else "the signing secret cannot be read (rotate it)"
        _record(event, "webhook", url or "—", ok=False, retryable=False, error=error)
        return "failed"
    body = event.body.encode()
    headers = signing.headers(secret, event.msg_id, int(time.time()), body)
    started = utcnow()
    with app_client() as client:
        result = post(client, url, body, headers)
    retry = _record(
        event,
        "webhook",
        url,
        ok=result.ok,
        retryable=_retryable(result),
        started_at=started,
        duration_ms=result.duration_ms,
        http_status=result.status,
        error=result.error or (None if result.ok else _status_error(result.status)),
        response_excerpt=result.excerpt or None,
    )
    if retry:
        raise DeliveryRetry(f"event {event_id}: {result.status or result.error}")
    return "delivered" if result.ok else "failed"


def _status_error(status: int | None) -> str | None:
    """A word for the answers whose status alone would puzzle (the status itself is shown anyway)."""
    if status is not None and 300 <= status < 400:
        return "redirects are not followed: set the final URL"
    return None


def deliver_email(event_id: int) -> str:
    """E-mail the event to the recipients chosen when it was recorded."""
    event = db.session.get(OutboundEvent, event_id)
    if event is None or event.email_status != "pending":
        return "nothing to do"
    cfg = current_app.config
    recipients = [r for r in (event.email_to or "").split(",") if r]
    target = ", ".join(recipients)
    started, clock = utcnow(), time.perf_counter()
    error, retryable = None, True
    try:
        smtp = mail.parse_smtp_url(cfg["SMTP_URL"])
        subject, text = mail.compose(event.event_type, event.body)
        sender = cfg["SMTP_FROM"] or f"calldesk@{smtp.host}"
        mail.send(smtp, sender, recipients, subject, text, cfg["OUTBOUND_TIMEOUT_S"])
    except mail.MailConfigError as exc:
        error, retryable = str(exc), False
    except smtplib.SMTPRecipientsRefused as exc:
        error, retryable = f"recipients refused: {', '.join(map(str, exc.recipients))}", False
    except (smtplib.SMTPException, OSError) as exc:
        # 5xx answers are permanent; 4xx answers and network trouble may pass.
        code = getattr(exc, "smtp_code", None)
        error, retryable = f"{exc.__class__.__name__}: {exc}"[:500], not (code and 500 <= code < 600)
    except Exception as exc:  # a bug or an odd event: record it rather than leave the event pending
        log.exception("notify email event=%s: could not be sent", event_id)
        error, retryable = f"{exc.__class__.__name__}: {exc}"[:500], False
    retry = _record(
        event,
        "email",
        target,
        ok=error is None,
        retryable=retryable,
        started_at=started,
        duration_ms=round((time.perf_counter() - clock) * 1000),
        error=error,
    )
    if retry:
        raise DeliveryRetry(f"event {event_id}: {error}")
    return "delivered" if error is None else "failed"
