"""The default worker: jobs run in the worker's own process, one at a time, under a timeout.

RQ's forking worker forks a work horse per job (~60 ms per call here, more than the rest of the
work); this one runs each job in the main thread, in an app context of its own, under RQ's SIGALRM
job timeout, with a watchdog thread behind it. What that trades: a job that crashes the interpreter
(a segfault in a C extension, memory exhausted) takes the worker down with it instead of a work
horse. The call is not lost: its heartbeat stops, and a sweeper re-enqueues it after
STALE_PROCESSING_S. `python worker.py --fork` runs the forking worker instead (make_worker, below,
builds either).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.exceptions import StopRequested
from rq.utils import now

from .redis_outage import OUTAGE, REDIS_DOWN, wait_for_redis
from .rq_worker import CallWorker, _RidesOutOutages

log = logging.getLogger("calldesk.worker")

WATCHDOG_GRACE_S = 30  # past its timeout, a job whose SIGALRM did not get through ends the process
EXIT_ABANDONED = 1  # a cold shutdown (second SIGTERM) that left a job unfinished


class Watchdog:
    """A thread that ends the process when a job outlives its timeout by WATCHDOG_GRACE_S.

    The job timeout is a SIGALRM raised in the job's thread; a C call that never returns to Python,
    or an exception swallowed by a finaliser, would escape it. Exiting is then the only way to keep
    the promise: the call's heartbeat stops and the sweeper re-enqueues it.
    """

    def __init__(self, exit: Callable[[int], None], grace: float = WATCHDOG_GRACE_S):
        self.exit = exit
        self.grace = grace
        self._deadline: float | None = None
        self._what = ""
        threading.Thread(target=self._run, name="job-watchdog", daemon=True).start()

    def arm(self, what: str, timeout: float | None) -> None:
        self._what = what
        self._deadline = time.monotonic() + timeout + self.grace if timeout and timeout > 0 else None

    def disarm(self) -> None:
        self._deadline = None

    def _run(self) -> None:
        while True:
            time.sleep(1.0)
            deadline = self._deadline
            if deadline is not None and time.monotonic() > deadline:
                what, grace = self._what, self.grace
                log.error("%s outlived its timeout by %.0f s; exiting (the sweeper recovers it)", what, grace)
                self.exit(EXIT_ABANDONED)
                return


class InProcessWorker(_RidesOutOutages, SimpleWorker):
    """Runs jobs in this process (no fork per job): the default of `worker.py`."""

    app: Flask | None = None  # set by make_worker: each job runs in an app context of its own

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._watchdog = Watchdog(self._exit_now)
        self._running: str | None = None

    # Stopping: the first SIGTERM only sets a flag (_RidesOutOutages._shutdown): the handler may
    # have interrupted anything the job was doing, so it must not touch Redis or wait for anything.

    def perform_job(self, job, queue) -> bool:
        # A fresh app context per job: its own database session (removed when the context ends)
        # and `g`; providers and their HTTP connections are cached on the app and stay warm.
        self._running = job.id
        self._watchdog.arm(f"job {job.id}", job.timeout or Queue.DEFAULT_TIMEOUT)  # RQ's, when unset
        try:
            with self.app.app_context():
                return super().perform_job(job, queue)
        finally:
            self._watchdog.disarm()
            self._running = None

    def request_force_stop(self, signum, frame) -> None:
        """Second SIGTERM/SIGINT: stop at once. A running job is abandoned where it stands: its call
        stays `processing`, its heartbeat stops with this process, and a sweeper re-enqueues it once
        the heartbeat is STALE_PROCESSING_S old (the attempt counts, the steps done are kept)."""
        if now() - self._shutdown_requested_date < timedelta(seconds=1):
            return  # RQ's rule: the same signal delivered twice (Ctrl+C to a process group)
        running = self._running
        if running:
            log.warning("cold shut down: job %s abandoned; a sweeper re-enqueues its call", running)
        else:
            log.warning("cold shut down")
        self._exit_now(EXIT_ABANDONED if running else 0)

    def _exit_now(self, status: int) -> None:
        """End the process at once; the RQ scheduler process is told to stop (it releases its lock
        and exits by itself) rather than left behind."""
        process = getattr(self.scheduler, "_process", None)
        if process is not None and process.pid:
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGTERM)
        os._exit(status)


def make_worker(
    queues: list, connection: Redis, *, fork: bool = False, stop: Callable[[], bool] = lambda: False
) -> Worker:
    """A worker on `queues` (in-process jobs, or a work horse forked per job), once Redis answers
    (RQ asks Redis for the client's address on creation); StopRequested if `stop()` turns true first."""
    worker_class = CallWorker if fork else InProcessWorker
    while True:
        if not wait_for_redis(connection, stop=stop):
            raise StopRequested
        try:
            worker = worker_class(queues, connection=connection)
        except REDIS_DOWN as exc:
            OUTAGE.down(exc)
        else:
            worker.stopped_before_start = stop
            worker.app = current_app._get_current_object()
            return worker
