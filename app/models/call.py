"""A call record: what ElevenLabs sent, plus each pipeline step's result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from .agent import Agent
from .base import TenantOwned, UTCDateTime, utcnow

# "missed": a call that never connected (call_initiation_failure); it never enters the pipeline.
STATUSES = ("queued", "processing", "processed", "failed", "missed")
PIPELINE_STATUSES = ("queued", "processing", "processed", "failed")
TERMINAL = ("processed", "failed", "missed")
# Why a queued call is not being worked on yet: "budget" (the workspace's monthly AI budget is spent;
# the sweeper sends it on when there is room again) or "rate_limit" (a provider's limit; a scheduled
# job sends it on). NULL: nothing holds it.
WAITING_REASONS = ("budget", "rate_limit")
# The columns /analytics counts, carried in its index (see ix_calls_tenant_time_facts).
ANALYTICS_FACTS = (
    "id",
    "agent_pk",
    "status",
    "failed_step",
    "sentiment",
    "duration_s",
    "started_at",
    "created_at",
)


class Call(TenantOwned, db.Model):
    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        # Per workspace: another workspace can neither block nor probe this one's conversation ids.
        UniqueConstraint("tenant_id", "conversation_id", name="uq_calls_tenant_conversation"),
        Index("ix_calls_tenant_caller", "tenant_id", "caller_number"),  # the same caller's calls
        # /analytics: a period's calls, with what its charts count, from the index alone on PostgreSQL.
        Index(
            "ix_calls_tenant_time_facts",
            "tenant_id",
            text("coalesce(started_at, created_at)"),
            postgresql_include=list(ANALYTICS_FACTS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    external_agent_id: Mapped[str] = mapped_column(String(128))
    agent_name: Mapped[str | None] = mapped_column(String(120))

    transcript: Mapped[list] = mapped_column(JSON, default=list)  # [{role, text, t}]
    transcript_text: Mapped[str] = deferred(mapped_column(Text, default=""))  # for search
    turn_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    duration_s: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str | None] = mapped_column(String(16))
    # The customer's number: E.164 when it parses (with the workspace's region), else as received.
    caller_number: Mapped[str | None] = mapped_column(String(40))
    caller_name: Mapped[str | None] = mapped_column(String(120))  # from the delivery, else the analysis
    agent_number: Mapped[str | None] = mapped_column(String(40))
    termination_reason: Mapped[str | None] = mapped_column(String(255))
    call_metadata: Mapped[dict] = mapped_column(JSON, default=dict)
    elevenlabs_analysis: Mapped[dict] = mapped_column(JSON, default=dict)

    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_step: Mapped[str | None] = mapped_column(String(16))
    waiting_for: Mapped[str | None] = mapped_column(String(16))  # see WAITING_REASONS
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    # Step 1: analysis
    summary: Mapped[str | None] = mapped_column(Text)
    callback_needed: Mapped[bool | None] = mapped_column(Boolean, index=True)
    callback_reason: Mapped[str | None] = mapped_column(Text)
    callback_requested_time: Mapped[str | None] = mapped_column(String(120))
    callback_urgent: Mapped[bool | None] = mapped_column(Boolean)
    sentiment: Mapped[str | None] = mapped_column(String(16))
    topics: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    analysis_provider: Mapped[str | None] = mapped_column(String(64))
    analysed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Step 2: embedding (float32 little-endian), kept so a retry of step 3 does not re-embed
    embedding: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    embedding_model: Mapped[str | None] = mapped_column(String(64))
    embedding_dims: Mapped[int | None] = mapped_column(Integer)
    embedded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Step 3: vector index
    vector_id: Mapped[str | None] = mapped_column(String(64))
    vector_store: Mapped[str | None] = mapped_column(String(16))
    indexed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agent: Mapped[Agent | None] = relationship(lazy="joined")

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def summary_preview(self) -> str:
        text = self.summary or self.elevenlabs_analysis.get("transcript_summary") or ""
        return text if len(text) <= 140 else text[:137].rstrip() + "…"
