"""`flask seed-calls`: fill a user's workspace with realistic processed calls, in bulk.

Rows are made in Python (app/seeding/calls.py) and written with one multi-row INSERT per table
per batch; ids are taken from the sequences beforehand so calls, callbacks and their timelines go
in without RETURNING. Vectors come from a few embeddings of template texts plus noise
(app/seeding/vectors.py) and are written through the configured vector store, a batch at a time.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
from sqlalchemy import func, insert, select, text

from ..extensions import db
from ..models import Agent, Call, Callback, CallbackEvent, CallTopic, User, utcnow
from ..models.call_topic import rows_for as topic_rows
from ..models.callback import copied_from
from ..providers import get_providers
from ..providers.base import VectorRecord
from ..services.accounts import normalize_email
from ..services.vectors import namespace_for, vector_id_for, vector_metadata
from .calls import FAILED_EVERY, Maker, Seeded
from .phrases import LANGUAGES
from .scenarios import RARE_CALLS
from .vectors import Templates

MAX_COUNT = 1_000_000
BATCH = 2000
AGENT_NAMES = ("Reception", "Emergencies", "Billing", "Bookings")


class SeedError(ValueError):
    """The command cannot run as asked; the message says why."""


def check_count(count: int) -> None:
    if not 1 <= count <= MAX_COUNT:
        raise SeedError(f"--count must be between 1 and {MAX_COUNT:,} (got {count:,})")


def _workspace(email: str) -> tuple[User, list[Agent], list[User]]:
    user = db.session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()
    if user is None:
        raise SeedError(f"no user with the e-mail {email!r}: sign up first, or check the address")
    tid = user.tenant_id
    agents = list(
        db.session.execute(select(Agent).where(Agent.tenant_id == tid).order_by(Agent.id)).scalars()
    )
    if len(agents) < 3:  # several agents, so the lists and analytics have something to tell apart
        tag = secrets.token_hex(3)
        for i, name in enumerate(AGENT_NAMES[: len(AGENT_NAMES) - len(agents)]):
            agents.append(Agent(tenant_id=tid, agent_id=f"agent_seed_{tag}_{i}", name=name))
            db.session.add(agents[-1])
        db.session.commit()
    users = list(db.session.execute(select(User).where(User.tenant_id == tid).order_by(User.id)).scalars())
    return user, agents, users


def _ids(model, n: int) -> list[int]:
    """n new primary keys for `model`'s table, taken before the INSERT (no RETURNING needed)."""
    table = model.__tablename__
    if db.session.get_bind().dialect.name == "postgresql":
        sql = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
        return list(db.session.execute(sql, {"table": table, "n": n}).scalars())
    # SQLite gives a new row max(id) + 1; this command is the only writer while it runs.
    start = db.session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one()
    return list(range(start + 1, start + n + 1))


def _write(batch: list[Seeded], vectors: np.ndarray, store, model_name: str) -> None:
    """Insert one batch's calls, callbacks and timelines, index its vectors, commit."""
    for seeded, cid, vec in zip(batch, _ids(Call, len(batch)), vectors, strict=True):
        call = seeded.call
        call["id"] = cid
        if call["status"] == "processed" or call.get("failed_step") == "index":
            call.update(
                embedding=vec.tobytes(),
                embedding_model=model_name,
                embedding_dims=len(vec),
                embedded_at=call["analysed_at"],
            )
        if call["status"] == "processed":
            call.update(
                vector_id=vector_id_for(cid), vector_store=store.name, indexed_at=call["processed_at"]
            )
    # Only the columns a call sets (the same keys in every row); the others keep their defaults.
    keys = set().union(*(s.call for s in batch))
    rows = [{key: s.call.get(key) for key in keys} for s in batch]
    db.session.execute(insert(Call.__table__), rows)
    topics = [t for s in batch for t in topic_rows(s.call)]
    if topics:
        db.session.execute(insert(CallTopic.__table__), topics)
    with_cb = [s for s in batch if s.callback]
    if with_cb:
        for seeded, cbid in zip(with_cb, _ids(Callback, len(with_cb)), strict=True):
            seeded.callback.update(id=cbid, call_id=seeded.call["id"], **copied_from(seeded.call))
            for event in seeded.events:
                event["callback_id"] = cbid
        db.session.execute(insert(Callback.__table__), [s.callback for s in with_cb])
        db.session.execute(insert(CallbackEvent.__table__), [e for s in with_cb for e in s.events])
    records = [
        VectorRecord(s.call["vector_id"], vec.tolist(), vector_metadata(SimpleNamespace(**s.call)))
        for s, vec in zip(batch, vectors, strict=True)
        if s.call["status"] == "processed"
    ]
    if records:
        store.upsert(namespace_for(batch[0].call["tenant_id"]), records)
    db.session.commit()


def seed_calls(email: str, count: int, seed: int | None = None, echo: Callable[[str], None] = print) -> dict:
    """Add `count` calls to the workspace of the user with this e-mail; returns what was made."""
    check_count(count)
    user, agents, users = _workspace(email)
    started, rng = time.perf_counter(), random.Random(seed)
    providers = get_providers()
    templates = Templates(providers.embedder, LANGUAGES, np.random.default_rng(rng.randrange(2**32)))
    maker = Maker(rng, user.tenant, agents, users, utcnow(), count)
    run = secrets.token_hex(3)
    rare = {int((k + 0.5) * count / RARE_CALLS) for k in range(min(RARE_CALLS, count))}
    tally: Counter = Counter()
    for start in range(0, count, BATCH):
        batch = [
            maker.make(f"seed-{run}-{i:07d}", i in rare, i % FAILED_EVERY == FAILED_EVERY // 2)
            for i in range(start, min(start + BATCH, count))
        ]
        _write(batch, templates.vectors(batch), providers.vectors, providers.embedder.model)
        tally.update(_count(batch))
        done = start + len(batch)
        echo(f"  {done:>9,} / {count:,} calls ({time.perf_counter() - started:.1f} s)")
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE calls, callbacks, callback_events"))
        db.session.commit()
    tally.update(agents=len(agents), seconds=round(time.perf_counter() - started, 1))
    return dict(tally)


def _count(batch: list[Seeded]) -> Counter:
    now, out = utcnow(), Counter()
    for s in batch:
        out[s.call["status"]] += 1
        if s.call["language"]:
            out[f"lang_{s.call['language']}"] += 1
        if s.callback:
            out["callbacks"] += 1
            out[f"callbacks_{s.callback['state']}"] += 1
            out["urgent"] += s.callback["priority"] == "urgent"
            out["overdue"] += s.callback["state"] == "open" and s.callback["due_at"] < now
    return out


def describe(made: dict) -> str:
    """The final summary the command prints."""
    langs = ", ".join(f"{lang} {made.get(f'lang_{lang}', 0):,}" for lang in LANGUAGES)
    return (
        f"done in {made['seconds']} s: {made.get('processed', 0):,} processed and {made.get('failed', 0):,}"
        f" failed calls ({langs}), {made['agents']} agents; {made.get('callbacks', 0):,} callbacks:"
        f" {made.get('callbacks_open', 0):,} open ({made.get('overdue', 0):,} overdue),"
        f" {made.get('callbacks_done', 0):,} done, {made.get('urgent', 0):,} urgent"
    )
