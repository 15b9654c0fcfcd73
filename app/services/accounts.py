"""Account operations, kept out of the views."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select

from ..extensions import db
from ..models import Tenant, User, utcnow
from ..passwords import DUMMY_HASH, check_password, hash_password


class SignupError(ValueError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def unique_slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "company"
    slug = base
    while db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).first():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def signup(tenant_name: str, email: str, password: str) -> User:
    """Create a company and its first user, who owns it."""
    email = normalize_email(email)
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first():
        raise SignupError("An account with this email already exists. Sign in instead.")
    tenant = Tenant(name=tenant_name.strip(), slug=unique_slug(tenant_name))
    user = User(tenant=tenant, email=email, password_hash=hash_password(password), role="owner")
    db.session.add_all([tenant, user])
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Takes as long for an unknown email as a wrong password."""
    user = db.session.execute(
        select(User).where(func.lower(User.email) == normalize_email(email))
    ).scalar_one_or_none()
    if user is None:
        check_password(DUMMY_HASH, password)
        return None
    if not check_password(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user
