"""Error pages: JSON for the machine API, HTML for people. Never a stack trace."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger("calldesk")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = "Your form expired or was sent from elsewhere. Reload the page and try again."
        if _wants_json():
            return jsonify(error=exc.description), 400
        return render_template("error.html", code=400, title="Form expired", message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            return jsonify(error=exc.description or exc.name), exc.code
        return render_template("error.html", code=exc.code, title=exc.name, message=exc.description), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %r", request.method, request.path)
        if _wants_json():
            return jsonify(error="internal error"), 500
        message = "Something went wrong on our side. It has been logged."
        return render_template("error.html", code=500, title="Server error", message=message), 500
