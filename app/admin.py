"""Platform operators: rq-dashboard at /admin/rq, for superusers only (it shows every tenant's jobs)."""

from __future__ import annotations

import rq_dashboard
from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from .extensions import csrf

URL_PREFIX = "/admin/rq"


def _superuser_only():
    """Runs before rq-dashboard's own hooks: anonymous -> login, signed-in non-superuser -> 403."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    if not current_user.is_superuser:
        abort(403)
    return None


# rq-dashboard's blueprint is a module-level singleton: attach the guard once, at import, and first
# in line (its own before_request would otherwise run before ours).
_hooks = rq_dashboard.blueprint.before_request_funcs.setdefault(None, [])
if _superuser_only not in _hooks:
    _hooks.insert(0, _superuser_only)


def register_admin(app: Flask) -> None:
    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", app.config["REDIS_URL"])
    rq_dashboard.web.setup_rq_connection(app)
    # Its JavaScript posts without Flask-WTF's token; the superuser guard above stands in for it.
    csrf.exempt(rq_dashboard.blueprint)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=URL_PREFIX)
