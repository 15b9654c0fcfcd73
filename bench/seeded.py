"""A PostgreSQL database seeded for the benchmarks: `calldesk_bench_<size>`, migrated, with three
workspaces: `main@bench.test` with `size` processed calls (`flask seed-calls`), and two others with
a tenth each, so every query also has other tenants' rows to skip. bench/run seeds it once per size
and hands its URL to the benchmarks that take `--db`; a benchmark run alone seeds its own."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.config import normalize_database_url  # noqa: E402

PASSWORD = "bench-password-1"  # noqa: S105 - throw-away accounts in a throw-away database
MAIN, OTHERS = "main@bench.test", ("other-a@bench.test", "other-b@bench.test")


def server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def bench_app(url: str):
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalize_database_url(url),
            "SECRET_KEY": "bench-secret-key",
            "REDIS_URL": "redis://127.0.0.1:1/0",  # seeding talks to no Redis
            "LLM_PROVIDER": "offline",
            "EMBEDDINGS_PROVIDER": "offline",
            "VECTOR_STORE": "local",
        }
    )


class SeededDatabase:
    """`calldesk_bench_<size>` on the server of TEST_DATABASE_URL: created (dropped first if left
    over), migrated and seeded by `create()`, dropped by `drop()`."""

    def __init__(self, size: int, base_url: str | None = None):
        url = make_url(normalize_database_url(base_url or server_url()))
        if not url.drivername.startswith("postgresql"):
            raise SystemExit("the benchmarks need PostgreSQL (TEST_DATABASE_URL)")
        self.size, self.name = size, f"calldesk_bench_{size}"
        self.admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.url = url.set(database=self.name).render_as_string(hide_password=False)

    def create(self, echo=print) -> float:
        """Create, migrate and seed; returns the seconds the seeding took."""
        from flask_migrate import upgrade

        from app.extensions import db
        from app.seeding import describe, seed_calls
        from app.services import accounts

        self.drop()
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        app = bench_app(self.url)
        started = time.perf_counter()
        with app.app_context():
            upgrade()
            plan = ((MAIN, self.size), *((o, max(1, self.size // 10)) for o in OTHERS))
            for seed, (email, count) in enumerate(plan):
                accounts.signup(email.split("@")[0], email, PASSWORD)
                echo(f"seeding {count:,} calls for {email}")
                echo(describe(seed_calls(email, count, seed=seed, echo=lambda _: None)))
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does soon after a bulk load
            db.engine.dispose()
        return time.perf_counter() - started

    def drop(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
