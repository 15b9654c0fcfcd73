"""Worker throughput: N real `python worker.py` processes, in-process jobs against forking, one run.

    .venv/bin/python bench/worker_throughput.py            # about 3-4 min on 2 busy cores
    .venv/bin/python bench/worker_throughput.py --quick    # N = 1 and 2 only, fewer calls

Real parts: PostgreSQL (TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres; a
database of its own, dropped at the end), a private `redis-server`, and `worker.py` processes.

1. Throughput: a local stand-in for the OpenAI API (tests/fakes) answers every chat request after
   `--latency` (200 ms) and embeddings at once. For N = 1, 2, 4 workers, N x `--per-worker` signed
   deliveries are queued, the workers started, and calls/s is measured over the calls processed
   once all N workers were up (the last 10% left out: the tail has idle workers). Goal: >= 0.85 of
   the ideal N / latency, for the default (in-process) workers.
2. Overhead: one worker, offline providers (nothing to wait for), `--overhead-calls` calls:
   milliseconds per call, the offline providers' own time (measured in this process) and the
   difference, the overhead. Goal: overhead <= 15 ms per call, for the default workers.

Both are measured for `worker.py --fork` (a work horse forked per job, RQ's default) as the baseline.
Exit status 1 when a goal fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from chaos import SAMPLE, TENANTS, bench_app, seed  # noqa: E402
from fakes.openai_server import FakeOpenAI  # noqa: E402
from processes import RedisServer, TempDatabase, Workers, wait_for, worker_env  # noqa: E402
from rq import Worker  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Call  # noqa: E402
from app.webhooks.signature import sign  # noqa: E402

THROUGHPUT_GOAL = 0.85  # x the ideal N / latency
OVERHEAD_GOAL_MS = 15.0
MODES = {"in-process (default)": [], "--fork (baseline)": ["--fork"]}


class Bench:
    def __init__(self, app, redis_url: str, database_url: str, workdir: Path):
        self.app = app
        self.client = app.test_client()
        self.redis_url = redis_url
        self.database_url = database_url
        self.workdir = workdir
        self.count = 0

    def deliver(self, n: int) -> list[int]:
        """n signed deliveries of the real sample's size through the webhook; their call ids."""
        _, agent_id, secret = TENANTS[0]
        ids = []
        for _ in range(n):
            self.count += 1
            payload = json.loads(json.dumps(SAMPLE))
            payload["data"].update(agent_id=agent_id, conversation_id=f"conv-tp-{self.count:06d}")
            body = json.dumps(payload).encode()
            headers = {"Content-Type": "application/json", "ElevenLabs-Signature": sign(secret, body)}
            reply = self.client.post("/api/webhooks/elevenlabs/call-ended", data=body, headers=headers)
            if reply.status_code != 202:
                raise SystemExit(f"delivery answered {reply.status_code}: {reply.get_data(as_text=True)}")
            ids.append(reply.json["call_id"])
        return ids

    def registered(self) -> int:
        from app.services.jobs import get_queue

        with self.app.app_context():
            return len(Worker.all(queue=get_queue()))

    def processed_times(self, ids: list[int]) -> list[float]:
        with self.app.app_context():
            rows = db.session.execute(
                select(Call.processed_at).where(Call.id.in_(ids), Call.status == "processed")
            ).scalars()
            times = sorted(t.replace(tzinfo=UTC).timestamp() for t in rows)
            db.session.remove()
        return times

    def run(self, label: str, args: list[str], n: int, calls: int, env: dict) -> float:
        """Calls per second of n workers once all are up, over `calls` queued calls."""
        ids = self.deliver(calls)
        logs = self.workdir / f"{label.split()[0]}-{n}-{calls}"
        logs.mkdir(exist_ok=True)
        workers = Workers(worker_env(self.database_url, self.redis_url, **env), logs)
        try:
            for i in range(n):
                workers.start(f"w{i}", *args)
            wait_for(lambda: self.registered() == n, 120, f"{n} workers", workers.logs)
            all_up = datetime.now(UTC).timestamp()
            wait_for(
                lambda: len(self.processed_times(ids)) == calls, 600, f"{calls} calls processed", workers.logs
            )
        finally:
            workers.stop_all()
        wait_for(lambda: self.registered() == 0, 30, "the workers to unregister", workers.logs)
        times = [t for t in self.processed_times(ids) if t >= all_up][: int(calls * 0.9)]
        if len(times) < 10:
            raise SystemExit(f"{label}: only {len(times)} calls after the workers were up\n{workers.logs()}")
        return (len(times) - 1) / (times[-1] - times[0])


def offline_provider_ms(app, repeat: int = 30) -> float:
    """What the offline analyser and embedder take for the sample call, in this process."""
    from app.pipeline.steps import embedding_text
    from app.providers import get_providers
    from app.providers.base import AnalysisRequest, Turn

    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.status == "processed").limit(1)).one()
        request = AnalysisRequest(turns=[Turn(**t) for t in call.transcript], metadata={})
        providers = get_providers()
        providers.llm.analyse(request)
        providers.embedder.embed([embedding_text(call)])  # warm: the model is loaded once per process
        started = time.perf_counter()
        for _ in range(repeat):
            providers.llm.analyse(request)
            providers.embedder.embed([embedding_text(call)])
        db.session.remove()
    return (time.perf_counter() - started) * 1000 / repeat


def verdict(what: str, passed: bool) -> bool:
    print(f"{what} -> {'PASS' if passed else 'FAIL'}")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="chat latency in seconds (default 0.2)")
    parser.add_argument("--per-worker", type=int, default=40, help="calls per worker (default 40)")
    parser.add_argument("--overhead-calls", type=int, default=200, help="calls of the overhead run")
    parser.add_argument("--quick", action="store_true", help="N = 1, 2; half the calls")
    args = parser.parse_args()
    counts = (1, 2) if args.quick else (1, 2, 4)
    per_worker = args.per_worker // 2 if args.quick else args.per_worker
    overhead_calls = args.overhead_calls // 2 if args.quick else args.overhead_calls

    workdir = Path(tempfile.mkdtemp(prefix="calldesk-bench-worker-"))
    redis = RedisServer(workdir / "redis")
    base = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    database = TempDatabase(workdir, base, prefix="calldesk_bench_worker")
    fake = FakeOpenAI().start()
    fake.delay_next(args.latency, times=10**9, path="/v1/chat/completions")
    ok = True
    try:
        redis.start()
        app = bench_app(database.url, redis.url)
        seed(app)
        bench = Bench(app, redis.url, database.url, workdir)
        paid = dict(LLM_PROVIDER="openai", EMBEDDINGS_PROVIDER="openai", OPENAI_API_KEY="sk-bench")
        paid.update(OPENAI_BASE_URL=fake.base_url, OPENAI_MAX_RETRIES=0, SECRET_KEY="chaos-secret-key")
        offline = dict(SECRET_KEY="chaos-secret-key")
        when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        load = os.getloadavg()[0]
        print(f"{platform.node()}, {os.cpu_count()} cores, load {load:.1f}, {when}, {database.label}")
        print(f"\nthroughput, chat latency {args.latency * 1000:.0f} ms, {per_worker} calls per worker")
        print(f"{'workers':<24}{'N':>3}{'calls/s':>10}{'ideal':>8}{'ratio':>8}")
        ratios: dict[str, list[float]] = {}
        for label, extra in MODES.items():
            for n in counts:
                rate = bench.run(label, extra, n, n * per_worker, paid)
                ideal = n / args.latency
                ratios.setdefault(label, []).append(rate / ideal)
                print(f"{label:<24}{n:>3}{rate:>10.2f}{ideal:>8.1f}{rate / ideal:>8.2f}", flush=True)
        provider_ms = offline_provider_ms(app)
        print(f"\noverhead, one worker, offline providers ({provider_ms:.1f} ms of their own per call)")
        print(f"{'workers':<24}{'ms/call':>10}{'overhead':>10}")
        overheads = {}
        for label, extra in MODES.items():
            per_call = 1000 / bench.run(label, extra, 1, overhead_calls, offline)
            overheads[label] = per_call - provider_ms
            print(f"{label:<24}{per_call:>10.1f}{overheads[label]:>10.1f}", flush=True)
        default = next(iter(MODES))
        worst = min(ratios[default])
        over = overheads[default]
        ok = verdict(f"throughput: worst ratio {worst:.2f} >= {THROUGHPUT_GOAL}", worst >= THROUGHPUT_GOAL)
        ok &= verdict(f"overhead: {over:.1f} ms <= {OVERHEAD_GOAL_MS:.0f} ms", over <= OVERHEAD_GOAL_MS)
    finally:
        fake.stop()
        redis.stop()
        database.drop()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"logs kept in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
