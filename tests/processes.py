"""Process helpers shared by the tests and bench/: ports, polling, a private redis-server, throw-away
databases, and `worker.py` / gunicorn subprocesses with the environment they need.

Tests import it as `processes` (pytest puts tests/ on sys.path); a bench script puts tests/ on
sys.path itself: `sys.path.insert(0, str(ROOT / "tests"))`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    predicate: Callable[[], object],
    timeout: float,
    what: str,
    details: Callable[[], str] = lambda: "",
    *,
    proc: subprocess.Popen | None = None,
    interval: float = 0.1,
):
    """Poll `predicate` until it returns something truthy and return that; fail after `timeout` s,
    or as soon as `proc` (the process that should make it true) has exited."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited ({proc.returncode}) while waiting for {what}\n{details()}")
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{details()}")
        time.sleep(interval)


def tail(path: Path, size: int = 4000) -> str:
    text = path.read_text(errors="replace") if path.exists() else "(no log)"
    return f"--- {path.name} ---\n{text[-size:]}"


# --------------------------------------------------------------------------- services


class RedisServer:
    """A private, non-persistent redis-server on a fixed free port: start, stop, start again (empty),
    pause (SIGSTOP: accepts connections, never answers)."""

    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError("redis-server must be on PATH")
        self.binary = binary
        self.port = free_port()
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def log(self) -> Path:
        return self.workdir / f"redis-{self.starts}.log"

    def start(self) -> None:
        from redis import Redis
        from redis.exceptions import RedisError

        assert self.proc is None, "already running"
        self.starts += 1
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.workdir)]
        with self.log().open("wb") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        probe = Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(probe.ping())
            except RedisError:
                return False

        try:
            wait_for(
                answers, 10, f"redis-server on port {self.port}", lambda: tail(self.log()), proc=self.proc
            )
        finally:
            probe.close()

    def pause(self) -> None:
        assert self.proc is not None, "not running"
        self.proc.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL: a crash, nothing saved (nothing would be: no persistence)."""
        assert self.proc is not None, "not running"
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


class TempDatabase:
    """A database that lives as long as this object: on the PostgreSQL server of `base_url`
    (created here, dropped by `drop()`), or SQLite in `workdir` when `base_url` is empty."""

    def __init__(self, workdir: Path, base_url: str | None, prefix: str = "calldesk_tmp"):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from app.config import normalize_database_url

        self.admin = None
        if not base_url:
            self.url = f"sqlite:///{workdir / f'{prefix}.db'}"
            self.label = "SQLite"
            return
        url = make_url(normalize_database_url(base_url))
        self.name = f"{prefix}_{secrets.token_hex(4)}"
        self.admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = url.set(database=self.name).render_as_string(hide_password=False)
        self.label = "PostgreSQL"

    def drop(self) -> None:
        from sqlalchemy import text

        if self.admin is None:
            return
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()
        self.admin = None


# --------------------------------------------------------------------------- our own processes


def worker_env(database_url: str, redis_url: str, **settings: object) -> dict[str, str]:
    """The environment of a `worker.py` or gunicorn subprocess: this database and Redis, offline
    providers, none of this machine's API keys; `settings` are added (as strings) on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PINECONE_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY="test-secret-key",
        LLM_PROVIDER="offline",
        EMBEDDINGS_PROVIDER="offline",
        VECTOR_STORE="local",
        PYTHONUNBUFFERED="1",
    )
    env.update({name: str(value) for name, value in settings.items()})
    return env


def gunicorn_args(port: int, control_dir: Path, *, workers: int = 1, threads: int = 8) -> list[str]:
    """`python -m gunicorn ...` arguments to serve wsgi:app on 127.0.0.1:`port`."""
    import gunicorn

    args = ["-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}"]
    args += ["--access-logfile", "-", "--graceful-timeout", "5"]
    if gunicorn.version_info >= (27,):  # not its shared ~/.gunicorn/gunicorn.ctl, which others use
        args += ["--control-socket", str(control_dir / "gunicorn.ctl")]
    return [*args, "wsgi:app"]


def healthy(base_url: str) -> bool:
    """True when the web app at `base_url` answers /healthz with status "ok"."""
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:
            return json.load(response)["status"] == "ok"
    except (OSError, ValueError):
        return False


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python <args>` from the repository root, in a session of its own, output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def descendants(pid: int) -> list[int]:
    """Pids of every live process below `pid` (RQ's work horses lead process groups of their own)."""
    import psutil

    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def kill_tree(proc: subprocess.Popen) -> list[int]:
    """SIGKILL the process and everything below it at once (a crashed machine); returns their pids."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGSTOP)  # no new work horse between listing and killing
    pids = [proc.pid, *descendants(proc.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)
    return pids


def stop_tree(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM the process (RQ, gunicorn: warm shutdown), SIGKILL it after `timeout` s, then SIGKILL
    whatever it started and left behind."""
    import psutil

    below = descendants(proc.pid)
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    for pid in below:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.wait_procs([psutil.Process(pid) for pid in below if alive(pid)], timeout=5)


class Workers:
    """Named `python worker.py` subprocesses, each logging to `<log_dir>/worker-<name>.log`."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        self.procs[name] = spawn(["worker.py", *args], self.env, self.log(name))
        return self.procs[name]

    def log(self, name: str) -> Path:
        return self.log_dir / f"worker-{name}.log"

    def logs(self, size: int = 4000) -> str:
        return "\n".join(tail(self.log(name), size) for name in self.procs)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            stop_tree(proc)
