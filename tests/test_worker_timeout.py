"""A job that outlives JOB_TIMEOUT_S in a real `python worker.py` (jobs run in its own process): the
timeout stops it, the call is failed with the reason, and the worker goes on to the next call."""

from __future__ import annotations

import pytest
from fakes.openai_server import FakeOpenAI
from helpers import deliver, gen_workspace, seed_payload, worker_burst
from processes import wait_for
from sqlalchemy import select

from app.extensions import db
from app.models import Call
from app.pipeline.inprocess import EXIT_ABANDONED, Watchdog

CHAT = "/v1/chat/completions"


@pytest.fixture
def config_overrides():
    # Enqueued by the webhook with these: a 2 s job timeout, no retries.
    return {"JOB_TIMEOUT_S": 2, "JOB_RETRY_INTERVALS": []}


def test_a_job_past_its_timeout_is_stopped_and_the_worker_goes_on(app, client, auth, migrated, redis_url):
    gen_workspace(auth)
    ids = []
    for name in ("conv-slow", "conv-next"):
        reply = deliver(client, seed_payload(conversation_id=name))
        assert reply.status_code == 202, reply.json
        ids.append(reply.json["call_id"])
    with FakeOpenAI() as fake:
        fake.delay_next(30, path=CHAT)  # the first call's analysis would take 30 s
        done = worker_burst(
            migrated,
            redis_url,
            RQ_QUEUE=app.config["RQ_QUEUE"],
            LLM_PROVIDER="openai",
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=fake.base_url,
            OPENAI_MAX_RETRIES=0,
            OPENAI_TIMEOUT_S=60,
        )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    rows = dict(db.session.execute(select(Call.id, Call).where(Call.id.in_(ids))).all())
    slow, following = rows[ids[0]], rows[ids[1]]
    assert (slow.status, slow.failed_step) == ("failed", "analyse"), log
    assert "JobTimeoutException" in slow.last_error and "2 seconds" in slow.last_error
    assert following.status == "processed", log


def test_the_watchdog_ends_the_process_when_a_job_outlives_its_timeout():
    """The backstop for a timeout that did not get through (a C call that never returns to Python):
    past the timeout and its grace, the worker exits; the sweeper then recovers the call."""
    exits = []
    watchdog = Watchdog(exits.append, grace=0)  # the worker passes its "stop the scheduler, os._exit"
    watchdog.arm("job call-1", 0.1)
    wait_for(lambda: exits, 10, "the watchdog to end the process")
    assert exits == [EXIT_ABANDONED]
