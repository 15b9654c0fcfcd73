"""Webhook ingest latency with Redis up, stopped and hung, in one run.

    .venv/bin/python bench/webhook_latency.py            # about 30-40 s
    .venv/bin/python bench/webhook_latency.py --quick    # skips the multi-second rows

Builds the app on a fresh database (SQLite in a temp dir, or a temporary database on the PostgreSQL
server of TEST_DATABASE_URL when set) and its own `redis-server` on a free port, then POSTs signed
deliveries (unique conversation ids) through the Flask test client and times each request.
Ratios are against the Redis-up baseline of the same run. Exit status 1 when the goal fails:
p95 < 100 ms while Redis is down (stopped), with the webhook's request-path client.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the app, and the process helpers in tests/processes.py

import redis  # noqa: E402
from processes import RedisServer, TempDatabase  # noqa: E402
from redis import Redis  # noqa: E402

from app import create_app  # noqa: E402
from app.config import normalize_database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.webhooks.signature import sign  # noqa: E402

GOAL_MS = 100.0
SECRET = "whsec_bench_secret_000000001"
AGENT_ID = "agent_bench_0001"
PATH = "/api/webhooks/elevenlabs/call-ended"


# --------------------------------------------------------------------------- app


def build_app(database_url: str, redis_url: str):
    from flask_migrate import upgrade

    from app import secrets_box
    from app.models import Agent, Tenant

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key",
            "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
            "REDIS_URL": redis_url,
            "RATELIMIT_ENABLED": False,
            "LLM_PROVIDER": "offline",
            "EMBEDDINGS_PROVIDER": "offline",
            "VECTOR_STORE": "local",
            "ELEVENLABS_WEBHOOK_SECRET": "",
        }
    )
    with app.app_context():
        upgrade()
        tenant = Tenant(name="Bench", slug="bench", webhook_secret_encrypted=secrets_box.encrypt(SECRET))
        db.session.add(tenant)
        db.session.flush()
        db.session.add(Agent(tenant_id=tenant.id, agent_id=AGENT_ID, name="Reception"))
        db.session.commit()
        db.session.remove()
    return app


class Deliverer:
    """Signed deliveries with unique conversation ids; returns each request's wall time in ms."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.run = secrets.token_hex(3)
        self.count = 0

    def one(self) -> float:
        self.count += 1
        body = json.dumps(
            {
                "type": "post_call_transcription",
                "data": {
                    "conversation_id": f"conv-bench-{self.run}-{self.count:05d}",
                    "agent_id": AGENT_ID,
                    "transcript": [
                        {"role": "agent", "message": "Good morning, how can I help?", "time_in_call_secs": 0},
                        {"role": "user", "message": "Please call me back tomorrow.", "time_in_call_secs": 3},
                    ],
                },
            }
        ).encode()
        headers = {"Content-Type": "application/json", "ElevenLabs-Signature": sign(SECRET, body)}
        started = time.perf_counter()
        reply = self.client.post(PATH, data=body, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if reply.status_code != 202:
            raise SystemExit(f"delivery answered {reply.status_code}: {reply.get_data(as_text=True)[:500]}")
        return elapsed

    def many(self, n: int) -> list[float]:
        return [self.one() for _ in range(n)]


def use_request_client(app, factory: Callable[[], Redis] | None) -> None:
    """Swap the webhook's cached Redis client (None: back to the app's own request-path client)."""
    ext = app.extensions.setdefault("calldesk_redis", {})
    old = ext.pop("request", None)
    if old is not None:
        old.close()
    if factory is not None:
        ext["request"] = factory()


# --------------------------------------------------------------------------- report


@dataclass
class Row:
    label: str
    samples: list[float]

    def pct(self, p: float) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def print_table(rows: list[Row], baseline: Row) -> None:
    width = max(len(r.label) for r in rows)
    cols = ("n", 4), ("p50 ms", 8), ("p95 ms", 8), ("max ms", 8), ("p50 x", 7), ("p95 x", 7)
    head = f"{'situation':<{width}}" + "".join(f"  {name:>{size}}" for name, size in cols)
    print(head)
    print("-" * len(head))
    for r in rows:
        p50, p95 = r.pct(50), r.pct(95)
        print(
            f"{r.label:<{width}}  {len(r.samples):>4}  {p50:>8.1f}  {p95:>8.1f}  {max(r.samples):>8.1f}"
            f"  {p50 / baseline.pct(50):>7.1f}  {p95 / baseline.pct(95):>7.1f}"
        )


def verdict(label: str, row: Row) -> bool:
    p95 = row.pct(95)
    ok = p95 < GOAL_MS
    print(f"{label}: p95 {p95:.1f} ms < {GOAL_MS:.0f} ms -> {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="deliveries per fast situation (default 200)")
    parser.add_argument("--hung-n", type=int, default=50, help="deliveries with Redis hung (default 50)")
    parser.add_argument("--slow-n", type=int, default=3, help="deliveries per slow situation (default 3)")
    parser.add_argument("--quick", action="store_true", help="skip the multi-second situations")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="calldesk-bench-"))
    server = RedisServer(workdir)
    database = TempDatabase(workdir, os.environ.get("TEST_DATABASE_URL"), prefix="calldesk_bench")
    started = time.monotonic()
    try:
        server.start()
        app = build_app(database.url, server.url)
        # After the migrations (Alembic's fileConfig resets logging): the app logs as in production
        # (INFO, one line per delivery), into a file rather than the terminal.
        logging.basicConfig(
            level=logging.INFO, handlers=[logging.FileHandler(workdir / "app.log")], force=True
        )
        deliver = Deliverer(app)
        host, port = "127.0.0.1", server.port
        timeout = app.config["REDIS_REQUEST_TIMEOUT_S"]
        rows: list[Row] = []

        deliver.many(10)  # warm-up: imports, first connections, statement caches
        baseline = Row("Redis up, request-path client (baseline)", deliver.many(args.n))
        rows.append(baseline)

        server.stop()
        down = Row(
            f"Redis stopped, request-path client ({timeout * 1000:.0f} ms, 0 retries)", deliver.many(args.n)
        )
        rows.append(down)
        use_request_client(app, lambda: Redis.from_url(server.url))
        rows.append(Row("Redis stopped, Redis.from_url() defaults", deliver.many(5)))
        if not args.quick:
            use_request_client(app, lambda: Redis(host=host, port=port, db=0))
            rows.append(Row("Redis stopped, Redis(host, port) defaults", deliver.many(args.slow_n)))

        server.start()
        server.pause()  # accepts TCP connections (kernel backlog) but never answers
        use_request_client(app, None)
        hung = Row(
            f"Redis hung, request-path client ({timeout * 1000:.0f} ms, 0 retries)", deliver.many(args.hung_n)
        )
        rows.append(hung)
        if not args.quick:
            use_request_client(app, lambda: Redis.from_url(server.url))
            rows.append(Row("Redis hung, Redis.from_url() defaults", deliver.many(max(1, args.slow_n - 1))))
        use_request_client(app, None)
        with app.app_context():
            db.engine.dispose()

        print()
        print(
            f"Webhook ingest latency: {database.label}, redis-py {redis.__version__}, "
            f"Python {platform.python_version()}, Flask test client, {time.monotonic() - started:.0f} s"
        )
        print()
        print_table(rows, baseline)
        print()
        ok = verdict(f"GOAL  Redis down (stopped), request-path client, {len(down.samples)} deliveries", down)
        verdict(f"info  Redis hung (SIGSTOP), request-path client, {len(hung.samples)} deliveries", hung)
        return 0 if ok else 1
    finally:
        server.stop()
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
