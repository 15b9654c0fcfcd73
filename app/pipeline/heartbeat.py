"""Stamping `calls.heartbeat_at` while a job runs, so a dead worker is noticed quickly.

One thread per process (per engine and interval) stamps every call a job of this process holds,
in one UPDATE per beat; it is started by the first job and lingers a few beats after the last, so
a worker that runs job after job starts one thread, not one per job. A call's heartbeat is never
older than one interval (plus the UPDATE) while its job runs: the claim stamps it, and the thread
beats every interval from then on.
"""

from __future__ import annotations

import os
import threading
import time

from sqlalchemy import update

from ..extensions import db
from ..models import Call, utcnow

LINGER_BEATS = 3  # beats without a call to stamp before the thread ends


class _Beater:
    """The thread that stamps the calls of one engine at one interval."""

    def __init__(self, key: tuple[int, float], engine, interval: float):
        self.key = key
        self.engine = engine
        self.interval = interval
        self.calls: dict[int, int] = {}  # call id -> how many blocks hold it (the same call twice: both)
        self.thread: threading.Thread | None = None

    def add(self, call_id: int) -> None:
        self.calls[call_id] = self.calls.get(call_id, 0) + 1
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="call-heartbeat", daemon=True)
            self.thread.start()

    def remove(self, call_id: int) -> None:
        left = self.calls.pop(call_id, 1) - 1
        if left:
            self.calls[call_id] = left

    def _run(self) -> None:
        idle = 0
        while True:
            time.sleep(self.interval)
            with _lock:
                ids = list(self.calls)
                idle = 0 if ids else idle + 1
                if idle >= LINGER_BEATS:
                    if _beaters.get(self.key) is self:
                        del _beaters[self.key]  # the next job starts another
                    return
            if ids:
                _beat(self.engine, ids)


def _beat(engine, ids: list[int]) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(
                update(Call)
                .where(Call.id.in_(ids), Call.status == "processing")
                .values(heartbeat_at=utcnow())
            )
    except Exception:  # noqa: BLE001, S110 - a missed beat is harmless; the next one retries
        pass


_lock = threading.Lock()
_beaters: dict[tuple[int, float], _Beater] = {}


def _forget_beaters() -> None:
    """In a forked child: the parent's threads did not come along."""
    global _lock
    _lock = threading.Lock()
    _beaters.clear()


os.register_at_fork(after_in_child=_forget_beaters)


class Heartbeat:
    """Context manager: the call's heartbeat is stamped every `interval` seconds until the block ends."""

    def __init__(self, call_id: int, interval: float):
        self.call_id = call_id
        self.interval = interval
        self._engine = db.engine  # read in the app context; the thread has none

    def __enter__(self) -> Heartbeat:
        with _lock:
            key = (id(self._engine), self.interval)
            beater = _beaters.get(key)
            if beater is None:
                beater = _beaters[key] = _Beater(key, self._engine, self.interval)
            beater.add(self.call_id)
            self._beater = beater
        return self

    def __exit__(self, *exc) -> None:
        with _lock:
            self._beater.remove(self.call_id)
