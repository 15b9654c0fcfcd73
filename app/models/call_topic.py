"""One row per (call, topic): what /analytics counts its top topics from, one index range and a
GROUP BY instead of reading every call's JSON. Kept in step with `calls.topics` by the after_flush
hook below (every ORM write of a call: pipeline, re-analysis, ingest, delete), by the bulk seeder
(`rows_for`), by ON DELETE CASCADE on PostgreSQL, and backfilled by its migration."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, delete, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime
from .call import Call

TOPIC_CHARS = 200  # longer topics are counted by their first 200 characters (a btree entry's limit)
# A change of any of these rewrites the call's rows.
SOURCE = ("topics", "started_at", "created_at", "agent_pk", "tenant_id")


class CallTopic(TenantOwned, db.Model):
    __tablename__ = "call_topics"
    __table_args__ = (
        # Top topics of a period (and agent): an index-only range scan, then GROUP BY topic.
        Index("ix_call_topics_tenant_at_topic", "tenant_id", "at", "topic", postgresql_include=["agent_pk"]),
    )

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(TOPIC_CHARS), primary_key=True)
    agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # the call's time: coalesce(started_at, created_at)


def topics_of(value) -> list[str]:
    """The distinct non-empty text topics of a `calls.topics` value (anything but a list: none)."""
    if not isinstance(value, list):
        return []
    found: dict[str, None] = {}
    for topic in value:
        if isinstance(topic, str) and topic:
            found[topic[:TOPIC_CHARS]] = None
    return list(found)


def rows_for(call: dict) -> list[dict]:
    """The call_topics rows of a call given as a dict of its columns (with its id)."""
    at = call.get("started_at") or call.get("created_at")
    return [
        {
            "tenant_id": call["tenant_id"],
            "call_id": call["id"],
            "agent_pk": call.get("agent_pk"),
            "at": at,
            "topic": t,
        }
        for t in topics_of(call.get("topics"))
    ]


def _changed(call: Call) -> bool:
    attrs = inspect(call).attrs
    return any(attrs[key].history.has_changes() for key in SOURCE)


def _may_have_rows(call: Call) -> bool:
    """False when the call's topics as last written are known and make no rows (a call the
    pipeline analyses for the first time): its rows need no DELETE."""
    history = inspect(call).attrs.topics.history
    before = history.deleted or history.unchanged
    return not before or bool(topics_of(before[0]))


@event.listens_for(Session, "after_flush")
def _sync(session, _context):
    gone = [c.id for c in session.deleted if isinstance(c, Call) and c.id is not None]
    changed = [c for c in session.dirty if isinstance(c, Call) and c not in session.deleted and _changed(c)]
    fresh = [c for c in session.new if isinstance(c, Call)] + changed
    # A new call has no rows yet (no DELETE on ingest), nor has one whose topics were empty.
    stale = gone + [c.id for c in changed if _may_have_rows(c)]
    if stale:
        session.execute(delete(CallTopic.__table__).where(CallTopic.call_id.in_(stale)))
    rows = [r for c in fresh for r in rows_for({key: getattr(c, key) for key in (*SOURCE, "id")})]
    if rows:
        session.execute(insert(CallTopic.__table__), rows)
