"""Companies and their staff."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

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

    def get_id(self) -> str:
        """What the session stores: the id plus a fingerprint of the password hash, so that changing
        the password signs out every other session (signed-cookie sessions cannot be revoked otherwise)."""
        return f"{self.id}:{self.password_fingerprint}"

    @property
    def can_manage(self) -> bool:
        """May change the workspace: agents, settings, the team, deleting calls."""
        return self.role in MANAGER_ROLES

    def can_remove(self, member: User) -> bool:
        """Managers remove others from the team; only an owner removes an owner."""
        return self.can_manage and member.id != self.id and (member.role != "owner" or self.role == "owner")

    @property
    def password_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<User {self.email}>"
