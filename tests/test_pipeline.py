"""The worker turns a stored call into a processed record, once, and records failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import deliver, gen_workspace, run_jobs, sample_payload, seed_payload, worker_burst
from sqlalchemy import select

from app.extensions import db
from app.models import Call, LocalVector
from app.pipeline.process import process_call
from app.providers import Providers, get_providers
from app.providers.errors import ProviderError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


def _page_state(client, call_id):
    html = client.get(f"/calls/{call_id}").get_data(as_text=True)
    status = re.search(r'data-call-status="(\w+)"', html).group(1)
    callback = re.search(r'data-callback-needed="(\w+)"', html).group(1)
    summary = re.search(r'<p class="summary">(.*?)</p>', html, re.S)
    return status, callback, summary.group(1).strip() if summary else None


def test_seed_sample_ends_processed_with_callback_flag(client, workspace, app):
    call_id = deliver(client, seed_payload()).json["call_id"]
    assert _page_state(client, call_id)[0] == "queued"
    run_jobs(app)
    status, callback, summary = _page_state(client, call_id)
    assert (status, callback) == ("processed", "true")
    assert "premium subscription" in summary
    call = db.session.get(Call, call_id)
    assert "tomorrow" in call.callback_requested_time
    assert "called back tomorrow" in call.callback_reason


def test_real_payload_ends_processed_without_callback(client, workspace, app):
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    status, callback, summary = _page_state(client, call_id)
    assert (status, callback) == ("processed", "false")
    assert "water leak" in summary and "Thursday morning" in summary
    call = db.session.get(Call, call_id)
    assert "kitchen sink" in call.topics
    assert call.analysis_provider == "offline:rules-v2"
    assert call.sentiment in ("neutral", "positive") and call.language == "en"
    vector = db.session.execute(select(LocalVector)).scalar_one()
    assert (vector.namespace, vector.id) == (f"tenant-{call.tenant_id}", f"call-{call_id}")
    assert vector.dims == 640 and vector.meta["call_id"] == call_id


def test_running_the_job_twice_changes_nothing(client, workspace, app):
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    before = db.session.get(Call, call_id)
    snapshot = (before.summary, before.attempts, before.processed_at, before.analysed_at, before.indexed_at)
    assert process_call(call_id) == "skipped (processed)"
    db.session.expire_all()
    after = db.session.get(Call, call_id)
    assert (
        after.summary,
        after.attempts,
        after.processed_at,
        after.analysed_at,
        after.indexed_at,
    ) == snapshot
    assert db.session.query(LocalVector).count() == 1


class _Exploding:
    name, model = "boom", "boom-1"

    def __init__(self, retryable=True):
        self.calls = 0
        self.retryable = retryable

    def analyse(self, request):
        self.calls += 1
        raise ProviderError("the model is on fire", retryable=self.retryable, provider="boom")


def _swap_llm(app, llm):
    real = get_providers()
    app.extensions["calldesk_providers"] = Providers(llm=llm, embedder=real.embedder, vectors=real.vectors)


def test_worker_failure_ends_as_failed_call_with_its_error_after_retries(client, workspace, app):
    call_id = deliver(client, sample_payload()).json["call_id"]
    llm = _Exploding(retryable=True)
    _swap_llm(app, llm)
    run_jobs(app)
    call = db.session.get(Call, call_id)
    assert call.status == "failed"
    assert call.failed_step == "analyse"
    assert "the model is on fire" in call.last_error
    assert call.attempts == 3 and llm.calls == 3  # first try + JOB_RETRY_INTERVALS=[0, 0]
    html = client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert 'data-call-status="failed"' in html and "the model is on fire" in html


def test_non_retryable_error_fails_at_once(client, workspace, app):
    call_id = deliver(client, sample_payload()).json["call_id"]
    llm = _Exploding(retryable=False)
    _swap_llm(app, llm)
    run_jobs(app)
    call = db.session.get(Call, call_id)
    assert (call.status, call.attempts, llm.calls) == ("failed", 1, 1)


def test_unexpected_exception_is_recorded_with_its_type(client, workspace, app, monkeypatch):
    call_id = deliver(client, sample_payload()).json["call_id"]

    def broken(texts):
        raise KeyError("dims")

    monkeypatch.setattr(get_providers().embedder, "embed", broken)
    run_jobs(app)
    call = db.session.get(Call, call_id)
    assert call.status == "failed" and call.failed_step == "embed"
    assert call.last_error.startswith("KeyError")
    assert call.analysed_at is not None  # the analysis was kept


def test_worker_script_burst_processes_the_queue(client, workspace, app, migrated, redis_url):
    """`python worker.py --burst` in its own process, with the same settings the app has."""
    call_id = deliver(client, seed_payload()).json["call_id"]
    done = worker_burst(migrated, redis_url)
    assert done.returncode == 0, done.stderr[-2000:]
    db.session.expire_all()
    call = db.session.get(Call, call_id)
    assert call.status == "processed" and call.callback_needed is True
    assert f"call={call_id}" in done.stderr and "step=analyse" in done.stderr
