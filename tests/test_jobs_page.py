"""The /jobs processing page and its Retry buttons, rq-dashboard at /admin/rq, and /readyz."""

from __future__ import annotations

import html
from contextlib import contextmanager

import pytest
from fakes.openai_server import FakeOpenAI
from fakes.pinecone_server import FakePinecone, reset_pinecone_retry_state
from helpers import (
    AuthActions,
    csrf_from,
    deliver,
    gen_workspace,
    jobs_page,
    run_jobs,
    sample_payload,
    second_workspace,
)
from processes import free_port
from sqlalchemy import select

from app.extensions import db
from app.models import Call, User, utcnow
from app.providers import Providers, get_providers
from app.providers.errors import ProviderError
from app.services.jobs import get_queue, job_id, sweep

BETA_SECRET = "whsec_beta_secret_00000001"


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def config_overrides(request):
    """Indirectly parametrized with the name of a fixture that returns config overrides."""
    name = getattr(request, "param", None)
    return request.getfixturevalue(name) if name else {}


@pytest.fixture
def alpha(auth):
    """Tenant A (Alpha), signed in on `client`."""
    return gen_workspace(auth, name="Alpha", email="a@alpha.test", agent_id="agent_alpha")


@pytest.fixture
def beta(app):
    """Tenant B (Beta), signed in on its own client."""
    return second_workspace(app, secret=BETA_SECRET)


class _BrokenLLM:
    name, model = "broken", "broken-1"

    def analyse(self, request):
        raise ProviderError("the model is unavailable", retryable=False, provider="broken")


@contextmanager
def broken_llm(app):
    """Jobs run inside fail at the analyse step (non-retryable, so after one attempt)."""
    real = get_providers()
    app.extensions["calldesk_providers"] = Providers(
        llm=_BrokenLLM(), embedder=real.embedder, vectors=real.vectors
    )
    try:
        yield
    finally:
        app.extensions["calldesk_providers"] = real


def send(client, conversation_id, agent_id="agent_alpha", secret="whsec_acme_test_secret_0001") -> int:
    response = deliver(client, sample_payload(conversation_id=conversation_id, agent_id=agent_id), secret)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.json["call_id"]


def fail_all_queued(app) -> None:
    with broken_llm(app):
        run_jobs(app)


def fresh_call(call_id) -> Call:
    db.session.expire_all()
    return db.session.get(Call, call_id)


def queued_job_ids() -> set[str]:
    return set(get_queue().job_ids)


def point_redis_at(app, url: str) -> None:
    """Aim the app's Redis clients at `url` (they are built lazily from REDIS_URL)."""
    app.config["REDIS_URL"] = url
    app.extensions.pop("calldesk_redis", None)


# --------------------------------------------------------------------------- /jobs


def test_does_jobs_list_only_this_tenants_failed_calls_with_counts(app, client, alpha, beta):
    processed = send(client, "conv-a-processed")
    run_jobs(app)
    failed = send(client, "conv-a-failed")
    other_failed = send(client, "conv-b-failed", "agent_beta", BETA_SECRET)
    fail_all_queued(app)
    queued = send(client, "conv-a-queued")
    processing = send(client, "conv-a-processing")
    call = db.session.get(Call, processing)
    call.status, call.heartbeat_at = "processing", utcnow()
    db.session.commit()
    assert [fresh_call(c).status for c in (processed, failed, other_failed, queued, processing)] == [
        "processed",
        "failed",
        "failed",
        "queued",
        "processing",
    ]

    mine = jobs_page(client)
    assert mine["counts"] == {"queued": 1, "processing": 1, "processed": 1, "failed": 1}
    assert list(mine["failed"]) == [failed]
    row = mine["failed"][failed]
    assert row.pop("last_try").endswith(" UTC")
    assert row == {
        "conversation": "conv-a-failed",
        "step": "analyse",
        "error": "broken: the model is unavailable",
        "attempts": 1,
    }
    assert "conv-b-failed" not in mine["text"]
    assert "Retry all (1)" in mine["text"]

    theirs = jobs_page(beta)
    assert theirs["counts"] == {"queued": 0, "processing": 0, "processed": 0, "failed": 1}
    assert list(theirs["failed"]) == [other_failed]
    assert "conv-a-failed" not in theirs["text"]


def test_does_jobs_say_nothing_failed_when_nothing_did(app, client, alpha):
    send(client, "conv-a-ok")
    run_jobs(app)
    page = jobs_page(client)
    assert page["failed"] == {} and page["counts"]["processed"] == 1
    assert "Nothing has failed" in page["text"] and "Retry all" not in page["text"]


def test_does_retry_require_a_csrf_token(app, client, alpha):
    call_id = send(client, "conv-a-failed")
    fail_all_queued(app)
    assert client.post(f"/jobs/{call_id}/retry").status_code == 400
    assert client.post("/jobs/retry-all").status_code == 400
    assert fresh_call(call_id).status == "failed"
    assert job_id(call_id) not in queued_job_ids()

    token = csrf_from(client.get("/jobs").get_data(as_text=True))
    assert client.post(f"/jobs/{call_id}/retry", data={"csrf_token": token}).status_code == 302
    assert fresh_call(call_id).status == "queued"
    assert job_id(call_id) in queued_job_ids()


def test_does_retry_all_leave_other_tenants_failed_calls_alone(app, client, alpha, beta):
    first = send(client, "conv-a-failed-1")
    second = send(client, "conv-a-failed-2")
    other = send(client, "conv-b-failed", "agent_beta", BETA_SECRET)
    fail_all_queued(app)
    other_before = fresh_call(other)
    other_state = (
        other_before.status,
        other_before.attempts,
        other_before.last_error,
        other_before.enqueued_at,
    )

    token = csrf_from(client.get("/jobs").get_data(as_text=True))
    response = client.post("/jobs/retry-all", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "2 call(s) queued for another try." in html.unescape(response.get_data(as_text=True))
    for call_id in (first, second):
        call = fresh_call(call_id)
        assert call.status == "queued" and call.enqueued_at is not None
    assert queued_job_ids() == {job_id(first), job_id(second)}
    other_after = fresh_call(other)
    assert (other_after.status, other_after.attempts, other_after.last_error, other_after.enqueued_at) == (
        other_state
    )

    run_jobs(app)  # working providers again: the retried calls go through
    assert [fresh_call(c).status for c in (first, second, other)] == ["processed", "processed", "failed"]
    assert jobs_page(beta)["failed"].keys() == {other}
    assert jobs_page(client)["failed"] == {}


def test_can_another_tenant_retry_my_failed_call(app, client, alpha, beta):
    call_id = send(client, "conv-a-failed")
    fail_all_queued(app)
    token = csrf_from(beta.get("/jobs").get_data(as_text=True))
    assert beta.post(f"/jobs/{call_id}/retry", data={"csrf_token": token}).status_code == 404
    response = beta.post("/jobs/retry-all", data={"csrf_token": token}, follow_redirects=True)
    assert "Nothing to retry." in response.get_data(as_text=True)
    call = fresh_call(call_id)
    assert (call.status, call.attempts) == ("failed", 1)
    assert job_id(call_id) not in queued_job_ids()
    assert call_id in jobs_page(client)["failed"]


def test_is_a_retry_kept_when_redis_is_down_and_enqueued_by_the_sweeper(app, client, alpha, redis_url):
    call_id = send(client, "conv-a-failed")
    fail_all_queued(app)
    token = csrf_from(client.get("/jobs").get_data(as_text=True))

    point_redis_at(app, f"redis://127.0.0.1:{free_port()}/0")
    response = client.post(f"/jobs/{call_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    assert "1 call(s) marked for retry" in text
    assert "the worker will pick them up when it is back" in text
    call = fresh_call(call_id)
    assert (call.status, call.enqueued_at) == ("queued", None)

    point_redis_at(app, redis_url)
    assert job_id(call_id) not in queued_job_ids()
    assert sweep() == 1
    assert fresh_call(call_id).enqueued_at is not None
    assert job_id(call_id) in queued_job_ids()
    run_jobs(app)
    assert fresh_call(call_id).status == "processed"


# --------------------------------------------------------------------------- /admin/rq


def test_does_admin_rq_send_anonymous_visitors_to_login(client):
    response = client.get("/admin/rq/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"] and "admin" in response.headers["Location"]
    assert client.get("/admin/rq/0/data/queues.json").status_code == 302


def test_is_admin_rq_forbidden_to_a_tenant_owner(client, alpha):
    assert client.get("/calls").status_code == 200  # signed in
    assert client.get("/admin/rq/").status_code == 403
    assert client.get("/admin/rq/0/data/queues.json").status_code == 403


def test_does_a_superuser_made_by_the_cli_see_rq_dashboard(app, client, runner, alpha):
    send(client, "conv-a-queued")  # something on the queue
    AuthActions(client).logout()
    result = runner.invoke(
        args=["create-superuser", "Ops@Platform.test"], input="operator-pass-1\noperator-pass-1\n"
    )
    assert result.exit_code == 0, result.output
    assert "ops@platform.test is a superuser." in result.output
    user = db.session.execute(select(User).where(User.email == "ops@platform.test")).scalar_one()
    assert user.is_superuser is True

    assert AuthActions(client).login("ops@platform.test", "operator-pass-1").status_code == 302
    page = client.get("/admin/rq/")
    assert page.status_code == 200
    assert "<title>RQ dashboard</title>" in page.get_data(as_text=True)
    queues = client.get("/admin/rq/0/data/queues.json")
    assert queues.status_code == 200
    by_name = {q["name"]: q for q in queues.json["queues"]}
    assert by_name[app.config["RQ_QUEUE"]]["count"] == 1


# --------------------------------------------------------------------------- /readyz


def test_is_readyz_ready_with_offline_providers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ready" and "failing" not in body
    assert body["checks"] == {
        "database": "ok",
        "redis": "ok",
        "llm (offline)": "ok",
        "embeddings (offline)": "ok",
        "vectors (local)": "ok",
    }


def test_does_readyz_name_redis_when_it_is_unreachable(app, client):
    point_redis_at(app, f"redis://127.0.0.1:{free_port()}/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "unavailable"
    assert body["failing"] == ["redis"]
    assert body["checks"]["redis"].startswith("error")


@pytest.fixture
def pinecone_of_other_dimension():
    reset_pinecone_retry_state()
    with FakePinecone(dimension=16) as fake:
        yield {"VECTOR_STORE": "pinecone", "PINECONE_API_KEY": "pc-test", "PINECONE_INDEX_HOST": fake.url}


@pytest.mark.parametrize("config_overrides", ["pinecone_of_other_dimension"], indirect=True)
def test_does_readyz_name_the_index_when_its_dimension_differs(client):
    """Offline embeddings have 640 dimensions (WordLlama 256 + lexical 384); the index has 16."""
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json
    assert body["failing"] == ["vectors (pinecone)"]
    message = body["checks"]["vectors (pinecone)"]
    assert "16" in message and "640" in message


WRONG_KEY = "sk-wrong-key-0123456789abcdef"


@pytest.fixture
def openai_refusing_the_key():
    with FakeOpenAI(api_key="sk-right-key-0000000000") as fake:
        yield {
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": WRONG_KEY,
            "OPENAI_BASE_URL": fake.base_url,
            "OPENAI_TIMEOUT_S": 2.0,
        }


@pytest.mark.parametrize("config_overrides", ["openai_refusing_the_key"], indirect=True)
def test_does_readyz_name_the_llm_when_openai_refuses_the_key(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json
    assert body["failing"] == ["llm (openai)"]
    assert "401" in body["checks"]["llm (openai)"]
    assert WRONG_KEY not in response.get_data(as_text=True)
