"""Chaos: signed deliveries at a steady rate while Redis dies and comes back empty, and a worker dies.

    .venv/bin/python bench/chaos.py              # 10,000 deliveries (about 10-15 min on 2 cores)
    .venv/bin/python bench/chaos.py --n 1000     # a quicker run

Real parts: PostgreSQL (TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres; a
database of its own, dropped at the end), a private `redis-server`, gunicorn (several processes) and
two `python worker.py` processes, offline providers. Concurrent senders post `--n` signed deliveries
at `--rate` per second, a tenth of them duplicates sent at the same moment as their original.
In the middle Redis is killed (SIGKILL); while it is down one worker is SIGKILLed (with its work
horse) and started again; then Redis restarts empty. When the last delivery is answered the run
waits for processing, then counts: lost (sent, no call row), duplicated (two calls for one
conversation), unprocessed (not processed after the wait) and 5xx answers. Exit status 1 unless
all four are 0 (and both workers are still running). See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the app, and the process helpers in tests/processes.py

from processes import (  # noqa: E402
    RedisServer,
    TempDatabase,
    Workers,
    free_port,
    gunicorn_args,
    healthy,
    kill_tree,
    spawn,
    stop_tree,
    tail,
    wait_for,
    worker_env,
)
from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.config import normalize_database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.webhooks.signature import sign  # noqa: E402

PATH = "/api/webhooks/elevenlabs/call-ended"
SAMPLE = json.loads((ROOT / "tests" / "data" / "post_call_transcription.json").read_text())
SECRET_KEY = "chaos-secret-key"
TENANTS = [
    ("Acme", "agent_chaos_acme", "whsec_chaos_acme_0001"),
    ("Beta", "agent_chaos_beta", "whsec_chaos_beta_0002"),
]
# Settings of the web and worker processes: recovery within seconds, not minutes.
SETTINGS = {
    "SECRET_KEY": SECRET_KEY,
    "SWEEP_INTERVAL_S": 2,  # queued calls whose job Redis lost are enqueued again within this
    "HEARTBEAT_INTERVAL_S": 2,
    "STALE_PROCESSING_S": 10,  # the killed worker's call is taken over after this without a heartbeat
    "JOB_RETRY_INTERVALS": "1,2,5",
}


# --------------------------------------------------------------------------- the workspaces


def bench_app(database_url: str, redis_url: str):
    """The app in this process, for setting up and for counting (the web and workers run apart)."""
    uri = normalize_database_url(database_url)
    return create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri, "REDIS_URL": redis_url})


def seed(app) -> None:
    """Schema through the real migrations, and two workspaces with an agent and a signing secret each."""
    from flask_migrate import upgrade

    from app import secrets_box
    from app.models import Agent, Tenant

    with app.app_context():
        upgrade()
        for name, agent_id, secret in TENANTS:
            encrypted = secrets_box.encrypt(secret)
            tenant = Tenant(name=name, slug=name.lower(), webhook_secret_encrypted=encrypted)
            db.session.add(tenant)
            db.session.flush()
            db.session.add(Agent(tenant_id=tenant.id, agent_id=agent_id, name="Reception"))
        db.session.commit()
        db.session.remove()


# --------------------------------------------------------------------------- the senders


@dataclass
class Delivery:
    at: float  # seconds after the start
    agent_id: str
    secret: str
    conversation_id: str

    def body(self) -> bytes:
        payload = json.loads(json.dumps(SAMPLE))
        payload["data"].update(agent_id=self.agent_id, conversation_id=self.conversation_id)
        return json.dumps(payload).encode()


def schedule(n: int, rate: float, run: str) -> list[Delivery]:
    """n deliveries, one every 1/rate s; a tenth repeat an earlier conversation at the same moment."""
    duplicates = n // 10
    rng = random.Random(run)
    originals = n - duplicates
    twinned = set(rng.sample(range(originals), duplicates))
    plan = []
    for i in range(originals):
        name, agent_id, secret = TENANTS[i % len(TENANTS)]
        delivery = Delivery(len(plan) / rate, agent_id, secret, f"conv-chaos-{run}-{i:05d}")
        plan.append(delivery)
        if i in twinned:  # the same body from a second sender, at the same time: a real race
            plan.append(Delivery(delivery.at, agent_id, secret, delivery.conversation_id))
    return plan


@dataclass
class Tally:
    answers: Counter = field(default_factory=Counter)  # "202 accepted", "200 duplicate", "503", ...
    server_errors: int = 0
    connection_errors: int = 0
    gave_up: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    late: float = 0.0  # the worst delay between a delivery's slot and its sending
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_all(base_port: int, plan: list[Delivery], senders: int, tally: Tally) -> float:
    """Post the plan with `senders` threads, each slot at its time; a 5xx or a refused connection is
    retried (as a webhook sender does). Returns the seconds it took."""
    todo: queue.Queue[Delivery | None] = queue.Queue()
    started = time.monotonic()

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
        while (delivery := todo.get()) is not None:
            with tally.lock:
                tally.late = max(tally.late, time.monotonic() - started - delivery.at)
            body = delivery.body()
            for attempt in range(6):
                try:
                    t0 = time.perf_counter()
                    conn.request(
                        "POST",
                        PATH,
                        body,
                        {
                            "Content-Type": "application/json",
                            "ElevenLabs-Signature": sign(delivery.secret, body),
                        },
                    )
                    reply = conn.getresponse()
                    data = reply.read()
                    elapsed = time.perf_counter() - t0
                except (OSError, http.client.HTTPException):
                    conn.close()
                    with tally.lock:
                        tally.connection_errors += 1
                    time.sleep(0.5 * (attempt + 1))
                    continue
                status = json.loads(data).get("status", "") if data.startswith(b"{") else ""
                with tally.lock:
                    tally.answers[f"{reply.status} {status}".strip()] += 1
                    tally.latencies.append(elapsed)
                    tally.server_errors += reply.status >= 500
                if reply.status < 500:
                    break
                time.sleep(0.5 * (attempt + 1))
            else:
                with tally.lock:
                    tally.gave_up.append(delivery.conversation_id)
        conn.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for delivery in plan:
        pause = started + delivery.at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        todo.put(delivery)
    for _ in threads:
        todo.put(None)
    for thread in threads:
        thread.join()
    return time.monotonic() - started


# --------------------------------------------------------------------------- the chaos


def chaos(redis: RedisServer, workers: Workers, begin: float, outage: float, events: list[str]) -> None:
    """At `begin` s: Redis killed; a third into the outage worker A killed, two thirds in started
    again; at `begin + outage` Redis started, empty."""
    t0 = time.monotonic()

    def at(offset: float, what: str) -> None:
        time.sleep(max(0.0, t0 + offset - time.monotonic()))
        events.append(f"{time.monotonic() - t0:7.1f} s  {what}")

    at(begin, "Redis killed (SIGKILL)")
    redis.kill()
    at(begin + outage / 3, "worker A killed (SIGKILL, with its work horse)")
    kill_tree(workers.procs["A"])
    at(begin + 2 * outage / 3, "worker A started again (Redis still down)")
    workers.start("A")
    at(begin + outage, "Redis started again, empty")
    redis.start()


# --------------------------------------------------------------------------- the verdict


def census(app, plan: list[Delivery]) -> dict:
    """What the database holds for the conversations sent."""
    from app.models import Agent, Call

    with app.app_context():
        agents = dict(db.session.execute(select(Agent.agent_id, Agent.tenant_id)).all())
        rows = db.session.execute(select(Call.tenant_id, Call.conversation_id, Call.status)).all()
        retried = db.session.execute(select(func.count()).where(Call.attempts > 1)).scalar_one()
        first, last = db.session.execute(
            select(func.min(Call.processed_at), func.max(Call.processed_at))
        ).one()
        db.session.remove()
    sent = {(agents[d.agent_id], d.conversation_id) for d in plan}
    per_key = Counter((tenant, conv) for tenant, conv, _ in rows)
    statuses = Counter(status for _, _, status in rows)
    span = (last - first).total_seconds() if first and last else 0.0
    return {
        "sent": len(sent),
        "calls": len(rows),
        "lost": len(sent - set(per_key)),
        "duplicated": sum(1 for count in per_key.values() if count > 1),
        "statuses": dict(statuses),
        "unprocessed": len(rows) - statuses["processed"],
        "retried": retried,
        "rate": statuses["processed"] / span if span else 0.0,
    }


def wait_processed(app, timeout: float) -> float:
    """Seconds until no call is queued or processing (or `timeout`), with a progress line now and then."""
    from app.models import Call

    started = time.monotonic()
    last = 0.0
    while True:
        with app.app_context():
            left = db.session.execute(
                select(func.count()).where(Call.status.in_(("queued", "processing")))
            ).scalar_one()
            db.session.remove()
        waited = time.monotonic() - started
        if left == 0 or waited > timeout:
            return waited
        if waited - last >= 30:
            print(f"  ... {left} calls still queued or processing after {waited:.0f} s", flush=True)
            last = waited
        time.sleep(2)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0.0


def report(
    events: list[str], tally: Tally, result: dict, waited: float, total: float, workers: Workers
) -> dict:
    alive = sum(proc.poll() is None for proc in workers.procs.values())
    tracebacks = sum(
        workers.log(name).read_text(errors="replace").count("Traceback") for name in workers.procs
    )
    latency = ", ".join(f"p{p} {pct(tally.latencies, p):.0f} ms" for p in (50, 95, 99))
    print("\ntimeline (from the first delivery):")
    print("\n".join(f"  {line}" for line in events))
    print(f"answers: {dict(sorted(tally.answers.items()))}")
    print(f"  connection errors retried: {tally.connection_errors}; given up: {len(tally.gave_up)}")
    print(f"  latency {latency}; worst sending delay {tally.late:.1f} s")
    print(f"calls: {result['calls']} for {result['sent']} conversations; {result['statuses']}")
    print(f"  processed more than once (a killed worker's call): {result['retried']}")
    print(f"  processing rate {result['rate']:.1f} calls/s; done {waited:.0f} s after the last delivery")
    print(
        f"run: {total:.0f} s; workers running at the end: {alive}/2; tracebacks in their logs: {tracebacks}"
    )
    verdict = {
        "lost": result["lost"] + len(tally.gave_up),
        "duplicated": result["duplicated"],
        "unprocessed": result["unprocessed"],
        "5xx": tally.server_errors,
    }
    print("\n" + "  ".join(f"{name} {value}" for name, value in verdict.items()))
    return verdict | {"workers down": 2 - alive}


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt  # the `finally` below stops every process and drops the database


def main() -> int:
    # SIGINT too: a shell starts a background job with SIGINT ignored, which Python would keep.
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, _interrupted)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="deliveries, duplicates included (10,000)")
    parser.add_argument("--rate", type=float, default=20.0, help="deliveries per second (20)")
    parser.add_argument("--senders", type=int, default=16, help="concurrent sender threads (16)")
    parser.add_argument("--outage", type=float, default=30.0, help="seconds Redis stays down (30)")
    parser.add_argument("--web", type=int, default=3, help="gunicorn worker processes (3)")
    parser.add_argument("--wait", type=float, default=1800.0, help="longest wait for processing, s (1800)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the logs (a temp dir) after a pass")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="calldesk-chaos-"))
    base = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    database = TempDatabase(workdir, base, prefix="calldesk_chaos")
    redis = RedisServer(workdir / "redis")
    web, workers, ok = None, None, False
    started = time.monotonic()
    try:
        redis.start()
        app = bench_app(database.url, redis.url)
        seed(app)
        env = worker_env(database.url, redis.url, **SETTINGS)
        port = free_port()
        web = spawn(gunicorn_args(port, workdir, workers=args.web, threads=4), env, workdir / "web.log")
        workers = Workers(env, workdir)
        workers.start("A")
        workers.start("B")
        up = f"http://127.0.0.1:{port}"
        wait_for(lambda: healthy(up), 60, "gunicorn", lambda: tail(workdir / "web.log"), proc=web)

        plan = schedule(args.n, args.rate, run=os.urandom(3).hex())
        span = plan[-1].at
        outage = min(args.outage, span * 0.4)
        print(f"chaos: {args.n} deliveries at {args.rate:g}/s ({span:.0f} s), Redis down {outage:.0f} s")
        print(
            f"  {args.web} gunicorn processes, 2 workers, {args.senders} senders; logs in {workdir}",
            flush=True,
        )
        events: list[str] = []
        disorder = threading.Thread(
            target=chaos, args=(redis, workers, span * 0.4, outage, events), daemon=True
        )
        tally = Tally()
        disorder.start()
        sending = send_all(port, plan, args.senders, tally)
        disorder.join()
        print(f"sent in {sending:.0f} s; waiting for processing", flush=True)

        waited = wait_processed(app, args.wait)
        result = census(app, plan)
        with app.app_context():
            db.engine.dispose()
        verdict = report(events, tally, result, waited, time.monotonic() - started, workers)
        ok = not any(verdict.values())
        print("PASS" if ok else f"FAIL: {verdict}")
        return 0 if ok else 1
    finally:
        if workers is not None:
            workers.stop_all()
        if web is not None:
            stop_tree(web)
        redis.stop()
        database.drop()
        if ok and not args.keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("chaos: interrupted (processes stopped, database dropped)")
