"""Access rules as small decorators."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user


def allowed_if(permission: str, doc: str):
    """A decorator that answers 403 unless the signed-in user has `permission` (a User property)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not getattr(current_user, permission, False):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    decorator.__doc__ = doc
    return decorator


# Owners and admins may change the workspace; members may only read.
admin_required = allowed_if("can_manage", "Owners and admins only.")
# Only the workspace's owners: what commits its money (the AI budget).
owner_required = allowed_if("can_set_budget", "Owners only.")
