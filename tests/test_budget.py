"""The monthly AI budget: who sets it, calls that wait once it is spent (with the OpenAI stand-in's
usage), the owner told once, and the calls sent on when it is raised or the month turns."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fakes.openai_server import FakeOpenAI
from fakes.receiver import Receiver
from helpers import AuthActions, deliver, gen_workspace, run_jobs, seed_payload
from notify_helpers import BASE_CONFIG, configure
from sqlalchemy import select

from app.extensions import db
from app.models import Call, OutboundEvent, ProviderUsage, Tenant
from app.services import budget, costs
from app.services.jobs import forget_job, get_queue, retry_calls, sweep

# Each analysis costs 100,000 input tokens x $0.15 / 1M = $0.015: over a $0.01 budget at once.
ANALYSIS_USAGE = {"prompt_tokens": 100_000, "completion_tokens": 0, "embedding_tokens": 10}


@pytest.fixture
def openai_fake():
    with FakeOpenAI() as fake:
        fake.usage = dict(ANALYSIS_USAGE)
        yield fake


@pytest.fixture
def receiver():
    with Receiver() as rx:
        yield rx


@pytest.fixture
def config_overrides(openai_fake):
    return BASE_CONFIG | {
        "LLM_PROVIDER": "openai",
        "EMBEDDINGS_PROVIDER": "openai",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai_fake.base_url,
        "OPENAI_MODEL": "gpt-4o-mini",
        "OPENAI_EMBEDDING_DIMENSIONS": 8,
        "OPENAI_MAX_RETRIES": 0,
    }


def set_budget(auth, amount: str):
    return auth.post_form("/settings/budget", {"monthly_budget": amount}, page="/settings")


def new_calls(client, *names: str) -> list[int]:
    ids = []
    for name in names:
        reply = deliver(client, seed_payload(conversation_id=name))
        assert reply.status_code == 202, reply.json
        ids.append(reply.json["call_id"])
    return ids


def state(call_id: int) -> dict:
    call = db.session.get(Call, call_id)
    db.session.refresh(call)
    return {
        "status": call.status,
        "waiting_for": call.waiting_for,
        "attempts": call.attempts,
        "last_error": call.last_error,
        "analysed": call.analysed_at is not None,
    }


WAITING = {"status": "queued", "waiting_for": "budget", "attempts": 0, "last_error": None, "analysed": False}
PROCESSED = {"status": "processed", "waiting_for": None, "attempts": 1, "last_error": None, "analysed": True}


def budget_events() -> list[dict]:
    rows = db.session.execute(select(OutboundEvent).where(OutboundEvent.event_type == "budget.reached"))
    return [json.loads(e.body)["data"] for e in rows.scalars()]


# --------------------------------------------------------------------------- the setting


def test_only_owners_set_the_budget(app, client, auth):
    gen_workspace(auth)
    assert set_budget(auth, "25.50").status_code == 302
    assert db.session.execute(select(Tenant.monthly_budget_micros)).scalar_one() == 25_500_000
    assert "$0.00</strong> of $25.50 spent" in client.get("/settings").get_data(as_text=True)

    assert set_budget(auth, "-3").status_code == 400
    assert set_budget(auth, "lots").status_code == 400
    assert set_budget(auth, "").status_code == 302  # empty: no budget
    assert db.session.execute(select(Tenant.monthly_budget_micros)).scalar_one() is None

    for role in ("admin", "member"):
        auth.post_form("/team", {"email": f"{role}@acme.test", "role": role, "password": "staff-password-1"})
    for role in ("admin", "member"):
        other = AuthActions(app.test_client())
        assert other.login(f"{role}@acme.test", "staff-password-1").status_code == 302
        page = other.client.get("/settings").get_data(as_text=True)
        assert 'action="/settings/budget"' not in page
        token = other.token("/settings")
        response = other.client.post("/settings/budget", data={"monthly_budget": "999", "csrf_token": token})
        assert response.status_code == 403
    assert db.session.execute(select(Tenant.monthly_budget_micros)).scalar_one() is None


# --------------------------------------------------------------------------- stop and resume


def test_calls_wait_once_the_budget_is_spent_and_go_on_when_it_is_raised(
    app, client, auth, openai_fake, receiver
):
    gen_workspace(auth)
    configure(auth, receiver.url)
    assert set_budget(auth, "0.01").status_code == 302
    [first] = new_calls(client, "conv-budget-001")
    run_jobs(app)
    assert state(first) == PROCESSED  # $0 spent when it started: it runs, and spends $0.015

    held = new_calls(client, "conv-budget-002", "conv-budget-003")
    run_jobs(app)

    assert [state(c) for c in held] == [WAITING, WAITING]
    assert len(openai_fake.chat_requests()) == 1  # nothing was paid for the waiting calls
    [event] = budget_events()  # told once, not once per call
    assert event["waiting_calls"] >= 1 and event["budget_usd"] == 0.01 and event["spent_usd"] == 0.015
    assert any(b'"budget.reached"' in r["body"] for r in receiver.requests)

    calls_page = client.get("/calls").get_data(as_text=True)
    assert 'id="budget-banner"' in calls_page and "2 new calls wait" in calls_page
    assert calls_page.count('data-waiting-for="budget"') == 2
    call_page = client.get(f"/calls/{held[0]}").get_data(as_text=True)
    assert 'id="waiting-for-budget"' in call_page and 'data-waiting-for="budget"' in call_page
    assert 'data-waiting="2"' in client.get("/jobs").get_data(as_text=True)

    assert sweep() == 0  # the sweeper leaves them alone while the budget is spent
    for call_id in held:
        forget_job(call_id)  # their finished jobs expire (result_ttl): still not "lost"
    assert sweep() == 0
    assert get_queue().count == 0

    assert set_budget(auth, "1").status_code == 302
    assert sweep() == 2
    run_jobs(app)

    assert [state(c) for c in held] == [PROCESSED, PROCESSED]
    assert len(openai_fake.chat_requests()) == 3
    assert 'id="budget-banner"' not in client.get("/calls").get_data(as_text=True)
    assert len(budget_events()) == 1


def test_members_see_no_banner(app, client, auth, openai_fake):
    gen_workspace(auth)
    set_budget(auth, "0.01")
    new_calls(client, "conv-banner-001")
    run_jobs(app)
    new_calls(client, "conv-banner-002")
    run_jobs(app)
    assert 'id="budget-banner"' in client.get("/jobs").get_data(as_text=True)
    auth.post_form("/team", {"email": "m@acme.test", "role": "member", "password": "staff-password-1"})

    member = AuthActions(app.test_client())
    member.login("m@acme.test", "staff-password-1")
    assert 'id="budget-banner"' not in member.client.get("/jobs").get_data(as_text=True)


def test_a_call_already_analysed_finishes_its_steps_after_the_budget_is_spent(app, client, auth, openai_fake):
    gen_workspace(auth)
    set_budget(auth, "0.01")
    openai_fake.fail_next(400, path="/v1/embeddings")  # the analysis runs and is paid; embedding fails
    [call_id] = new_calls(client, "conv-half-001")
    run_jobs(app)
    assert state(call_id)["status"] == "failed" and state(call_id)["analysed"]
    tenant = db.session.execute(select(Tenant)).scalar_one()
    assert budget.state(tenant).reached

    retry_calls([db.session.get(Call, call_id)])
    run_jobs(app)

    assert state(call_id)["status"] == "processed"  # not held half-processed
    assert len(openai_fake.chat_requests()) == 1  # and the analysis was not paid for twice


def test_a_new_month_sends_the_waiting_calls_on(app, client, auth, openai_fake, monkeypatch):
    clock = {"now": datetime(2026, 11, 30, 23, 50, tzinfo=UTC)}
    monkeypatch.setattr(costs, "now", lambda: clock["now"])
    gen_workspace(auth)
    set_budget(auth, "0.01")
    [first] = new_calls(client, "conv-month-001")
    run_jobs(app)
    [waiting] = new_calls(client, "conv-month-002")
    run_jobs(app)
    assert state(first) == PROCESSED and state(waiting) == WAITING
    assert sweep() == 0

    clock["now"] = datetime(2026, 12, 1, 0, 0, 30, tzinfo=UTC)  # UTC midnight has passed
    assert sweep() == 1
    run_jobs(app)

    assert state(waiting) == PROCESSED
    months = {
        costs.month_start(row.created_at).strftime("%Y-%m")
        for row in db.session.execute(select(ProviderUsage)).scalars()
    }
    assert months == {"2026-11", "2026-12"}
    assert db.session.execute(select(Tenant.budget_reached_month)).scalar_one() == "2026-11"


def test_release_leaves_workspaces_whose_budget_is_still_spent(app):
    tenant = Tenant(name="Acme", slug="acme", monthly_budget_micros=10)
    db.session.add(tenant)
    db.session.flush()
    db.session.add(
        ProviderUsage(
            tenant_id=tenant.id,
            step="analyse",
            operation="chat",
            provider="openai",
            model="gpt-4o-mini",
            input_tokens=100,
            output_tokens=0,
            cost_micros=15,
            created_at=costs.now(),
        )
    )
    call = Call(
        tenant_id=tenant.id,
        conversation_id="c1",
        external_agent_id="a",
        status="queued",
        waiting_for="budget",
    )
    db.session.add(call)
    db.session.commit()

    assert budget.release_waiting_calls() == 0
    tenant.monthly_budget_micros = None  # budget removed
    db.session.commit()
    assert budget.release_waiting_calls() == 1
    assert (call.waiting_for, call.enqueued_at) == (None, None)
