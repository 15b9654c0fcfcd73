"""What each paid provider request used and cost, per workspace, call and pipeline step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow


class ProviderUsage(TenantOwned, db.Model):
    """One provider request's tokens and estimated cost. Kept when its call is deleted (call_id
    becomes NULL): the money was spent, and the month's budget counts it."""

    __tablename__ = "provider_usage"
    # The month's spend (budget) and spend per day: tokens and cost read from the index on PostgreSQL.
    __table_args__ = (
        Index(
            "ix_provider_usage_tenant_created",
            "tenant_id",
            "created_at",
            postgresql_include=["input_tokens", "output_tokens", "cost_micros"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"), index=True)
    step: Mapped[str] = mapped_column(String(16))  # analyse | embed | reindex | search
    operation: Mapped[str] = mapped_column(String(16))  # chat | embeddings
    provider: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(64))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    # Millionths of a US dollar, from the price table (OPENAI_PRICES); NULL when the model has no price.
    cost_micros: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
