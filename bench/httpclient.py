"""A small HTTP client for the page benchmarks: one keep-alive connection, the session cookie, a
signed-in login, timings to the first byte and to the last; plus gunicorn workers' memory."""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil


@dataclass
class Reply:
    status: int
    body: str
    first_byte_ms: float
    total_ms: float


def pct(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Client:
    def __init__(self, base: str):
        parts = urlsplit(base)
        self.conn = HTTPConnection(parts.hostname, parts.port, timeout=300)
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        return headers | (extra or {})

    def _keep_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()

    def send(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        """The response with its headers read (the body not yet): (response, ms to the first byte)."""
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=self._headers(headers))
        response = self.conn.getresponse()
        self._keep_cookies(response)
        return response, (time.perf_counter() - started) * 1000, started

    def get(self, path: str, headers: dict | None = None) -> Reply:
        response, first, started = self.send("GET", path, headers=headers)
        body = response.read().decode("utf-8", "replace")
        return Reply(response.status, body, first, (time.perf_counter() - started) * 1000)

    def login(self, email: str, password: str) -> None:
        page = self.get("/login").body
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = urlencode({"email": email, "password": password, "csrf_token": token})
        response, _, _ = self.send(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        response.read()
        if response.status != 302:
            raise SystemExit(f"login as {email} answered {response.status}")


def workers(master_pid: int) -> list[psutil.Process]:
    return psutil.Process(master_pid).children()


def worker_rss(master_pid: int) -> dict[int, tuple[float, float]]:
    """{pid: (RSS now, peak RSS over its life)} in MB of each gunicorn worker."""
    out = {}
    for proc in workers(master_pid):
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
        )
        out[proc.pid] = tuple(int(status[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))
    return out


def measure_export(client: Client, path: str, master_pid: int) -> dict | None:
    """Stream the export once: time to the first byte and to the end, size, and the RSS of the
    worker that served it (sampled every 10 ms; the worker whose RSS grew most). None when 404."""
    procs = workers(master_pid)
    before = {p.pid: p.memory_info().rss for p in procs}
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for p in procs:
                peak[p.pid] = max(peak[p.pid], p.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        response, first, started = client.send("GET", path)
        size = lines = 0
        while chunk := response.read(65536):
            size, lines = size + len(chunk), lines + chunk.count(b"\n")
        total = (time.perf_counter() - started) * 1000
    finally:
        done.set()
        sampler.join()
    if response.status == 404:
        return None
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    pid = max(peak, key=lambda p: peak[p] - before[p])
    mb = 1024 * 1024
    return {
        "first_byte_ms": first,
        "total_ms": total,
        "bytes": size,
        "rows": lines,
        "rss_before_mb": before[pid] / mb,
        "rss_peak_mb": peak[pid] / mb,
    }
