"""End-to-end check of the zero-setup local run (`scripts/dev` = `python -m app.devserver`).

SLOW (about 10-20 s): starts the real dev server as a subprocess, with no DATABASE_URL and no REDIS_URL,
so it must bring up SQLite, an embedded redis-server and an RQ worker by itself, seed the demo calls,
and serve them. Needs no fixture from conftest.py and no service on the machine.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from processes import free_port, tail, wait_for

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60
PROCESS_TIMEOUT_S = 90


def _processes_mentioning(marker: str) -> list[int]:
    """Pids whose command line, environment or working directory mention `marker` (a /proc scan)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blobs = [(entry / "cmdline").read_bytes(), (entry / "environ").read_bytes()]
            blobs.append(os.readlink(entry / "cwd").encode())
        except OSError:  # gone meanwhile, a zombie, or not ours to read
            continue
        if any(marker.encode() in blob for blob in blobs):
            found.append(int(entry.name))
    return found


def _log(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def test_devserver_runs_everything_and_stops_cleanly(tmp_path):
    """Slow: login with the demo account, see the sample calls processed by the worker, stop, no orphans."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "devserver.log"
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        env.pop(name, None)
    env.update(
        CALLDESK_INSTANCE_DIR=str(tmp_path / "instance"),  # the launcher's own variable (app/devserver.py)
        LLM_PROVIDER="offline",  # no network, whatever keys this machine has
        EMBEDDINGS_PROVIDER="offline",
        VECTOR_STORE="local",
        PYTHONUNBUFFERED="1",
    )
    marker = str(tmp_path)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str) -> str:
        with opener.open(base + path, timeout=10) as resp:
            return resp.read().decode()

    def login_page_up() -> bool:
        try:
            return "csrf_token" in get("/login")
        except (urllib.error.URLError, OSError):
            return False

    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.devserver", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def details() -> str:
            return tail(log, 5000)

        wait_for(login_page_up, START_TIMEOUT_S, "/login to answer", details, proc=proc, interval=0.5)
        banner = _log(log)
        email, password = re.search(r"Demo login: (\S+) / (\S+)", banner).groups()
        expected = int(re.search(r"Sample calls: (\d+) posted", banner).group(1))
        assert expected > 0

        # Log in through the real form, CSRF token and session cookie included.
        page = get("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
        with opener.open(base + "/login", data=form, timeout=10) as resp:
            assert urllib.parse.urlsplit(resp.geturl()).path == "/calls", resp.geturl()
            assert "Sign in" not in resp.read().decode()

        def all_processed() -> str | None:
            html = get("/calls")
            assert "status-failed" not in html, html
            return html if html.count("badge status-processed") == expected else None

        what = f"{expected} processed calls"
        html = wait_for(all_processed, PROCESS_TIMEOUT_S, what, details, proc=proc, interval=0.5)
        call_id, preview = re.search(
            r'href="/calls/(\d+)".*?<td class="preview">([^<]+)</td>', html, re.S
        ).groups()
        detail = get(f"/calls/{call_id}")
        assert 'class="summary"' in detail
        assert preview.strip().rstrip("…")[:40] in detail

        proc.terminate()
        assert proc.wait(timeout=60) == 0, _log(log)
        assert "CallDesk stopped." in _log(log)
        deadline = time.monotonic() + 10
        while _processes_mentioning(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        leftovers = _processes_mentioning(marker)
        assert not leftovers, f"processes left behind: {leftovers}\n{_log(log)[-3000:]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in _processes_mentioning(marker):  # never leak a worker or redis-server into the next test
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
