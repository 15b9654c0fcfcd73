"""Sign-in sessions: a row per sign-in (user_sessions); the signed cookie carries only its token.

Flask-Login keeps `User.get_id()`, here the token, in the cookie, and calls `load_user` with it on
every request: one lookup by primary key, joined to the user. Signing out marks the row revoked, so
a copy of the cookie opens nothing afterwards. Sessions last PERMANENT_SESSION_LIFETIME from sign-in
whatever the cookie says, and `last_seen_at` is written at most every TOUCH_EVERY.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, or_, select, update

from ..extensions import db, htmx, login_manager
from ..models import User, UserSession, utcnow
from ..web.redirects import safe_path

TOUCH_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_valid():
    return utcnow() - current_app.permanent_session_lifetime


def sign_in(user: User) -> None:
    """Start a session for `user` in this browser (a new row; the user's ended ones are pruned)."""
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(UserSession.revoked_at.is_not(None), UserSession.created_at < _oldest_valid()),
        )
    )
    token = secrets.token_urlsafe(32)
    agent = request.headers.get("User-Agent", "")[:256] or None
    db.session.add(UserSession(id=_digest(token), user_id=user.id, user_agent=agent))
    db.session.commit()
    user.session_token = token
    session.permanent = True  # PERMANENT_SESSION_LIFETIME applies, not "until the browser closes"
    login_user(user)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The user of a live session; None (signed out) for an ended, expired or unknown one, and for a
    cookie from before server-side sessions (it held "<user id>:<fingerprint>")."""
    if not isinstance(token, str) or not token:
        return None
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.id == _digest(token),
            UserSession.revoked_at.is_(None),
            UserSession.created_at > _oldest_valid(),
        )
    ).first()
    if row is None:
        return None
    record, user = row
    now = utcnow()
    if now - record.last_seen_at > TOUCH_EVERY:
        db.session.execute(update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now))
        db.session.commit()
    user.session_token = token
    return user


def current_session_id() -> str | None:
    return _digest(current_user.session_token) if current_user.is_authenticated else None


def end_sessions(user: User, *, keep_current: bool = False) -> int:
    """End the user's live sessions (all, or all but this browser's); returns how many."""
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_current:
        stmt = stmt.where(UserSession.id != current_session_id())
    ended = db.session.execute(stmt.values(revoked_at=utcnow())).rowcount
    db.session.commit()
    return ended


def sign_out() -> None:
    """End this browser's session, for whoever holds a copy of its cookie too."""
    if current_user.is_authenticated:
        db.session.execute(
            update(UserSession).where(UserSession.id == current_session_id()).values(revoked_at=utcnow())
        )
        db.session.commit()
    logout_user()


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions that still open the app, most recently used first."""
    return list(
        db.session.execute(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.created_at > _oldest_valid(),
            )
            .order_by(UserSession.last_seen_at.desc())
        ).scalars()
    )


def _back_to() -> str:
    """Where signing in leads back to: for an HTMX request (a poll), the page it was made from."""
    if htmx and htmx.current_url:
        page = urlsplit(htmx.current_url)
        path = safe_path(page.path + (f"?{page.query}" if page.query else ""))
        if page.netloc == request.host and path:
            return path
    return request.full_path.rstrip("?")


@login_manager.unauthorized_handler
def unauthorized():
    login_url = url_for("auth.login", next=_back_to())
    if htmx:
        # A 302 would be followed by htmx and the login page swapped into a fragment.
        return "", 401, {"HX-Redirect": login_url}
    if request.path.startswith("/api/"):
        return jsonify(error="authentication required"), 401
    return redirect(login_url)
