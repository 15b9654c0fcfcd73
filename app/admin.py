"""Platform operators: rq-dashboard at /admin/rq, for superusers only (it shows every tenant's jobs).

rq-dashboard has no CSRF protection and renders job data with unescaped templates, so it is wrapped:
superusers only; state-changing requests only from this origin (Origin / Sec-Fetch-Site), its one
state-changing GET refused; and a CSP of its own (see ADMIN_CSP) so that job text can never run as
script in the operator's browser.
"""

from __future__ import annotations

import secrets

import rq_dashboard
from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from .extensions import csrf

URL_PREFIX = "/admin/rq"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# rq-dashboard accepts GET for "requeue every failed job"; its own JavaScript only ever POSTs there.
STATE_CHANGING_GETS = frozenset({"rq_dashboard.requeue_all"})

# rq-dashboard's scripts are files, except one inline block per page (its page code, rendered with
# that page's values): our copy of its base template (templates/rq_dashboard/base.html) gives that
# block this response's nonce, so no other inline script, event handler or javascript: URL runs.
# 'unsafe-eval' is needed because underscore's _.template compiles rq-dashboard's row templates with
# `new Function`; those templates are the page's own markup, never job data. Styles: inline style
# attributes in its markup.
ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


def csp_nonce() -> str:
    """This response's script nonce (one per request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def is_same_origin() -> bool:
    """Did a browser send this request from our own origin?

    Sec-Fetch-Site (set by the browser, not by page script) decides when present. Otherwise Origin
    must name this host. With neither header the request is refused: every current browser sends at
    least one of them on a POST, so only non-browser clients lack both, and failing closed costs
    the dashboard nothing.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == f"{request.scheme}://{request.host}"
    return False


def _guard():
    """Before rq-dashboard's own hooks: superusers only, same-origin writes, known instances only."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    if not current_user.is_superuser:
        abort(403)
    if request.endpoint in STATE_CHANGING_GETS and request.method in SAFE_METHODS:
        abort(405)
    if request.method not in SAFE_METHODS and not is_same_origin():
        abort(403, "Cross-origin requests to the dashboard are refused.")
    instance = (request.view_args or {}).get("instance_number")
    if instance is not None and instance >= len(current_app.config["RQ_DASHBOARD_REDIS_URL"]):
        abort(404)  # rq-dashboard itself raises LookupError (a 500)
    return None


def _security_headers(response):
    response.headers["Content-Security-Policy"] = ADMIN_CSP.format(nonce=csp_nonce())
    return response


def _template_globals():
    return {"csp_nonce": csp_nonce}


# rq-dashboard's blueprint is a module-level singleton: attach our hooks once, at import, and the guard
# first in line (its own before_request would otherwise run before ours). Registering them through
# the decorators would fail for the second app built from it (in tests).
_bp = rq_dashboard.blueprint
for _registry, _func, _first in (
    (_bp.before_request_funcs, _guard, True),
    (_bp.after_request_funcs, _security_headers, False),
    (_bp.template_context_processors, _template_globals, False),
):
    _hooks = _registry.setdefault(None, [])
    if _func not in _hooks:
        _hooks.insert(0 if _first else len(_hooks), _func)


def register_admin(app: Flask) -> None:
    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", app.config["REDIS_URL"])
    rq_dashboard.web.setup_rq_connection(app)
    # Its JavaScript posts without Flask-WTF's token; the guard's same-origin check stands in for it.
    csrf.exempt(rq_dashboard.blueprint)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=URL_PREFIX)
