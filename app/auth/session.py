"""Flask-Login wiring: who is signed in, and what a lost session looks like to HTMX."""

from __future__ import annotations

import hmac

from flask import jsonify, redirect, request, url_for

from ..extensions import db, htmx, login_manager
from ..models import User


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session id "<id>:<password fingerprint>"; None once the password has changed."""
    raw_id, _, fingerprint = (session_id or "").partition(":")
    try:
        user = db.session.get(User, int(raw_id))
    except (TypeError, ValueError):
        return None
    if user is None or not hmac.compare_digest(user.password_fingerprint, fingerprint):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if htmx:
        # A 302 would be followed by htmx and the login page swapped into a fragment.
        return "", 401, {"HX-Redirect": login_url}
    if request.path.startswith("/api/"):
        return jsonify(error="authentication required"), 401
    return redirect(login_url)
