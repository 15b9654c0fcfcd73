"""A callback the team owes a caller (flagged by the analysis, or a missed call), and its timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    event,
    inspect,
    update,
)
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column, relationship

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow
from .call import Call
from .tenant import User

STATES = ("open", "done")
OUTCOMES = ("reached", "no_answer", "left_voicemail", "not_needed")
OUTCOME_LABELS = {
    "reached": "Reached",
    "no_answer": "No answer",
    "left_voicemail": "Left voicemail",
    "not_needed": "Not needed",
}
PRIORITIES = ("urgent", "normal")
SOURCES = ("analysis", "missed")  # the analysis flagged the call, or the call never connected
ACTIONS = ("created", "assigned", "unassigned", "note", "done", "reopened")


class Callback(TenantOwned, db.Model):
    __tablename__ = "callbacks"
    __table_args__ = (
        # One per call: a retry, a re-analysis or two workers at once never make a second.
        UniqueConstraint("call_id", name="uq_callbacks_call"),
        CheckConstraint(f"state IN {STATES!r}", name="callback_state"),
        CheckConstraint(f"priority IN {PRIORITIES!r}", name="callback_priority"),
        CheckConstraint(f"outcome IS NULL OR outcome IN {OUTCOMES!r}", name="callback_outcome"),
        # The queue and the navigation count: open ones of a workspace by due time.
        Index("ix_callbacks_tenant_state_due", "tenant_id", "state", "due_at"),
        Index("ix_callbacks_tenant_caller", "tenant_id", "caller_number"),
        # /analytics: the callbacks of a period's calls (and agent) with what it counts, from the
        # index alone on PostgreSQL, no join to calls.
        Index(
            "ix_callbacks_tenant_call_at",
            "tenant_id",
            "call_at",
            postgresql_include=["agent_pk", "state", "outcome", "due_at", "created_at", "done_at"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16), default="analysis")
    reason: Mapped[str | None] = mapped_column(Text)
    requested_time: Mapped[str | None] = mapped_column(String(120))  # as the caller said it
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # False: no time was named, or it could not be understood, so the callback is due from its creation.
    due_resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    caller_number: Mapped[str | None] = mapped_column(String(40))  # E.164, or as received if unparseable
    caller_name: Mapped[str | None] = mapped_column(String(120))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(8), default="open")
    outcome: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Copied from the call (kept in step by the hooks below, the seeder and the migration), so that
    # /analytics counts a period's callbacks without joining calls: the call's time
    # (coalesce(started_at, created_at)) and agent.
    call_at: Mapped[datetime] = mapped_column(UTCDateTime)
    agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))

    call: Mapped[Call] = relationship(lazy="joined", innerjoin=True)
    assignee: Mapped[User | None] = relationship(lazy="joined")
    events: Mapped[list[CallbackEvent]] = relationship(
        back_populates="callback", order_by="CallbackEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def outcome_label(self) -> str | None:
        return OUTCOME_LABELS.get(self.outcome) if self.outcome else None


class CallbackEvent(TenantOwned, db.Model):
    """One line of a callback's timeline: who did what, when."""

    __tablename__ = "callback_events"
    __table_args__ = (CheckConstraint(f"action IN {ACTIONS!r}", name="callback_event_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    # Who: a user (None for CallDesk itself); the e-mail is kept so a removed member's work still shows.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str | None] = mapped_column(String(254))
    assignee_email: Mapped[str | None] = mapped_column(String(254))  # for "assigned"
    outcome: Mapped[str | None] = mapped_column(String(16))  # for "done"
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    callback: Mapped[Callback] = relationship(back_populates="events")

    @property
    def outcome_label(self) -> str | None:
        return OUTCOME_LABELS.get(self.outcome) if self.outcome else None


# The call columns a callback's copy is made of (a change of one rewrites the copy).
CALL_COPY = ("started_at", "created_at", "agent_pk")


def copied_from(call) -> dict:
    """A callback's copy of its call (a Call or a dict of its columns): `call_at` and `agent_pk`."""
    get = call.get if isinstance(call, dict) else lambda key: getattr(call, key)
    return {"call_at": get("started_at") or get("created_at"), "agent_pk": get("agent_pk")}


@event.listens_for(Session, "before_flush")
def _copy_to_new(session, _context, _instances):
    """A new callback takes its call's time and agent (whoever made it: services, tests, admin)."""
    with session.no_autoflush:  # a load here (the call, a column it left unloaded) must not flush
        for callback in [c for c in session.new if isinstance(c, Callback) and c.call_at is None]:
            call = callback.call
            if call is None and callback.call_id is not None:
                call = session.get(Call, callback.call_id)
            if call is not None:
                for key, value in copied_from(call).items():
                    setattr(callback, key, value)


@event.listens_for(Session, "after_flush")
def _follow_calls(session, _context):
    """A call whose time or agent changed: its callback's copy changes in the same transaction."""
    moved = [
        c
        for c in session.dirty
        if isinstance(c, Call)
        and c not in session.deleted
        and any(inspect(c).attrs[key].history.has_changes() for key in CALL_COPY)
    ]
    if not moved:
        return
    rows = [{"b_call": c.id, **{f"b_{k}": v for k, v in copied_from(c).items()}} for c in moved]
    session.execute(
        update(Callback.__table__)
        .where(Callback.__table__.c.call_id == bindparam("b_call"))
        .values(call_at=bindparam("b_call_at"), agent_pk=bindparam("b_agent_pk")),
        rows,
    )
    by_call = {row["b_call"]: row for row in rows}
    for obj in list(session.identity_map.values()):  # loaded callbacks: no stale copy either
        if isinstance(obj, Callback) and obj.call_id in by_call:
            row = by_call[obj.call_id]
            attributes.set_committed_value(obj, "call_at", row["b_call_at"])
            attributes.set_committed_value(obj, "agent_pk", row["b_agent_pk"])
