"""CallDesk: the application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .config import load_config
from .extensions import csrf, db, htmx, login_manager, migrate
from .logs import configure_logging
from .ratelimits import init_limiter
from .sqlite_transactions import configure as configure_sqlite

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(load_config())
    if test_config:
        app.config.from_mapping(test_config)
    _check_secret_key(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_sqlite(engine)  # writing transactions wait for the lock (no-op on PostgreSQL)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    init_limiter(app)

    from . import auth, dashboard, errors, health, http_headers, readiness, webhooks  # noqa: F401
    from .admin import register_admin
    from .cli import register_cli
    from .services import changes  # noqa: F401 - its listeners mark workspaces changed on commit
    from .web import live, nav, timefmt

    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(health.bp)
    register_admin(app)
    http_headers.register(app)
    errors.register(app)
    timefmt.register(app)
    nav.register(app)
    live.register(app)
    register_cli(app)
    configure_logging()  # one line per event in every log, whatever text a tenant sends
    return app


def _check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if not key:
        if app.config["ENV"] == "development" or app.testing:
            app.config["SECRET_KEY"] = "dev-only-insecure-key"  # noqa: S105
        else:
            raise RuntimeError(
                "SECRET_KEY is not set: generate one with "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`"
            )
