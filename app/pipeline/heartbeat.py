"""A thread that stamps `calls.heartbeat_at` while a job runs, so a dead worker is noticed quickly."""

from __future__ import annotations

import threading

from sqlalchemy import update

from ..extensions import db
from ..models import Call, utcnow


class Heartbeat:
    """Context manager: beat every `interval` seconds on its own connection until the block ends."""

    def __init__(self, call_id: int, interval: float):
        self.call_id = call_id
        self.interval = interval
        self._stop = threading.Event()
        self._engine = db.engine  # read in the app context; the thread has none
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{call_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with self._engine.begin() as conn:
                    conn.execute(
                        update(Call)
                        .where(Call.id == self.call_id, Call.status == "processing")
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # noqa: BLE001, S112 - a missed beat is harmless; the next one retries
                continue
