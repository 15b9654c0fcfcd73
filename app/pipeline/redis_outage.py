"""Redis unreachable: noticed by any thread, logged once per outage, waited out with capped backoff."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import redis.exceptions
from redis import Redis

log = logging.getLogger("calldesk.worker")

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 5.0  # the longest wait between two pings: how late a worker may notice Redis is back
STOP_CHECK_S = 0.25  # how often a wait looks at its stop flag (a signal handler only sets a flag)


class Outage:
    """One process's view of Redis being unreachable: logged once when it starts, once when it ends.
    Its threads (work loop, sweeper, pubsub listener) share it: whichever sees Redis back wakes the rest."""

    def __init__(self, who: str = "worker") -> None:
        self.who = who
        self._reset()
        # A forked child (work horse, RQ scheduler) must not inherit a lock another thread held.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None
        self._back = threading.Event()
        self._back.set()

    def down(self, exc: BaseException) -> None:
        with self._lock:
            if self._since is not None:
                return
            self._since = time.monotonic()
            self._back.clear()
        log.warning(
            "%s: Redis unreachable (%s: %s); waiting for it, a ping every %.0f s at most (calls are safe"
            " in the database)",
            self.who,
            exc.__class__.__name__,
            exc,
            BACKOFF_MAX_S,
        )

    def up(self) -> None:
        with self._lock:
            since, self._since = self._since, None
            self._back.set()
        if since is not None:
            log.warning("%s: Redis reachable again after %.1f s", self.who, time.monotonic() - since)

    def nap(self, seconds: float, stop: Callable[[], bool] = lambda: False) -> None:
        """Sleep `seconds`, or less if another thread sees Redis back first or `stop()` turns true."""
        end = time.monotonic() + seconds
        while not stop():
            left = end - time.monotonic()
            if left <= 0 or self._back.wait(min(left, STOP_CHECK_S)):
                return


OUTAGE = Outage()  # per process: a forked scheduler process has its own copy


def wait_for_redis(connection: Redis, stop: Callable[[], bool] = lambda: False) -> bool:
    """PING with capped exponential backoff until Redis answers (True), or until `stop()` (False)."""
    delay = BACKOFF_FIRST_S
    while not stop():
        try:
            connection.ping()
        except REDIS_DOWN as exc:
            OUTAGE.down(exc)
            OUTAGE.nap(delay, stop)
            delay = min(delay * 2, BACKOFF_MAX_S)
        else:
            OUTAGE.up()
            return True
    return False
