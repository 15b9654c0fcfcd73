"""Companies and their staff."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .user_session import UserSession

# Roles: "owner" (who signed the workspace up), "admin", "member". Owners and admins manage the
# workspace; members read calls and retry processing.
MANAGER_ROLES = ("owner", "admin")


class Tenant(db.Model):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Fernet-encrypted with a key derived from SECRET_KEY (see app/secrets_box.py); never shown in full.
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    webhook_secret_hint: Mapped[str | None] = mapped_column(String(16), default=None)
    analysis_instructions: Mapped[str | None] = mapped_column(Text, default=None)
    # The home for small per-workspace settings that need no column of their own (time zone, budget...).
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # Columns, not `settings`: every page renders times in it, and SQL (analytics by day) needs it too.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # ISO 3166 region for phone numbers written without a country code; None: from the time zone.
    phone_region: Mapped[str | None] = mapped_column(String(2), default=None)
    # Summaries, callback reasons and topics: written in this language (ISO 639-1), or "auto" for the
    # language the caller spoke. Transcripts are never translated.
    summary_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # Monthly AI budget in millionths of a dollar (NULL: none); the month whose budget.reached event
    # went out (YYYY-MM), so it goes out once a month.
    monthly_budget_micros: Mapped[int | None] = mapped_column(BigInteger, default=None)
    budget_reached_month: Mapped[str | None] = mapped_column(String(7), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="tenant", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="member")
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    tenant: Mapped[Tenant] = relationship(back_populates="users", lazy="joined")
    # Deleted with the user by the ORM too, so SQLite (no enforced foreign keys) keeps no orphan that
    # a later user given the same id could inherit.
    sessions: Mapped[list[UserSession]] = relationship(cascade="all, delete-orphan")

    # The token of the sign-in session this object was loaded through (app/auth/session.py); not a column.
    session_token = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the session's token, never the user's id."""
        if not self.session_token:
            raise RuntimeError("sign users in through app.auth.session.sign_in")
        return self.session_token

    @property
    def can_manage(self) -> bool:
        """May change the workspace: agents, settings, the team, deleting calls."""
        return self.role in MANAGER_ROLES

    @property
    def can_set_budget(self) -> bool:
        """May commit the workspace's money (the monthly AI budget): owners only."""
        return self.role == "owner"

    def can_remove(self, member: User) -> bool:
        """Managers remove others from the team; only an owner removes an owner."""
        return self.can_manage and member.id != self.id and (member.role != "owner" or self.role == "owner")

    def __repr__(self) -> str:
        return f"<User {self.email}>"
