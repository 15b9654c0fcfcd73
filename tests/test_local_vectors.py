"""VECTOR_STORE=local across processes: two app instances on one database stand for two web
processes (each with its own in-memory copy); what one writes, the other's next query sees."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import AuthActions, deliver, empty_tables, gen_workspace, sample_payload, worker_burst
from sqlalchemy import event, select
from vector_reference import assert_top_k, int8_bound

from app import create_app
from app.extensions import db
from app.models import Call, LocalVector, LocalVectorNamespace, LocalVectorTombstone
from app.providers import get_providers, local_vectors, vector_cache
from app.providers.base import VectorRecord
from app.providers.vector_cache import ID_BYTES


@pytest.fixture
def other(app):
    """A second web process: its own app, engine, store and cache, on the same database."""
    second = create_app(dict(app.config))
    second.test_client_class = app.test_client_class
    yield second
    with second.app_context():
        db.engine.dispose()


def store(app):
    with app.app_context():
        return get_providers().vectors


def write(app, namespace: str, vectors: dict[str, list[float]]) -> None:
    with app.app_context():
        store(app).upsert(namespace, [VectorRecord(id=k, values=list(v)) for k, v in vectors.items()])


def remove(app, namespace: str, ids: list[str]) -> None:
    with app.app_context():
        store(app).delete(namespace, ids)


def search(app, namespace: str, vector, top_k: int = 10) -> list[tuple[str, float]]:
    with app.app_context():
        return [(m.id, m.score) for m in store(app).query(namespace, list(vector), top_k)]


def ids_of(found) -> list[str]:
    return [vid for vid, _ in found]


def test_what_one_process_writes_the_others_next_query_sees(app, other):
    assert search(other, "tenant-1", [1, 0, 0]) == []  # the namespace does not exist yet
    write(app, "tenant-1", {"call-1": [1, 0, 0], "call-2": [0, 1, 0]})
    assert ids_of(search(other, "tenant-1", [1, 0.1, 0])) == ["call-1", "call-2"]  # appeared

    write(app, "tenant-1", {"call-3": [1, 0.05, 0]})
    assert ids_of(search(other, "tenant-1", [1, 0, 0], 1)) == ["call-1"]
    write(app, "tenant-1", {"call-1": [0, 0, 1]})  # new values for an id the other process holds
    found = search(other, "tenant-1", [1, 0, 0])
    assert ids_of(found)[0] == "call-3"
    assert dict(found)["call-1"] == pytest.approx(0.0, abs=1e-6)


def test_a_deleted_vector_is_never_returned_again(app, other):
    write(app, "tenant-1", {"call-1": [1, 0], "call-2": [1, 1], "call-3": [0, 1]})
    assert len(search(other, "tenant-1", [1, 0])) == 3  # cached in the other process
    remove(app, "tenant-1", ["call-1", "call-9"])
    assert ids_of(search(other, "tenant-1", [1, 0])) == ["call-2", "call-3"]
    assert ids_of(search(app, "tenant-1", [1, 0])) == ["call-2", "call-3"]

    write(app, "tenant-1", {"call-1": [0, 1]})  # written again: back, with its new values
    found = dict(search(other, "tenant-1", [0, 1]))
    assert sorted(found) == ["call-1", "call-2", "call-3"]
    assert found["call-1"] == pytest.approx(1.0)
    with app.app_context():
        tombstones = db.session.execute(select(LocalVectorTombstone.id)).scalars().all()
    assert tombstones == []  # call-1's went when it was written again; call-9 never existed


def test_a_write_larger_than_a_batch_lands_whole_under_one_version(app, other, monkeypatch):
    """The first batch goes with the version bump (one statement on PostgreSQL), the rest after it."""
    monkeypatch.setattr(local_vectors, "BATCH", 2)
    write(app, "tenant-1", {"call-1": [1, 0], "call-9": [0, 1]})
    remove(app, "tenant-1", ["call-1", "call-9"])
    write(app, "tenant-1", {f"call-{n}": [1, n] for n in range(1, 10)})  # 9 rows: batches of 2, 2, 2, 2, 1
    assert sorted(ids_of(search(other, "tenant-1", [1, 0], 20))) == sorted(f"call-{n}" for n in range(1, 10))
    with app.app_context():
        seqs = set(db.session.execute(select(LocalVector.seq)).scalars())
        version = db.session.execute(select(LocalVectorNamespace.version)).scalar_one()
        tombstones = db.session.execute(select(LocalVectorTombstone.id)).scalars().all()
    assert (seqs, version) == ({3}, 3)  # write, delete, write
    assert tombstones == []  # call-1 (first batch) and call-9 (last) written again
    with app.app_context():
        store(app).upsert("tenant-1", [VectorRecord("call-1", [0, 1], {"call_id": 1, "agent_id": None})])
        row = db.session.get(LocalVector, ("tenant-1", "call-1"))
        assert (row.meta, row.dims, row.seq) == ({"call_id": 1}, 2, 4)


def test_deleting_what_is_not_there_changes_nothing(app):
    """No new version (every process would look for changes) and no tombstone: e.g. a call deleted
    while VECTOR_STORE=pinecone, whose vector was never in the local table."""
    write(app, "tenant-1", {"call-1": [1, 0]})
    with app.app_context():
        before = db.session.execute(select(LocalVectorNamespace.version)).scalar_one()
    remove(app, "tenant-1", ["call-2"])
    remove(app, "tenant-2", ["call-1"])
    with app.app_context():
        assert db.session.execute(select(LocalVectorNamespace.version)).scalars().all() == [before]
        assert db.session.execute(select(LocalVectorTombstone.id)).scalars().all() == []


def test_a_query_when_nothing_changed_is_one_primary_key_lookup(app, other):
    write(app, "tenant-1", {f"call-{i}": [i, 1, 0] for i in range(50)})
    search(other, "tenant-1", [1, 0, 0])  # loads the namespace
    with other.app_context():
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    search(other, "tenant-1", [1, 0, 0])
    assert len(statements) == 1 and "local_vector_namespaces" in statements[0]

    statements.clear()
    write(app, "tenant-1", {"call-7": [0, 0, 1]})
    assert ids_of(search(other, "tenant-1", [0, 0, 1], 1)) == ["call-7"]
    assert len(statements) == 3  # the version, then the changed rows and the tombstones since
    assert not any("count(" in s.lower() for s in statements)  # no reload of the 50 others


def test_results_match_brute_force_in_every_mode(app, other, monkeypatch):
    """float32 (exact), int8 (within its bound), and a namespace too big to hold (read from the DB)."""
    monkeypatch.setattr(vector_cache, "BLOCK", 32)  # 300 vectors span ten blocks
    monkeypatch.setattr(local_vectors, "LOAD_BYTES", 1)  # and are read in pages of 100
    rng = np.random.default_rng(3)
    spaces = {
        ns: {f"call-{ns}-{i}": rng.standard_normal(16).tolist() for i in range(n)}
        for ns, n in (("tenant-1", 300), ("tenant-2", 120), ("tenant-3", 5))
    }
    for ns, vectors in spaces.items():
        write(app, ns, vectors)
    exact_budget = 4 * 300 * (4 * 16 + ID_BYTES)
    cases = [(exact_budget, 1e-5, "float32"), (exact_budget // 4, int8_bound(16), "int8"), (100, 1e-5, None)]
    for budget, tol, mode in cases:
        cache = store(other).cache
        cache.budget = budget
        for ns, vectors in spaces.items():
            for q in rng.standard_normal((5, 16)):
                assert_top_k(search(other, ns, q, 10), vectors, q, 10, tol=tol)
            if ns == "tenant-1":
                held = cache.get((ns, 16))
                assert (held and ("int8" if held.quantised else "float32")) == mode
        cache.budget = 0
        cache.make_room(0)  # start the next mode from nothing


def test_memory_stays_within_the_budget_least_recently_used_first(app, other):
    rng = np.random.default_rng(5)
    spaces = {ns: {f"c{i}": rng.standard_normal(8).tolist() for i in range(40)} for ns in "abcde"}
    for ns, vectors in spaces.items():
        write(app, ns, vectors)
    cache = store(other).cache
    cache.budget = 4 * 40 * (4 * 8 + ID_BYTES)  # each namespace just within the exact share
    order = ["a", "b", "c", "d", "e", "a", "d"]
    for ns in order:
        q = rng.standard_normal(8)
        assert_top_k(search(other, ns, q, 5), spaces[ns], q, 5)  # an evicted one comes back right
        assert cache.used <= cache.budget
    fit = cache.budget // cache.get(("d", 8)).nbytes
    assert 1 < fit < 5
    recent = list(dict.fromkeys(reversed(order)))[:fit]
    assert cache.keys() == [(ns, 8) for ns in reversed(recent)]


def test_vectors_of_another_length_are_skipped(app, other):
    """An old embedding model's vectors stay in the namespace but never match a new-length query."""
    write(app, "tenant-1", {"call-1": [1, 0, 0], "call-2": [1, 0, 0, 0], "call-3": [0, 1, 0]})
    assert ids_of(search(other, "tenant-1", [1, 0, 0])) == ["call-1", "call-3"]
    assert ids_of(search(other, "tenant-1", [1, 0, 0, 0])) == ["call-2"]
    write(app, "tenant-1", {"call-1": [1, 0, 0, 0]})  # re-embedded with the new model
    assert ids_of(search(other, "tenant-1", [1, 0, 0])) == ["call-3"]
    assert sorted(ids_of(search(other, "tenant-1", [1, 0, 0, 0]))) == ["call-1", "call-2"]


def test_tenant_namespaces_never_mix(app, other):
    write(app, "tenant-1", {"call-1": [1, 0], "call-2": [0, 1]})
    write(app, "tenant-2", {"call-3": [1, 0]})
    for proc in (app, other):
        assert ids_of(search(proc, "tenant-1", [1, 0])) == ["call-1", "call-2"]
        assert ids_of(search(proc, "tenant-2", [1, 0])) == ["call-3"]
    write(other, "tenant-2", {"call-1": [1, 0]})  # the same id in another namespace is another vector
    remove(other, "tenant-2", ["call-1"])
    assert ids_of(search(app, "tenant-1", [1, 0])) == ["call-1", "call-2"]
    assert ids_of(search(app, "tenant-2", [1, 0])) == ["call-3"]


def test_a_namespace_wiped_and_written_again_is_reloaded(app, other):
    """Its version starts again at 1; the new epoch tells the cached copy it is stale."""
    write(app, "tenant-1", {"call-1": [1, 0], "call-2": [0, 1]})
    write(app, "tenant-1", {"call-3": [1, 1]})
    assert len(search(other, "tenant-1", [1, 0])) == 3
    with app.app_context():
        empty_tables()
    assert search(other, "tenant-1", [1, 0]) == []
    write(app, "tenant-1", {"call-4": [1, 0]})
    write(app, "tenant-1", {"call-5": [0, 1]})
    assert ids_of(search(other, "tenant-1", [1, 0])) == ["call-4", "call-5"]


def test_a_namespace_growing_past_the_exact_share_switches_to_int8(app, other, monkeypatch):
    monkeypatch.setattr(vector_cache, "BLOCK", 16)
    rng = np.random.default_rng(9)
    vectors = {f"call-{i}": rng.standard_normal(8).tolist() for i in range(20)}
    write(app, "tenant-1", vectors)
    cache = store(other).cache
    cache.budget = 4 * 30 * (4 * 8 + ID_BYTES)  # up to 30 vectors exact
    search(other, "tenant-1", vectors["call-0"])
    assert not cache.get(("tenant-1", 8)).quantised
    more = {f"call-{i}": rng.standard_normal(8).tolist() for i in range(20, 60)}
    write(app, "tenant-1", more)
    remove(app, "tenant-1", [f"call-{i}" for i in range(0, 60, 3)])  # holes in every block
    live = {k: v for k, v in (vectors | more).items() if int(k.split("-")[1]) % 3}
    q = rng.standard_normal(8)
    assert_top_k(search(other, "tenant-1", q, 10), live, q, 10, tol=int8_bound(8))
    assert cache.get(("tenant-1", 8)).quantised and len(cache.get(("tenant-1", 8))) == 40


def test_one_batch_naming_an_id_twice_keeps_the_last(app):
    with app.app_context():
        records = [VectorRecord(id="call-1", values=[1, 0]), VectorRecord(id="call-1", values=[0, 1])]
        get_providers().vectors.upsert("tenant-1", records)
        assert db.session.execute(select(LocalVector.id)).scalars().all() == ["call-1"]
    assert ids_of(search(app, "tenant-1", [0, 1], 1)) == ["call-1"]
    assert search(app, "tenant-1", [0, 1], 1)[0][1] == pytest.approx(1.0)


LEAK = [("agent", "How can I help?"), ("user", "My kitchen sink is leaking under the sink cabinet.")]
LEAK2 = [("agent", "Hello?"), ("user", "Water is leaking from the kitchen sink pipe.")]
PLAN = [("agent", "Hi!"), ("user", "I want to upgrade my subscription plan to premium.")]


def _call(turns, conversation_id):
    payload = sample_payload(conversation_id=conversation_id, agent_id="agent_7101k2example")
    payload["data"]["transcript"] = [{"role": r, "message": m} for r, m in turns]
    return payload


def test_web_processes_see_what_the_worker_indexed_and_what_another_deleted(
    client, auth, app, other, migrated, redis_url
):
    gen_workspace(auth)
    leak = deliver(client, _call(LEAK, "leak-1")).json["call_id"]
    deliver(client, _call(PLAN, "plan-1"))
    assert worker_burst(migrated, redis_url).returncode == 0
    with app.app_context():
        call = db.session.get(Call, leak)
        vector = np.frombuffer(call.embedding, "<f4").tolist()
        namespace = f"tenant-{call.tenant_id}"
    assert len(search(app, namespace, vector)) == 2  # this web process now holds the namespace

    leak2 = deliver(client, _call(LEAK2, "leak-2")).json["call_id"]
    assert worker_burst(migrated, redis_url).returncode == 0  # indexed by another process
    page = client.get(f"/calls/{leak}/similar", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.findall(r'href="/calls/(\d+)"', page)[0] == str(leak2)
    assert ids_of(search(app, namespace, vector))[:2] == [f"call-{leak}", f"call-{leak2}"]

    other_client = other.test_client()
    AuthActions(other_client).login()
    deleted = AuthActions(other_client).post_form(f"/calls/{leak2}/delete", {}, page=f"/calls/{leak2}")
    assert deleted.status_code == 302
    assert f"call-{leak2}" not in ids_of(search(app, namespace, vector))
