"""Outbound notifications: a workspace's settings, the events it was sent, and every delivery attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow

EVENT_STATES = ("pending", "delivered", "failed", "skipped")  # skipped: no URL, e-mail only
ATTEMPT_OUTCOMES = ("delivered", "retrying", "failed")


class NotificationSettings(TenantOwned, db.Model):
    """Where a workspace wants its events: one row per workspace, created when first saved."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    # Standard Webhooks signing secret (whsec_...), Fernet-encrypted (app/secrets_box.py); shown once.
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    secret_hint: Mapped[str | None] = mapped_column(String(16))
    secret_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutboundEvent(TenantOwned, db.Model):
    """One event for one workspace; the body is fixed when it is created, so every retry sends the same."""

    __tablename__ = "outbound_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    msg_id: Mapped[str] = mapped_column(String(40), unique=True)  # the webhook-id header, same on retries
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    email_to: Mapped[str | None] = mapped_column(Text)  # comma-separated extra recipients, if any
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # of the webhook
    email_status: Mapped[str | None] = mapped_column(String(16))  # None: no e-mail for this event
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryAttempt(TenantOwned, db.Model):
    """One try at delivering an event over one channel (webhook or e-mail), with what came of it."""

    __tablename__ = "outbound_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbound_events.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8), default="webhook")
    target: Mapped[str] = mapped_column(Text)  # the URL, or the e-mail recipients
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
