"""A call whose provider turn is far away (the shared limit, or a 429's Retry-After) goes back to the
queue for later: not a failed attempt, and a scheduled job puts it back on the queue."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fakes.openai_server import FakeOpenAI
from helpers import deliver, gen_workspace, jobs_page, run_jobs, seed_payload
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from app.extensions import db
from app.models import Call, utcnow
from app.pipeline.holds import wake_call, wake_job_id
from app.providers import get_providers
from app.services.jobs import get_queue, redis_conn, sweep


@pytest.fixture
def openai_fake():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def config_overrides(openai_fake, request):
    return {
        "LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai_fake.base_url,
        "OPENAI_MODEL": "gpt-4o-mini",
        "OPENAI_MAX_RETRIES": 1,
        "RATE_LIMIT_MAX_WAIT_S": 0.5,
        **getattr(request, "param", {}),
    }


def new_calls(client, *names: str) -> list[int]:
    return [deliver(client, seed_payload(conversation_id=name)).json["call_id"] for name in names]


def row(call_id: int) -> Call:
    call = db.session.get(Call, call_id)
    db.session.refresh(call)
    return call


def held(call: Call) -> tuple:
    return call.status, call.waiting_for, call.attempts, call.last_error


WAITING = ("queued", "rate_limit", 0, None)  # the attempt that found the wait does not count


def forget_limits() -> None:
    """As if the minute had passed: the shared limiter's state is gone."""
    conn = redis_conn()
    for key in conn.scan_iter("calldesk:ratelimit:*"):
        conn.delete(key)


@pytest.mark.parametrize("config_overrides", [{"OPENAI_MAX_RPM": 1}], indirect=True)
def test_a_long_wait_sends_the_call_back_for_later_without_counting_an_attempt(
    app, client, auth, openai_fake
):
    gen_workspace(auth)
    first, second = new_calls(client, "conv-rl-001", "conv-rl-002")

    run_jobs(app)

    assert row(first).status == "processed"
    call = row(second)
    assert held(call) == WAITING
    assert call.enqueued_at > utcnow() + timedelta(seconds=50)  # its turn: one minute after the first
    assert len(openai_fake.chat_requests()) == 1
    scheduled = ScheduledJobRegistry(queue=get_queue())
    assert wake_job_id(second) in scheduled.get_job_ids()
    page = client.get(f"/calls/{second}").get_data(as_text=True)
    assert "Waiting for its turn" in page and 'data-waiting-for="rate_limit"' in page
    assert jobs_page(client)["failed"] == {}

    forget_limits()
    assert wake_call(second) == "enqueued"
    run_jobs(app)

    assert held(row(second)) == ("processed", None, 1, None)


def test_a_429_with_a_long_retry_after_is_a_wait_not_a_failure(app, client, auth, openai_fake):
    gen_workspace(auth)
    openai_fake.retry_headers = {}
    openai_fake.fail_next(429, headers={"retry-after": "120"}, path="/v1/chat/completions")
    [call_id] = new_calls(client, "conv-429-001")

    run_jobs(app)

    call = row(call_id)
    assert held(call) == WAITING
    assert call.enqueued_at > utcnow() + timedelta(seconds=100)
    assert len(openai_fake.chat_requests()) == 1


def test_the_sweeper_picks_up_a_rate_limited_call_whose_wake_up_was_lost(app, client, auth):
    gen_workspace(auth)
    [call_id] = new_calls(client, "conv-lost-001")
    run_jobs(app)
    call = row(call_id)
    call.status, call.waiting_for, call.attempts = "queued", "rate_limit", 0
    call.enqueued_at = utcnow() + timedelta(seconds=60)
    db.session.commit()
    get_queue().empty()

    assert sweep() == 0  # its turn has not come (and the "lost job" grace period runs from then)
    call.enqueued_at = utcnow() - timedelta(seconds=app.config["REQUEUE_QUEUED_AFTER_S"] + 1)
    db.session.commit()
    assert sweep() == 1


def test_a_wake_up_for_a_call_that_moved_on_does_nothing(app, client, auth):
    gen_workspace(auth)
    [call_id] = new_calls(client, "conv-wake-001")
    run_jobs(app)

    assert wake_call(call_id) == "nothing to do"
    assert wake_call(999_999) == "nothing to do"


@pytest.mark.parametrize(
    "config_overrides",
    [{"OPENAI_MAX_RPM": 60, "RATE_LIMIT_MAX_WAIT_S": 5, "HEARTBEAT_INTERVAL_S": 0.1}],
    indirect=True,
)
def test_the_heartbeat_goes_on_while_a_job_waits_for_its_turn(app, client, auth, openai_fake):
    gen_workspace(auth)
    [call_id] = new_calls(client, "conv-beat-001")
    limiter = get_providers().llm._limiter
    limiter.acquire("chat")  # another worker's request has this second's slot: the job waits ~1 s

    def beat() -> object:
        with db.engine.connect() as conn:  # what the database has, outside the job's session
            return conn.execute(select(Call.heartbeat_at).where(Call.id == call_id)).scalar_one()

    seen = []

    def sleep(seconds: float) -> None:
        before = beat()
        time.sleep(seconds)
        seen.append((seconds, before, beat()))

    limiter.sleep = sleep
    run_jobs(app)

    [(waited, before, after)] = seen
    assert waited > 0.5
    assert after > before  # stamped during the wait: no sweeper takes a waiting call for dead
    assert held(row(call_id)) == ("processed", None, 1, None)
