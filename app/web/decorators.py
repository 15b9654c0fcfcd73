"""Access rules as small decorators."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user


def admin_required(view):
    """Owners and admins may change the workspace; members may only read."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.can_manage:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def owner_required(view):
    """Only the workspace's owners: what commits its money (the AI budget)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.can_set_budget:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
