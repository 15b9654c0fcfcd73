"""Accounts: signup, sign-in, the team of a workspace, password changes."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select

from ..extensions import db
from ..models import Tenant, User, utcnow
from ..passwords import DUMMY_HASH, check_password, hash_password


class SignupError(ValueError):
    """The account cannot be created; the message says why, for the form."""


class TeamError(ValueError):
    """The team change is not allowed; the message says why."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_taken(email: str) -> bool:
    """Emails are unique across workspaces, whatever their case."""
    return db.session.execute(select(User.id).where(func.lower(User.email) == email)).first() is not None


def unique_slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "company"
    slug = base
    while db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).first():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def signup(tenant_name: str, email: str, password: str) -> User:
    """Create a company and its first user, who owns it."""
    email = normalize_email(email)
    if email_taken(email):
        raise SignupError("An account with this email already exists. Sign in instead.")
    tenant = Tenant(name=tenant_name.strip(), slug=unique_slug(tenant_name))
    user = User(tenant=tenant, email=email, password_hash=hash_password(password), role="owner")
    db.session.add_all([tenant, user])
    db.session.commit()
    return user


def make_superuser(email: str, password: str) -> User:
    """The platform operator (may open /admin/rq): an existing user is promoted, else one is created
    in a workspace of its own (the password then applies)."""
    email = normalize_email(email)
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = signup("Platform operators", email, password)
    user.is_superuser = True
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


def add_member(tenant_id: int, email: str, role: str, password: str) -> User:
    """A new member of the workspace, signing in with the password chosen for them."""
    email = normalize_email(email)
    if email_taken(email):
        raise SignupError("An account with this email already exists.")
    user = User(tenant_id=tenant_id, email=email, role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def remove_member(actor: User, member: User) -> None:
    """Take a member off the team; they can no longer sign in."""
    if member.id == actor.id:
        raise TeamError("You cannot remove yourself.")
    if not actor.can_remove(member):
        raise TeamError("Only an owner can remove an owner.")
    db.session.delete(member)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if `current` is right (the caller ends the user's other sessions)."""
    if not check_password(user.password_hash, current):
        return False
    user.password_hash = hash_password(new)
    db.session.commit()
    return True
