"""What one job costs the in-process worker: PostgreSQL statements and commits, Redis round trips.

    .venv/bin/python bench/worker_profile.py                 # 40 calls, counts per job
    .venv/bin/python bench/worker_profile.py --profile out   # and a cProfile of the run (pstats file)

PostgreSQL (TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres; a database of its
own, dropped at the end), a private `redis-server`, offline providers, the local vector store. The
calls are delivered through the webhook, then one InProcessWorker (the default of worker.py) runs
them in this process in burst mode; the first few warm it up and are not counted. Counts, not
times: statements by kind, commits, Redis round trips (a pipeline is one) and the commands sent
(the worker's own start and stop are spread over the jobs: ~0.4 round trips each).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from chaos import bench_app, seed  # noqa: E402
from processes import RedisServer, TempDatabase  # noqa: E402
from sqlalchemy import event  # noqa: E402
from worker_throughput import Bench  # noqa: E402

from app.extensions import db  # noqa: E402


class Counts:
    """Statements and commits on the app's engine, Redis round trips of every client in the process."""

    def __init__(self, engine):
        self.statements: Counter[str] = Counter()
        self.commits = 0
        self.round_trips = 0
        self.commands: Counter[str] = Counter()
        self.on = False
        self.trace: list[str] = []  # the order of statements and round trips (the last job's)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        self._patch_redis()

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            words = statement.split()
            kind = words[0].upper()
            table = next((w for w in words[1:6] if w.upper() not in {"INTO", "FROM", "DISTINCT"}), "")
            if kind == "SELECT":
                table = words[words.index("FROM") + 1] if "FROM" in words else ""
            table = table.strip('"')
            self.statements[f"{kind} {table}"] += 1
            self.trace.append(f"SQL   {kind} {table}")

    def _commit(self, conn):
        if self.on:
            self.commits += 1
            self.trace.append("SQL   COMMIT")

    def _patch_redis(self):
        from redis.connection import AbstractConnection

        original = AbstractConnection.send_packed_command
        counts = self

        def send_packed_command(conn, command, check_health=True):
            if counts.on:
                counts.round_trips += 1
                chunks = command if isinstance(command, list) else [command]
                text = b"".join(bytes(c) for c in chunks)
                names = []
                for part in text.split(b"*")[1:]:  # each RESP array: *N\r\n$len\r\nNAME\r\n...
                    lines = part.split(b"\r\n")
                    if len(lines) > 2 and lines[1].startswith(b"$"):
                        names.append(lines[2].decode(errors="replace").upper())
                counts.commands.update(names)
                counts.trace.append("REDIS " + " ".join(names))
            return original(conn, command, check_health)

        AbstractConnection.send_packed_command = send_packed_command


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument(
        "--trace", action="store_true", help="print one job's statements and round trips, in order"
    )
    parser.add_argument("--profile", help="write a cProfile of the counted jobs to this file")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="calldesk-bench-profile-"))
    redis = RedisServer(workdir / "redis")
    base = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    database = TempDatabase(workdir, base, prefix="calldesk_bench_profile")
    try:
        redis.start()
        app = bench_app(database.url, redis.url)
        seed(app)
        Bench(app, redis.url, database.url, workdir).deliver(args.warm + args.calls)
        from app.pipeline.inprocess import make_worker
        from app.services.jobs import get_queue, redis_conn

        with app.app_context():
            counts = Counts(db.engine)
            import app.pipeline.process as process

            process_call = process.process_call

            def marked(call_id):  # where a job's own code starts, in the trace
                counts.trace.append("=== process_call")
                return process_call(call_id)

            process.process_call = marked
            conn = redis_conn()
            worker = make_worker([get_queue(conn)], conn)
            worker.work(burst=True, max_jobs=args.warm, logging_level="WARNING")
            worker = make_worker([get_queue(conn)], conn)
            profiler = cProfile.Profile() if args.profile else None
            counts.on = True
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            worker.work(burst=True, max_jobs=args.calls, logging_level="WARNING")
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            elapsed = time.perf_counter() - started
            counts.on = False
        n = args.calls
        load = os.getloadavg()[0]
        statements = sum(counts.statements.values()) / n
        print(f"{n} jobs, {elapsed * 1000 / n:.1f} ms per job (wall, in this process, load {load:.1f})")
        print(f"per job: {statements:.1f} statements, {counts.commits / n:.1f} commits, ", end="")
        print(f"{counts.round_trips / n:.1f} Redis round trips")
        print("statements per job:")
        for what, count in counts.statements.most_common():
            print(f"  {count / n:5.2f}  {what}")
        print("Redis commands per job:")
        for what, count in counts.commands.most_common():
            print(f"  {count / n:5.2f}  {what}")
        if args.trace:
            print("one job, in order, from its job's start to the next one's:")
            text = "\n".join("  " + line for line in counts.trace)
            print("  ===" + text.split("===")[-2] + "===")
    finally:
        redis.stop()
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
