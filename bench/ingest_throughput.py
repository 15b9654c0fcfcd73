"""Webhook ingest under concurrency: the real app against a bare Flask JSON endpoint, one run.

    .venv/bin/python bench/ingest_throughput.py            # about 1-2 min
    .venv/bin/python bench/ingest_throughput.py -n 1000    # fewer deliveries per server

Real parts: PostgreSQL (TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres; a
database of its own, dropped at the end), a private `redis-server`, and gunicorn with 4 workers (the
README's production command, access log on). 16 connections (4 client processes x 4 threads) post
`-n` signed deliveries of the real sample's size (tests/data/post_call_transcription.json), each
with its own conversation id, first to a bare Flask endpoint (parse the JSON, answer 202) served by
the same gunicorn configuration (the baseline), then to the real webhook (verify, store, record,
enqueue: every answer must be 202). Goals: throughput >= 0.30 x the baseline's, p99 <= 25 ms.
Exit status 1 when a goal fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from chaos import SAMPLE, SECRET_KEY, TENANTS, bench_app, seed  # noqa: E402
from processes import (  # noqa: E402
    RedisServer,
    TempDatabase,
    free_port,
    gunicorn_args,
    healthy,
    spawn,
    stop_tree,
    tail,
    wait_for,
    worker_env,
)

from app.webhooks.signature import sign  # noqa: E402

PATH = "/api/webhooks/elevenlabs/call-ended"
RATIO_GOAL = 0.30
P99_GOAL_MS = 25.0
CLIENTS, THREADS = 4, 4  # 16 connections
WORKERS = 4


def bodies(n: int, run: str) -> list[tuple[bytes, str]]:
    """n signed deliveries of the sample's size, each its own conversation."""
    _, agent_id, secret = TENANTS[0]
    out = []
    for i in range(n):
        payload = json.loads(json.dumps(SAMPLE))
        payload["data"].update(agent_id=agent_id, conversation_id=f"conv-ingest-{run}-{i:06d}")
        body = json.dumps(payload).encode()
        out.append((body, sign(secret, body)))
    return out


def _client(port: int, work: list[tuple[bytes, str]], results) -> None:
    """One client process: THREADS connections share `work`; puts (latencies in ms, statuses)."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    todo = iter(work)

    def thread() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                item = next(todo, None)
            if item is None:
                break
            body, signature = item
            headers = {"Content-Type": "application/json", "ElevenLabs-Signature": signature}
            started = time.perf_counter()
            conn.request("POST", PATH, body, headers)
            reply = conn.getresponse()
            reply.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[reply.status] = statuses.get(reply.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=thread) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put((latencies, statuses))


def load(port: int, work: list[tuple[bytes, str]]) -> tuple[float, list[float], dict[int, int]]:
    """Post `work` over CLIENTS x THREADS connections; (requests/s, latencies ms, status counts)."""
    results = multiprocessing.Queue()
    shares = [work[i::CLIENTS] for i in range(CLIENTS)]
    procs = [multiprocessing.Process(target=_client, args=(port, share, results)) for share in shares]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    collected = [results.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join()
    latencies = [ms for lat, _ in collected for ms in lat]
    statuses: dict[int, int] = {}
    for _, counts in collected:
        for status, count in counts.items():
            statuses[status] = statuses.get(status, 0) + count
    return len(work) / elapsed, latencies, statuses


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def serve(app_spec: str, env: dict, workdir: Path, name: str):
    """gunicorn (WORKERS sync workers, as in the README) serving `app_spec`; (process, port)."""
    port = free_port()
    control = workdir / name
    control.mkdir()
    args = gunicorn_args(port, control, workers=WORKERS, threads=1)
    args[-1:] = ["--pythonpath", str(ROOT / "bench" / "apps"), app_spec]
    log = workdir / f"{name}.log"
    proc = spawn(args, env, log)
    wait_for(
        lambda: healthy(f"http://127.0.0.1:{port}"), 60, f"{name} to serve", lambda: tail(log), proc=proc
    )
    return proc, port, log


def cpu_seconds(proc) -> float:
    """User + system CPU of gunicorn's workers so far (the arbiter idles): load-independent cost."""
    total = 0.0
    for child in psutil.Process(proc.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            total += times.user + times.system
    return total


def run(label: str, app_spec: str, env: dict, workdir: Path, work: list[tuple[bytes, str]], warm: list):
    """(requests/s, latencies, web workers' CPU ms per request) of `work` against `app_spec`."""
    proc, port, log = serve(app_spec, env, workdir, label.split()[0])
    try:
        load(port, warm)  # every gunicorn worker imports, connects and fills its caches
        cpu_before = cpu_seconds(proc)
        rate, latencies, statuses = load(port, work)
        cpu_ms = (cpu_seconds(proc) - cpu_before) * 1000 / len(work)
    finally:
        stop_tree(proc)
    bad = {s: c for s, c in statuses.items() if s != 202}
    if bad:
        raise SystemExit(f"{label}: answers other than 202: {bad}\n{tail(log)}")
    return rate, latencies, cpu_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="deliveries per server (default 3000)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="calldesk-bench-ingest-"))
    redis = RedisServer(workdir / "redis")
    base = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    database = TempDatabase(workdir, base, prefix="calldesk_bench_ingest")
    ok = False
    try:
        redis.start()
        seed(bench_app(database.url, redis.url))
        env = worker_env(database.url, redis.url, SECRET_KEY=SECRET_KEY, SESSION_COOKIE_SECURE="false")
        run_id = f"{int(time.time())}"
        warm = bodies(200, f"{run_id}-warm")
        work = bodies(args.n, run_id)
        when, load_avg = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", os.getloadavg()[0]
        print(f"{platform.node()}, {os.cpu_count()} cores, load {load_avg:.1f}, {when}")
        print(f"{args.n} signed deliveries of {len(work[0][0])} bytes, {CLIENTS * THREADS} connections,")
        print(f"gunicorn -w {WORKERS} (sync), {database.label} and Redis\n")
        print(f"{'server':<36}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'cpu ms/req':>12}")
        bare = run("bare Flask JSON endpoint (baseline)", "bare:app", env, workdir, work, warm)
        row("bare Flask JSON endpoint (baseline)", *bare, 1.0)
        real = run("webhook (wsgi:app)", "wsgi:app", env, workdir, work, warm)
        ratio, p99 = real[0] / bare[0], pct(real[1], 99)
        row("webhook (wsgi:app)", *real, ratio)
        print()
        ok = verdict(f"throughput ratio {ratio:.2f} >= {RATIO_GOAL}", ratio >= RATIO_GOAL)
        ok &= verdict(f"webhook p99 {p99:.1f} ms <= {P99_GOAL_MS:.0f} ms", p99 <= P99_GOAL_MS)
    finally:
        redis.stop()
        database.drop()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"logs kept in {workdir}")
    return 0 if ok else 1


def row(label: str, rate: float, latencies: list[float], cpu_ms: float, ratio: float) -> None:
    p50, p99 = pct(latencies, 50), pct(latencies, 99)
    print(f"{label:<36}{rate:>8.0f}{p50:>9.1f}{p99:>9.1f}{ratio:>8.2f}{cpu_ms:>12.2f}")


def verdict(what: str, passed: bool) -> bool:
    print(f"{what} -> {'PASS' if passed else 'FAIL'}")
    return passed


if __name__ == "__main__":
    sys.exit(main())
