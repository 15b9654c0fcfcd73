"""The real worker pipeline, with the real openai and pinecone SDKs, against FakeOpenAI/FakePinecone.

Each test checks what the app sent to the providers, and how the call ends on the pages staff use:
the call page and the /jobs status page.
"""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime

import pytest
from fakes.openai_server import FakeOpenAI, hashed_embedding, openai_error
from fakes.pinecone_server import FakePinecone, reset_pinecone_retry_state
from helpers import (
    csrf_from,
    deliver,
    gen_workspace,
    jobs_page,
    run_jobs,
    sample_payload,
    second_workspace,
)

from app.extensions import db
from app.models import Call
from app.services.jobs import get_queue, job_id

OPENAI_KEY = "sk-test-pipeline-0123456789abcdef"
PINECONE_KEY = "pc-test-pipeline-key"
DIMS = 8
CHAT = "/v1/chat/completions"
UPSERT = "/vectors/upsert"
GUIDANCE = "Always mention whether the caller is an existing customer of Riverside Plumbing."
ANALYSIS_FIELDS = {
    "summary",
    "callback_needed",
    "callback_reason",
    "callback_requested_time",
    "callback_urgent",
    "caller_name",
    "sentiment",
    "topics",
    "language",
}
HELD_S = 0.6  # how long the fake holds each chat request in the timeout test (> 0.25 s)
SAMPLE_START = datetime.fromtimestamp(1764399950, tz=UTC)  # metadata.start_time_unix_secs of the sample


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def openai_server():
    with FakeOpenAI(api_key=OPENAI_KEY) as fake:
        yield fake


@pytest.fixture(scope="module")
def pinecone_server():
    with FakePinecone(dimension=DIMS, api_key=PINECONE_KEY) as fake:
        yield fake


def _reset(*servers) -> None:
    for server in servers:
        server.clear_faults()
        server.requests.clear()
        if isinstance(server, FakePinecone):
            server.namespaces.clear()
    reset_pinecone_retry_state()


@pytest.fixture
def fakes(openai_server, pinecone_server):
    """Both fakes with no recorded requests, no faults and an empty index, before and after."""
    _reset(openai_server, pinecone_server)
    yield openai_server, pinecone_server
    _reset(openai_server, pinecone_server)


@pytest.fixture
def config_overrides(fakes, request):
    """Real providers aimed at the fakes; indirect parametrization may add to them."""
    openai_server, pinecone_server = fakes
    return {
        "LLM_PROVIDER": "openai",
        "EMBEDDINGS_PROVIDER": "openai",
        "VECTOR_STORE": "pinecone",
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": openai_server.base_url,
        "OPENAI_MODEL": "gpt-test-mini",
        "OPENAI_EMBEDDING_MODEL": "text-embedding-3-small",
        "OPENAI_EMBEDDING_DIMENSIONS": DIMS,
        "OPENAI_MAX_RETRIES": 2,
        "OPENAI_TIMEOUT_S": 3.0,
        "PINECONE_API_KEY": PINECONE_KEY,
        "PINECONE_INDEX_HOST": pinecone_server.url,
        "PINECONE_INDEX_NAME": "",
        **getattr(request, "param", {}),
    }


@pytest.fixture(autouse=True)
def _close_providers(app):
    """Release the SDK clients the worker built for this test's app."""
    yield
    providers = app.extensions.pop("calldesk_providers", None)
    if providers is not None:
        for provider in (providers.llm, providers.embedder, providers.vectors):
            provider.close()


@pytest.fixture
def openai_fake(fakes):
    return fakes[0]


@pytest.fixture
def pinecone_fake(fakes):
    return fakes[1]


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


# --------------------------------------------------------------------------- page readers


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def call_page(client, call_id) -> dict:
    """What the call page shows: status, attempts, summary, and its whole text."""
    response = client.get(f"/calls/{call_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    summary = re.search(r'<p class="summary">(.*?)</p>', page, re.S)
    attempts = re.search(r"<dt>Attempts</dt><dd>(\d+)</dd>", page)
    return {
        "status": re.search(r'data-call-status="(\w+)"', page).group(1),
        "attempts": int(attempts.group(1)),
        "summary": html.unescape(summary.group(1).strip()) if summary else None,
        "text": html.unescape(page),
    }


def fresh_call(call_id) -> Call:
    db.session.expire_all()
    return db.session.get(Call, call_id)


def deliver_sample(client, conversation_id="conv-providers-001") -> int:
    response = deliver(client, sample_payload(conversation_id=conversation_id))
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.json["call_id"]


def assert_processed_everywhere(client, call_id, attempts: int) -> None:
    shown = call_page(client, call_id)
    assert (shown["status"], shown["attempts"]) == ("processed", attempts)
    assert shown["summary"] == "The caller said: My kitchen sink is leaking under the cabinet."
    status = jobs_page(client)
    assert status["counts"]["processed"] == 1 and status["counts"]["failed"] == 0
    assert call_id not in status["failed"]


def assert_failed_everywhere(client, call_id, *, step: str, attempts: int, error: str) -> None:
    """The call is failed, with this step, attempt count and error, on the call page and on /jobs."""
    shown = call_page(client, call_id)
    assert shown["status"] == "failed"
    assert f"at step “{step}” after {attempts} attempt" in shown["text"]
    assert error in shown["text"]
    status = jobs_page(client)
    assert status["counts"]["failed"] == 1 and status["counts"]["processed"] == 0
    row = status["failed"][call_id]
    assert (row["step"], row["attempts"]) == (step, attempts)
    assert error in row["error"]


# --------------------------------------------------------------------------- what the app sends


def test_what_does_the_pipeline_send_to_openai_and_pinecone(client, auth, app, workspace, fakes):
    """Model, strict schema, tenant guidance, embedding model/dimensions, namespace, id, metadata."""
    openai_fake, pinecone_fake = fakes
    saved = auth.post_form("/settings/analysis", {"analysis_instructions": GUIDANCE}, page="/settings")
    assert saved.status_code == 302
    call_id = deliver_sample(client)
    run_jobs(app)

    call = fresh_call(call_id)
    assert call.status == "processed", call.last_error
    tenant_id = call.tenant_id

    # Chat completion: one request, our model, strict JSON schema, guidance in the system prompt.
    [chat] = openai_fake.chat_requests()
    assert chat["model"] == "gpt-test-mini"
    response_format = chat["response_format"]
    assert response_format["type"] == "json_schema"
    json_schema = response_format["json_schema"]
    assert json_schema["name"] == "Analysis" and json_schema["strict"] is True
    schema = json_schema["schema"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == ANALYSIS_FIELDS == set(schema["properties"])
    system, user = chat["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert GUIDANCE in system["content"] and GUIDANCE not in user["content"]
    assert "<company_guidance>" in system["content"]
    assert "<transcript>" in user["content"] and "Caller: My kitchen sink is leaking" in user["content"]
    [chat_http] = openai_fake.requests_to(CHAT, "POST")
    assert chat_http["headers"]["authorization"] == f"Bearer {OPENAI_KEY}"

    # Embeddings: one request with the configured model and dimensions, over the stored topics and
    # summary and the caller's own words (not the agent's script, the same in every call).
    [embedding] = openai_fake.embedding_requests()
    assert embedding["model"] == "text-embedding-3-small"
    assert embedding["dimensions"] == DIMS
    [embedded_text] = embedding["input"]
    assert embedded_text.startswith("Topics: general\n" + call.summary)
    assert "My kitchen sink is leaking" in embedded_text
    assert not any(t["text"] in embedded_text for t in call.transcript if t["role"] == "agent")

    # Pinecone: one upsert into the tenant's namespace, deterministic id, clean metadata.
    [upsert] = pinecone_fake.requests_to(UPSERT, "POST")
    assert upsert["headers"]["api-key"] == PINECONE_KEY
    body = upsert["json"]
    assert body["namespace"] == f"tenant-{tenant_id}"
    [vector] = body["vectors"]
    assert vector["id"] == f"call-{call_id}"
    expected = hashed_embedding(embedded_text, DIMS)
    assert len(vector["values"]) == DIMS
    pairs = zip(vector["values"], expected, strict=True)
    assert all(math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6) for a, b in pairs)
    metadata = vector["metadata"]
    assert metadata["call_id"] == call_id
    assert metadata["tenant_id"] == tenant_id
    assert metadata["callback_needed"] is False
    assert metadata["sentiment"] == "neutral"
    assert datetime.fromisoformat(metadata["started_at"]) == SAMPLE_START
    assert metadata["started_ts"] == int(SAMPLE_START.timestamp())
    assert None not in metadata.values()

    # What the index holds, and what the call records.
    assert set(pinecone_fake.vectors(f"tenant-{tenant_id}")) == {f"call-{call_id}"}
    assert (call.vector_id, call.vector_store) == (f"call-{call_id}", "pinecone")
    assert call.analysis_provider == "openai:gpt-test-mini"
    assert (call.embedding_model, call.embedding_dims) == ("text-embedding-3-small", DIMS)
    assert_processed_everywhere(client, call_id, attempts=1)


def test_is_the_guidance_left_out_when_the_tenant_has_none(client, app, workspace, openai_fake):
    deliver_sample(client)
    run_jobs(app)
    [chat] = openai_fake.chat_requests()
    assert "<company_guidance>" not in chat["messages"][0]["content"]


# --------------------------------------------------------------------------- faults


def test_does_a_single_429_end_processed(client, app, workspace, openai_fake):
    """The SDK retries the 429 itself: one job attempt, two chat requests."""
    openai_fake.fail_next(429, path=CHAT)
    call_id = deliver_sample(client)
    run_jobs(app)
    assert len(openai_fake.chat_requests()) == 2
    call = fresh_call(call_id)
    assert (call.status, call.attempts, call.last_error) == ("processed", 1, None)
    assert_processed_everywhere(client, call_id, attempts=1)


def test_do_three_500s_end_processed_after_an_rq_retry(client, app, workspace, openai_fake):
    """1 + 2 SDK retries exhaust the first job attempt; RQ's retry then succeeds."""
    openai_fake.fail_next(500, times=3, path=CHAT)
    call_id = deliver_sample(client)
    run_jobs(app)
    assert len(openai_fake.chat_requests()) == 4
    call = fresh_call(call_id)
    assert (call.status, call.attempts) == ("processed", 2)
    assert call.last_error is None and call.failed_step is None
    assert_processed_everywhere(client, call_id, attempts=2)


@pytest.mark.parametrize("config_overrides", [{"OPENAI_TIMEOUT_S": 0.25}], indirect=True)
def test_does_a_timeout_that_never_ends_fail_after_all_retries(
    client, app, workspace, openai_fake, monkeypatch
):
    """Every chat request outlives OPENAI_TIMEOUT_S: retryable, so 3 job attempts x 3 SDK attempts."""
    monkeypatch.setattr("openai._base_client.INITIAL_RETRY_DELAY", 0.01)  # the SDK's own backoff
    openai_fake.delay_next(HELD_S, times=50, path=CHAT)
    call_id = deliver_sample(client)
    run_jobs(app)
    openai_fake.wait_idle()  # let the fake finish the held requests, or they take the next test's faults
    assert len(openai_fake.chat_requests()) == 9
    assert openai_fake.embedding_requests() == []
    call = fresh_call(call_id)
    assert (call.status, call.attempts, call.failed_step) == ("failed", 3, "analyse")
    assert "timed out" in call.last_error
    # Retryable and out of retries: RQ keeps the job in its failed registry for operators.
    assert job_id(call_id) in get_queue().failed_job_registry.get_job_ids()
    assert_failed_everywhere(client, call_id, step="analyse", attempts=3, error="request timed out")


def test_does_a_400_fail_at_once_with_the_servers_message(client, app, workspace, openai_fake):
    message = "Invalid schema for response_format 'Analysis': the fake rejects it"
    openai_fake.fail_next(400, openai_error(message, "invalid_request_error", None), path=CHAT)
    call_id = deliver_sample(client)
    run_jobs(app)
    assert len(openai_fake.chat_requests()) == 1
    call = fresh_call(call_id)
    assert (call.status, call.attempts) == ("failed", 1)
    assert f"HTTP 400: {message}" in call.last_error
    assert_failed_everywhere(client, call_id, step="analyse", attempts=1, error=f"HTTP 400: {message}")


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        ("Sure! Here is the analysis: the caller has a leak.", "Invalid JSON"),
        ('{"summary": "A leaking sink."}', "callback_needed: Field required"),
    ],
    ids=["not-json", "missing-fields"],
)
def test_does_a_malformed_reply_fail_as_invalid_output(client, app, workspace, fakes, reply, detail):
    openai_fake, pinecone_fake = fakes
    openai_fake.reply_next_raw(reply)
    call_id = deliver_sample(client)
    run_jobs(app)
    assert len(openai_fake.chat_requests()) == 1  # asking again the same way would not help
    assert openai_fake.embedding_requests() == []
    assert pinecone_fake.requests_to(UPSERT) == []
    call = fresh_call(call_id)
    assert (call.status, call.attempts, call.summary) == ("failed", 1, None)
    assert call.last_error.startswith("openai: invalid output: ")
    assert detail in call.last_error
    assert_failed_everywhere(client, call_id, step="analyse", attempts=1, error="invalid output")


def test_does_retry_after_an_index_outage_resume_without_paying_again(client, app, workspace, fakes):
    """Pinecone 503s on every upsert: failed at "index" with the summary kept; Retry indexes only."""
    openai_fake, pinecone_fake = fakes
    pinecone_fake.fail_next(503, times=1000, path=UPSERT)
    call_id = deliver_sample(client)
    run_jobs(app)

    call = fresh_call(call_id)
    assert (call.status, call.failed_step, call.attempts) == ("failed", "index", 3)
    assert "503" in call.last_error
    assert call.summary and call.analysed_at and call.embedded_at and call.indexed_at is None
    assert len(pinecone_fake.requests_to(UPSERT)) >= 3  # every job attempt reached the index
    assert pinecone_fake.namespaces == {}
    assert (len(openai_fake.chat_requests()), len(openai_fake.embedding_requests())) == (1, 1)
    assert_failed_everywhere(client, call_id, step="index", attempts=3, error="HTTP 503")
    assert call_page(client, call_id)["summary"].startswith("The caller said:")  # kept

    # The index is back; staff press Retry on /jobs.
    pinecone_fake.clear_faults()
    token = csrf_from(client.get("/jobs").get_data(as_text=True))
    response = client.post(f"/jobs/{call_id}/retry", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/jobs")
    assert "1 call(s) queued for another try." in _text(client.get("/jobs"))
    assert fresh_call(call_id).status == "queued"
    run_jobs(app)

    call = fresh_call(call_id)
    assert (call.status, call.attempts, call.last_error) == ("processed", 4, None)
    assert (len(openai_fake.chat_requests()), len(openai_fake.embedding_requests())) == (1, 1)
    assert set(pinecone_fake.vectors(f"tenant-{call.tenant_id}")) == {f"call-{call_id}"}
    assert sum(len(ns) for ns in pinecone_fake.namespaces.values()) == 1
    assert_processed_everywhere(client, call_id, attempts=4)


# --------------------------------------------------------------------------- deletion


@pytest.fixture
def other_tenant(app):
    """Tenant B, signed in on its own client, with one processed call of its own."""
    other = second_workspace(app)
    return other


def test_does_deleting_a_call_remove_its_vector(client, app, workspace, pinecone_fake):
    call_id = deliver_sample(client)
    run_jobs(app)
    tenant_id = fresh_call(call_id).tenant_id
    namespace = f"tenant-{tenant_id}"
    assert f"call-{call_id}" in pinecone_fake.vectors(namespace)

    token = csrf_from(client.get(f"/calls/{call_id}").get_data(as_text=True))
    response = client.post(f"/calls/{call_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/calls")

    [request] = pinecone_fake.requests_to("/vectors/delete", "POST")
    assert request["json"]["namespace"] == namespace
    assert request["json"]["ids"] == [f"call-{call_id}"]
    assert f"call-{call_id}" not in pinecone_fake.vectors(namespace)
    assert fresh_call(call_id) is None
    assert client.get(f"/calls/{call_id}").status_code == 404


def test_can_another_tenant_delete_the_call_or_its_vector(
    client, app, workspace, other_tenant, pinecone_fake
):
    call_id = deliver_sample(client)
    payload = sample_payload(conversation_id="conv-beta-001", agent_id="agent_beta")
    other_call_id = deliver(client, payload, "whsec_beta_secret_00000001").json["call_id"]
    run_jobs(app)
    namespace = f"tenant-{fresh_call(call_id).tenant_id}"
    other_namespace = f"tenant-{fresh_call(other_call_id).tenant_id}"
    assert namespace != other_namespace
    assert set(pinecone_fake.vectors(namespace)) == {f"call-{call_id}"}
    assert set(pinecone_fake.vectors(other_namespace)) == {f"call-{other_call_id}"}

    token = csrf_from(other_tenant.get("/calls").get_data(as_text=True))
    response = other_tenant.post(f"/calls/{call_id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert pinecone_fake.requests_to("/vectors/delete") == []
    assert f"call-{call_id}" in pinecone_fake.vectors(namespace)
    assert fresh_call(call_id).status == "processed"
