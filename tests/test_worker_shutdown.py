"""Graceful shutdown of a real `python worker.py` (issue 11), with jobs run in the worker's process.

A deploy sends SIGTERM: the job in hand finishes, the worker takes no other and exits 0. An operator
who cannot wait sends a second one: the worker exits at once, and the call it abandoned (left
`processing`, its heartbeat stopped) is re-enqueued by a sweeper and processed by another worker.
The OpenAI stand-in holds the chat request so that the signals land mid-job. SLOW: about 30 s.
"""

from __future__ import annotations

import time

import pytest
from fakes.openai_server import FakeOpenAI
from helpers import deliver, gen_workspace, seed_payload
from processes import Workers, alive, descendants, wait_for, worker_env
from sqlalchemy import select

from app.extensions import db
from app.models import Call

CHAT = "/v1/chat/completions"
HOLD_S = 3.0  # the held chat request: the first SIGTERM lands while it is pending


@pytest.fixture
def config_overrides(private_redis):
    # A Redis of the test's own: its workers must take only its jobs.
    return {"REDIS_URL": private_redis.url}


def _env(app, migrated, private_redis, fake: FakeOpenAI, **settings) -> dict:
    return worker_env(
        migrated,
        private_redis.url,
        RQ_QUEUE=app.config["RQ_QUEUE"],
        LLM_PROVIDER="openai",
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=fake.base_url,
        OPENAI_MAX_RETRIES=0,
        **settings,
    )


def _call(call_id: int) -> tuple[str, int]:
    row = db.session.execute(select(Call.status, Call.attempts).where(Call.id == call_id)).one()
    db.session.rollback()  # no transaction left open between polls
    return row.status, row.attempts


def _deliver(client, name: str) -> int:
    reply = deliver(client, seed_payload(conversation_id=name))
    assert reply.status_code == 202, reply.json
    return reply.json["call_id"]


def _mid_job(fake: FakeOpenAI, call_id: int, workers: Workers, proc) -> None:
    mid_job = lambda: _call(call_id)[0] == "processing" and fake.chat_requests()  # noqa: E731
    wait_for(mid_job, 60, "the worker to be mid-job", workers.logs, proc=proc)


def test_one_sigterm_mid_job_finishes_the_call_then_exits_cleanly(
    app, client, auth, migrated, private_redis, tmp_path
):
    """The held call ends processed in its first attempt; the call queued behind it is left for the
    next worker; the worker exits 0 without a traceback."""
    gen_workspace(auth)
    with FakeOpenAI() as fake:
        fake.delay_next(HOLD_S, path=CHAT)
        workers = Workers(_env(app, migrated, private_redis, fake), tmp_path)
        try:
            proc = workers.start("A")
            held = _deliver(client, "conv-held")
            _mid_job(fake, held, workers, proc)
            waiting = _deliver(client, "conv-waiting")
            proc.terminate()
            proc.wait(timeout=HOLD_S + 30)
        finally:
            workers.stop_all()
    log = workers.log("A").read_text()
    assert proc.returncode == 0, log
    assert _call(held) == ("processed", 1), log
    assert _call(waiting) == ("queued", 0), log
    assert "warm shut down requested" in log
    assert "Traceback" not in log, log


def test_a_second_sigterm_stops_at_once_and_another_worker_takes_the_call_over(
    app, client, auth, migrated, private_redis, tmp_path
):
    """Two SIGTERMs mid-job: the worker and its RQ scheduler are gone within seconds, though the job
    would have held for a minute; the call stays `processing` until a sweeper finds its heartbeat
    stale, then a second worker processes it (a second attempt)."""
    gen_workspace(auth)
    with FakeOpenAI() as fake:
        fake.delay_next(60, path=CHAT)
        env = _env(
            app,
            migrated,
            private_redis,
            fake,
            HEARTBEAT_INTERVAL_S=0.5,
            STALE_PROCESSING_S=3,
            SWEEP_INTERVAL_S=1,
        )
        workers = Workers(env, tmp_path)
        try:
            first = workers.start("A")
            call_id = _deliver(client, "conv-abandoned")
            _mid_job(fake, call_id, workers, first)
            below = descendants(first.pid)  # its RQ scheduler
            first.terminate()
            time.sleep(1.5)  # RQ takes a second signal within 1 s for the same one delivered twice
            assert first.poll() is None, workers.logs()  # the first SIGTERM waits for the job
            sent = time.monotonic()
            first.terminate()
            first.wait(timeout=10)
            stopped_in = time.monotonic() - sent
            wait_for(lambda: not any(alive(pid) for pid in below), 10, "its scheduler to exit", workers.logs)
            assert _call(call_id) == ("processing", 1)  # abandoned where it stood

            second = workers.start("B")
            processed = lambda: _call(call_id)[0] == "processed"  # noqa: E731
            wait_for(processed, 90, "another worker to process the call", workers.logs, proc=second)
        finally:
            workers.stop_all()
    log = workers.log("A").read_text()
    assert stopped_in < 5, log
    assert first.returncode == 1, log  # stopped with a job unfinished
    assert "cold shut down: job call-" in log
    assert _call(call_id) == ("processed", 2)
    assert "worker stopped heartbeating; re-enqueueing" in workers.log("B").read_text()
