"""The RQ worker: `python worker.py` (long-running, with scheduler) or `python worker.py --burst`."""

from __future__ import annotations

import argparse
import logging
import os
import threading

from dotenv import load_dotenv
from redis.exceptions import RedisError
from rq import Worker

load_dotenv()

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.jobs import get_queue, redis_conn, sweep  # noqa: E402
from app.notifications import sweep_events  # noqa: E402
from app.webhooks.retention import purge_deliveries  # noqa: E402

log = logging.getLogger("calldesk.worker")


def _sweep_once() -> None:
    try:
        count = sweep()
    except RedisError as exc:
        log.warning("sweep skipped: Redis unavailable (%s)", exc.__class__.__name__)
        return
    if count:
        log.info("sweep: enqueued %d call(s)", count)
    sent = sweep_events()  # stops at the first Redis error by itself
    if sent:
        log.info("sweep: enqueued %d notification(s)", sent)


def _sweep_forever(app, interval: float, stop: threading.Event) -> None:
    """Independent of RQ: finds calls the database says are waiting, also after a Redis outage."""
    while not stop.wait(interval):
        with app.app_context():
            try:
                _sweep_once()
                purge_deliveries()  # rejected webhook deliveries past WEBHOOK_EVENTS_RETENTION_DAYS
            except Exception:  # noqa: BLE001 - keep sweeping whatever one pass hit
                log.exception("sweep failed")
            finally:
                db.session.remove()


def check_providers() -> None:
    """Fail fast on a misconfiguration (missing key, index of the wrong dimension); warn on an outage."""
    from app.providers import ProviderConfigError, ProviderError, get_providers

    try:
        providers = get_providers()
        providers.vectors.check(providers.embedder.dimensions)
    except ProviderConfigError as exc:
        raise SystemExit(f"calldesk worker: configuration error: {exc}") from None
    except ProviderError as exc:
        log.warning("provider check failed (%s); starting anyway, jobs will retry", exc)
    else:
        log.info(
            "providers: llm=%s embeddings=%s:%s (%d-d) vectors=%s",
            providers.llm.name,
            providers.embedder.name,
            providers.embedder.model,
            providers.embedder.dimensions,
            providers.vectors.name,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Process queued CallDesk calls.")
    parser.add_argument("--burst", action="store_true", help="process what is queued, then exit")
    parser.add_argument("--simple", action="store_true", help="run jobs in this process (no fork per job)")
    args = parser.parse_args(argv)

    app = create_app()
    with app.app_context():
        # RQ forks a work horse per job: it must open its own database connections.
        os.register_at_fork(after_in_child=lambda: db.engine.dispose(close=False))
        check_providers()
        _sweep_once()  # calls left behind by a Redis outage or a dead worker go first
        db.session.remove()
        stop = threading.Event()
        if not args.burst:
            interval = app.config["SWEEP_INTERVAL_S"]
            threading.Thread(target=_sweep_forever, args=(app, interval, stop), daemon=True).start()
        worker_class = Worker
        if args.simple:
            from rq import SimpleWorker as worker_class
        conn = redis_conn()
        worker = worker_class([get_queue(conn)], connection=conn)
        try:
            worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")
        finally:
            stop.set()


if __name__ == "__main__":
    main()
