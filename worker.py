"""The RQ worker: `python worker.py` (long-running, with scheduler) or `python worker.py --burst`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from dotenv import load_dotenv
from redis.exceptions import RedisError
from rq.exceptions import StopRequested

load_dotenv()

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.notifications import sweep_events  # noqa: E402
from app.pipeline.inprocess import make_worker  # noqa: E402
from app.pipeline.redis_outage import OUTAGE, REDIS_DOWN  # noqa: E402
from app.services.jobs import get_queue, redis_conn, sweep  # noqa: E402
from app.webhooks.retention import purge_deliveries  # noqa: E402

log = logging.getLogger("calldesk.worker")


def _sweep_once() -> None:
    try:
        redis_conn().ping()  # the sweep may not need Redis at all: this is what says it is back
        OUTAGE.up()
        count = sweep()
    except REDIS_DOWN as exc:
        OUTAGE.down(exc)  # logged once per outage, whichever thread notices first
        return
    except RedisError as exc:
        log.warning("sweep skipped: %s: %s", exc.__class__.__name__, exc)
        return
    if count:
        log.info("sweep: enqueued %d call(s)", count)
    sent = sweep_events()  # stops at the first Redis error by itself
    if sent:
        log.info("sweep: enqueued %d notification(s)", sent)


def _sweep_forever(app, interval: float, stop: threading.Event) -> None:
    """Independent of RQ and of Redis: finds calls the database says are waiting, also during and
    after a Redis outage."""
    while not stop.wait(interval):
        with app.app_context():
            try:
                _sweep_once()
                purge_deliveries()  # rejected webhook deliveries past WEBHOOK_EVENTS_RETENTION_DAYS
            except Exception:  # noqa: BLE001 - keep sweeping whatever one pass hit
                log.exception("sweep failed")
            finally:
                db.session.remove()


_stop = {"requested": False}  # set by the signal handler; raising there could be swallowed


def _stop_waiting(signum, frame) -> None:
    _stop["requested"] = True


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
    parser.add_argument("--fork", action="store_true", help="fork a work horse per job (RQ's default)")
    args = parser.parse_args(argv)

    app = create_app()
    with app.app_context():
        # A forked process (the RQ scheduler, a --fork work horse) opens its own database connections.
        os.register_at_fork(after_in_child=lambda: db.engine.dispose(close=False))
        check_providers()
        stop = threading.Event()
        if not args.burst:
            interval = app.config["SWEEP_INTERVAL_S"]
            threading.Thread(target=_sweep_forever, args=(app, interval, stop), daemon=True).start()
        _sweep_once()  # calls left behind by a Redis outage or a dead worker go first
        db.session.remove()
        conn = redis_conn()
        worker = None
        signal.signal(signal.SIGTERM, _stop_waiting)  # RQ's own handlers replace these once it runs
        signal.signal(signal.SIGINT, _stop_waiting)
        try:
            stop_requested = lambda: _stop["requested"]  # noqa: E731
            worker = make_worker([get_queue(conn)], conn, fork=args.fork, stop=stop_requested)
            worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")
        except StopRequested:  # while still waiting for Redis to start: nothing was running
            log.info("stopped before Redis could be reached")
            if worker is not None:
                worker.teardown()
        finally:
            stop.set()


if __name__ == "__main__":
    main()
