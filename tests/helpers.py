"""Test helpers: the login flow, sample deliveries, running queued jobs."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

from processes import ROOT, worker_env

from app.webhooks.signature import sign

SAMPLES = Path(__file__).resolve().parent / "data"  # copied from ElevenLabs-shaped samples
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    """Sign up / log in / log out through the real forms, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/login") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def signup(self, tenant_name="Acme Plumbing", email="owner@acme.test", password="correct-horse-1"):
        data = {
            "tenant_name": tenant_name,
            "email": email,
            "password": password,
            "csrf_token": self.token("/signup"),
        }
        return self.client.post("/signup", data=data)

    def login(self, email="owner@acme.test", password="correct-horse-1"):
        data = {"email": email, "password": password, "csrf_token": self.token("/login")}
        return self.client.post("/login", data=data)

    def logout(self):
        page = self.client.get("/calls").get_data(as_text=True)
        return self.client.post("/logout", data={"csrf_token": csrf_from(page)})

    def post_form(self, path: str, data: dict, page: str | None = None):
        token = csrf_from(self.client.get(page or path).get_data(as_text=True))
        return self.client.post(path, data={**data, "csrf_token": token})


def pager_link(page_html: str, rel: str) -> str | None:
    """The URL of a list's "Older →" (rel="next") or "Newer ←" (rel="prev") link, if shown."""
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page_html)
    return html.unescape(found.group(1)) if found else None


def gen_workspace(
    auth: AuthActions,
    *,
    name="Acme Plumbing",
    email="owner@acme.test",
    agent_id="agent_7101k2example",
    secret="whsec_acme_test_secret_0001",
):
    """A signed-in owner with one agent and a webhook secret; returns the secret."""
    assert auth.signup(name, email).status_code == 302
    assert auth.post_form("/agents", {"agent_id": agent_id, "name": "Reception"}).status_code == 302
    if secret:
        assert auth.post_form("/settings", {"webhook_secret": secret}).status_code == 302
    return secret


def sample_payload(**data_overrides) -> dict:
    payload = json.loads((SAMPLES / "post_call_transcription.json").read_text())
    payload["data"].update(data_overrides)
    return payload


def seed_payload(conversation_id="conv-test-001", agent_id="agent_7101k2example") -> dict:
    """The seed document's curl example, verbatim in shape."""
    return {
        "data": {
            "conversation_id": conversation_id,
            "agent_id": agent_id,
            "transcript": {
                "messages": [
                    {
                        "role": "agent",
                        "content": "Good morning! Thank you for calling. How can I assist you today?",
                    },
                    {"role": "user", "content": "Hi, I am interested in your premium subscription plan."},
                    {"role": "agent", "content": "Great choice! Let me walk you through the features..."},
                    {
                        "role": "user",
                        "content": "That sounds good. Can someone call me back tomorrow to finalize?",
                    },
                    {"role": "agent", "content": "Absolutely! I will schedule a callback for tomorrow."},
                ]
            },
        }
    }


def deliver(
    client,
    payload,
    secret: str | None = "whsec_acme_test_secret_0001",
    *,
    path="/api/webhooks/elevenlabs/call-ended",
    timestamp: int | None = None,
    raw: bytes | None = None,
    headers: dict | None = None,
):
    """POST a delivery the way ElevenLabs does: raw JSON body, signed over "<t>.<body>"."""
    body = raw if raw is not None else json.dumps(payload).encode()
    hdrs = {"Content-Type": "application/json"}
    if secret:
        hdrs["ElevenLabs-Signature"] = sign(secret, body, timestamp)
    hdrs.update(headers or {})
    return client.post(path, data=body, headers=hdrs)


def run_jobs(app) -> None:
    """Run every queued job in this process, retries included, then return."""
    from rq import SimpleWorker

    from app.services.jobs import get_queue, redis_conn

    SimpleWorker([get_queue()], connection=redis_conn()).work(burst=True, logging_level="WARNING")


def jobs_page(client) -> dict:
    """The /jobs page: status counts, failed rows {call_id: {conversation, step, error, attempts}}."""
    response = client.get("/jobs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    counts = {
        status: int(value)
        for status, value in re.findall(
            r'class="stat stat-(\w+)"[^>]*>\s*<span class="stat-value">(\d+)</span>', page
        )
    }
    rows = {}
    for call_id, row in re.findall(r'<tr data-call-id="(\d+)">(.*?)</tr>', page, re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c).strip())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[int(call_id)] = {
            "conversation": cells[0],
            "step": cells[1],
            "error": cells[2],
            "attempts": int(cells[3]),
            "last_try": cells[4],
        }
    return {"counts": counts, "failed": rows, "text": html.unescape(page), "html": page}


def second_workspace(app, *, agent_id="agent_beta", secret="whsec_beta_secret_00000001"):
    """Tenant B ("Beta"), signed in on a client of its own; returns that client."""
    other = app.test_client()
    gen_workspace(AuthActions(other), name="Beta", email="b@beta.test", agent_id=agent_id, secret=secret)
    return other


def worker_burst(database_url: str, redis_url: str, **env) -> subprocess.CompletedProcess:
    """`python worker.py --burst` in its own process, with these settings (offline providers by default)."""
    return subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=worker_env(database_url, redis_url, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def empty_tables() -> None:
    """Delete every row (inside an app context): TRUNCATE on PostgreSQL, DELETE elsewhere."""
    from sqlalchemy import text

    from app.extensions import db

    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


def failed_job(description: str = "process call 99 (tenant 1)", exc_string: str = "Traceback: boom"):
    """An RQ job "call-99" in the failed registry with a failure result, as a crashed attempt leaves it."""
    from rq.job import JobStatus
    from rq.results import Result

    from app.services.jobs import get_queue

    queue = get_queue()
    job = queue.enqueue("app.pipeline.process.process_call", 99, job_id="call-99", description=description)
    queue.remove(job)
    job.set_status(JobStatus.FAILED)
    queue.failed_job_registry.add(job, ttl=3600, exc_string=exc_string)
    Result.create_failure(job, ttl=3600, exc_string=exc_string)
    return job
