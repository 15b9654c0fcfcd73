"""Operator commands: create-superuser, sweep, reindex (batched embeddings), demo."""

from __future__ import annotations

from helpers import deliver, gen_workspace, run_jobs, sample_payload
from sqlalchemy import select

from app.extensions import db
from app.models import Call, LocalVector, User
from app.providers import Providers, get_providers


def test_create_superuser_creates_and_promotes(runner):
    result = runner.invoke(
        args=["create-superuser", "ops@calldesk.test"], input="long-password-1\nlong-password-1\n"
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User)).scalar_one()
    assert user.is_superuser and user.email == "ops@calldesk.test"
    assert user.password_hash.startswith("$argon2id$")


class CountingEmbedder:
    """Wraps the real offline embedder and records each request's size."""

    def __init__(self, inner, model="lexical-hash-v2"):
        self.inner, self.name, self.model, self.dimensions = inner, inner.name, model, inner.dimensions
        self.batches: list[int] = []

    def embed(self, texts):
        self.batches.append(len(texts))
        return self.inner.embed(texts)

    def ping(self):
        pass


def test_reindex_embeds_stale_calls_in_batches(client, auth, app, runner):
    gen_workspace(auth)
    for i in range(5):
        deliver(client, sample_payload(conversation_id=f"conv-{i}"))
    run_jobs(app)
    real = get_providers()
    counting = CountingEmbedder(real.embedder)
    app.extensions["calldesk_providers"] = Providers(llm=real.llm, embedder=counting, vectors=real.vectors)

    result = runner.invoke(args=["reindex", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "reindexed 5 call(s)" in result.output
    assert counting.batches == [2, 2, 1]
    models = set(db.session.execute(select(Call.embedding_model)).scalars())
    assert models == {"lexical-hash-v2"}
    assert db.session.query(LocalVector).count() == 5  # overwritten by id, not duplicated

    again = runner.invoke(args=["reindex"])
    assert "reindexed 0 call(s)" in again.output


def test_reindex_unknown_tenant_is_a_clear_error(runner):
    result = runner.invoke(args=["reindex", "--tenant", "nope"])
    assert result.exit_code != 0
    assert "no workspace with slug 'nope'" in result.output


def test_sweep_command_enqueues_calls_left_unqueued(client, auth, runner):
    gen_workspace(auth)
    call_id = deliver(client, sample_payload()).json["call_id"]
    call = db.session.get(Call, call_id)
    call.enqueued_at = None
    db.session.commit()
    from app.services.jobs import get_queue

    get_queue().empty()
    result = runner.invoke(args=["sweep"])
    assert "enqueued 1 call(s)" in result.output
    assert get_queue().job_ids == [f"call-{call_id}"]


def test_demo_command_creates_login_and_sample_calls(runner, app, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo@calldesk.local" in result.output
    assert db.session.query(Call).count() == 11
    run_jobs(app)
    statuses = set(db.session.execute(select(Call.status)).scalars())
    assert statuses == {"processed"}
    callbacks = db.session.execute(
        select(Call.conversation_id).where(Call.callback_needed.is_(True))
    ).scalars()
    # Callbacks in English, Spanish and German; the Spanish cancellation declines one (hard negative).
    assert sorted(callbacks) == [
        "conv_demo_000",
        "conv_demo_002",
        "conv_demo_005",
        "conv_demo_006",
        "conv_demo_008",
    ]
    urgent = db.session.execute(select(Call).where(Call.conversation_id == "conv_demo_008")).scalar_one()
    assert urgent.language == "de" and urgent.summary.startswith("The caller reported a heating")
    assert urgent.callback_requested_time == "so schnell wie möglich"
    assert runner.invoke(args=["demo"]).output.count("0 new sample calls") == 1  # idempotent


def test_sweep_command_says_when_redis_is_unreachable(app, client, auth, runner):
    from processes import free_port

    gen_workspace(auth)
    deliver(client, sample_payload())  # a queued call: the sweep asks Redis about its job
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app.extensions.pop("calldesk_redis", None)
    result = runner.invoke(args=["sweep"])
    assert result.exit_code != 0
    assert "Redis unreachable" in result.output
