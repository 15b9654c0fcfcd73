"""Pages at scale, over HTTP: the lists, keyword and semantic search, similar calls, analytics and
the CSV export of a workspace of N calls, on a real gunicorn and PostgreSQL.

    .venv/bin/python bench/lists.py                  # seeds calldesk_bench_10000 (~20 s), measures, drops it
    .venv/bin/python bench/lists.py --calls 100000   # ~2 minutes of seeding
    .venv/bin/python bench/lists.py --db URL --calls N   # a database bench/run seeded (bench/seeded.py)

Signed in as the big workspace's owner, each page is asked `-n` times one after the other (after
three warm-up requests per gunicorn worker); p50/p95 are nearest-rank, ratios are against /healthz
in the same run.
A page that answers 404 (not built yet) is reported as "missing", not failed. Exit 1 when a goal
fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from httpclient import Client, measure_export, pct, worker_rss  # noqa: E402
from processes import (  # noqa: E402
    RedisServer,
    free_port,
    gunicorn_args,
    healthy,
    spawn,
    stop_tree,
    tail,
    wait_for,
    worker_env,
)
from results import write_section  # noqa: E402
from seeded import MAIN, PASSWORD, SeededDatabase  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from app.config import normalize_database_url  # noqa: E402

LIST_MS, VECTOR_MS, ANALYTICS_MS, FIRST_BYTE_MS, RSS_MB = 300.0, 50.0, 500.0, 1000.0, 300.0
SEARCHES = ("boiler not working", "water leak under the sink", "charged twice", "gas smell", "new bathroom")
DEEP_HOPS = 20
ROW_BUDGET_S, MIN_SAMPLES = 60.0, 10  # a slow page is asked at least 10 times, then for at most ~60 s


def call_ids(url: str, n: int) -> list[int]:
    """n processed calls of the big workspace, spread over it."""
    engine = create_engine(normalize_database_url(url))
    with engine.connect() as conn:
        ids = conn.execute(
            text(
                "SELECT c.id FROM calls c JOIN users u ON u.tenant_id = c.tenant_id "
                "WHERE u.email = :email AND c.status = 'processed' ORDER BY random() LIMIT :n"
            ),
            {"email": MAIN, "n": n},
        ).scalars()
        ids = list(ids)
    engine.dispose()
    return ids


def deep_page(client: Client) -> tuple[str, str]:
    """The URL 20 "Older" links down the call list with keyset pagination; with numbered pages
    (an Older link to `?page=2`), `?page=500`."""
    url = "/calls"
    for hop in range(DEEP_HOPS):
        found = re.search(r'href="([^"]+)"[^>]*>[^<]*Older', client.get(url).body)
        if (found is None and hop == 0) or (found and re.search(r"[?&]page=[0-9]", found.group(1))):
            return "/calls?page=500", "/calls?page=500"
        if found is None:  # fewer than 20 pages
            return url, f"/calls, {hop} x Older (the last page)"
        url = html.unescape(found.group(1))
    return url, f"/calls, {DEEP_HOPS} x Older"


def measure(client: Client, path, headers: dict, n: int, warm: int) -> list[float] | str:
    """n timings (ms) of `path(i)` after `warm` untimed requests (each worker's first time, a
    cold vector cache, is not measured), fewer (at least MIN_SAMPLES) when the row has taken
    ROW_BUDGET_S already; for an error answer, "HTTP <status> for <path>"."""
    samples, started = [], time.monotonic()
    for i in range(warm + n):
        reply = client.get(path(i), headers)
        if reply.status != 200:
            return f"HTTP {reply.status} for {path(i)}"
        if i >= warm:
            samples.append(reply.total_ms)
        if len(samples) >= MIN_SAMPLES and time.monotonic() - started > ROW_BUDGET_S:
            break  # a page of several seconds: its p95 is clear enough, and the run stays bounded
    return samples


def run(
    base: str, url: str, n: int, gunicorn: Path, gunicorn_pid: int, workers: int
) -> tuple[list[tuple], dict]:
    client = Client(base)
    client.login(MAIN, PASSWORD)
    ids = call_ids(url, n + 3 * workers)
    deep_url, deep_label = deep_page(client)
    pages = [
        ("/healthz (baseline)", "baseline", lambda i: "/healthz", {}),
        ("/calls first page", "list", lambda i: "/calls", {}),
        ("/calls?q=boiler (common word)", "list", lambda i: "/calls?q=boiler", {}),
        ("/calls?q=zeppelin (rare word)", "list", lambda i: "/calls?q=zeppelin", {}),
        ("/calls/<id>/similar", "vector", lambda i: f"/calls/{ids[i]}/similar", {"HX-Request": "true"}),
        (
            "/search?q=...",
            "vector",
            lambda i: "/search?q=" + SEARCHES[i % len(SEARCHES)].replace(" ", "+"),
            {},
        ),
        (f"deep page: {deep_label}", "list", lambda i: deep_url, {}),
        ("/calls?callback=no", "list", lambda i: "/calls?callback=no", {}),
        ("/jobs", "list", lambda i: "/jobs", {}),
        ("/callbacks", "list", lambda i: "/callbacks", {}),
        ("/analytics", "analytics", lambda i: "/analytics", {}),
        ("/analytics?days=90", "analytics", lambda i: "/analytics?days=90", {}),
    ]
    rows = []
    for label, kind, path, headers in pages:
        first = client.get(path(0), headers)
        if first.status == 404:
            rows.append((label, kind, "missing"))
            continue
        samples = measure(client, path, headers, n, 3 * workers)
        if isinstance(samples, str):  # an error answer: reported, and the run fails
            print(f"  {label}: {samples}\n{tail(gunicorn, 2000)}", flush=True)
        else:
            print(f"  {label}: p50 {pct(samples, 50):.1f} ms, p95 {pct(samples, 95):.1f} ms", flush=True)
        rows.append((label, kind, samples))
    return rows, measure_export(client, "/calls/export.csv", gunicorn_pid)


def report(rows, export, rss, calls: int, n: int) -> tuple[str, bool]:
    goals = {"list": LIST_MS, "vector": VECTOR_MS, "analytics": ANALYTICS_MS}
    base50, base95 = pct(rows[0][2], 50), pct(rows[0][2], 95)
    head = f"{'request':<44} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7}"
    head += f" {'goal p95':>9}  result"
    lines, ok = [head, "-" * len(head)], True
    for label, kind, samples in rows:
        goal = goals.get(kind)
        if isinstance(samples, str):  # "missing" (404: not built yet), or an error answer
            ok &= samples == "missing"
            lines.append(f"{label:<44} {'':>3} {'':>8} {'':>8} {'':>7} {'':>7} {goal:>6.0f} ms  {samples}")
            continue
        p50, p95 = pct(samples, 50), pct(samples, 95)
        verdict = "" if goal is None else ("PASS" if p95 <= goal else "FAIL")
        ok &= verdict != "FAIL"
        goal_text = f"{goal:>6.0f} ms" if goal else f"{'':>9}"
        lines.append(
            f"{label:<44} {len(samples):>3} {p50:>8.1f} {p95:>8.1f} {p50 / base50:>7.1f} {p95 / base95:>7.1f}"
            f" {goal_text}  {verdict}"
        )
    lines.append("")
    if export is None:
        lines.append("/calls/export.csv: missing (404)")
    else:
        passed = export["first_byte_ms"] <= FIRST_BYTE_MS
        ok &= passed
        lines.append(
            f"/calls/export.csv: first byte {export['first_byte_ms']:.0f} ms (goal < {FIRST_BYTE_MS:.0f} ms:"
            f" {'PASS' if passed else 'FAIL'}), whole export {export['total_ms'] / 1000:.1f} s,"
            f" {export['rows']:,} lines, {export['bytes'] / 1e6:.1f} MB;"
            f" serving worker RSS {export['rss_before_mb']:.0f} MB before,"
            f" peak {export['rss_peak_mb']:.0f} MB"
        )
    for pid, (now_mb, peak_mb) in sorted(rss.items()):
        passed = peak_mb <= RSS_MB
        ok &= passed
        lines.append(
            f"gunicorn worker {pid}: RSS {now_mb:.0f} MB at the end, peak {peak_mb:.0f} MB"
            f" (goal < {RSS_MB:.0f} MB: {'PASS' if passed else 'FAIL'})"
        )
    title = (
        f"{calls:,} calls in the signed-in workspace + 2 x {calls // 10:,} in others; {n} requests per row"
    )
    return title + "\n\n" + "\n".join(lines), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000, help="calls in the big workspace (10,000)")
    parser.add_argument("--db", help="an already seeded database (bench/seeded.py); else seed one")
    parser.add_argument("-n", type=int, default=30, help="timed requests per page (30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2, as in the Dockerfile)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="calldesk-lists-"))
    seeded = None if args.db else SeededDatabase(args.calls)
    redis, web = RedisServer(workdir / "redis"), None
    try:
        if seeded:
            print(f"seeding {seeded.name}...", flush=True)
            print(f"seeded in {seeded.create():.0f} s", flush=True)
        url = args.db or seeded.url
        redis.start()
        port, log = free_port(), workdir / "web.log"
        env = worker_env(url, redis.url, SESSION_COOKIE_SECURE="false")
        web = spawn(gunicorn_args(port, workdir, workers=args.workers, threads=1), env, log)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: healthy(base), 60, "gunicorn", lambda: tail(log), proc=web)
        print(f"measuring on {base} ({args.workers} workers)...", flush=True)
        rows, export = run(base, url, args.n, log, web.pid, args.workers)
        body, ok = report(rows, export, worker_rss(web.pid), args.calls, args.n)
        print()
        print(body)
        if not args.no_write:
            write_section(f"lists.py: pages over HTTP at {args.calls:,} calls", body)
        return 0 if ok else 1
    finally:
        if web is not None:
            stop_tree(web)
        redis.stop()
        if seeded:
            seeded.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
