"""The tenant's vector space: ids and format, and what deleting a call removes from which store."""

from __future__ import annotations

from helpers import csrf_from, deliver, gen_workspace, run_jobs, sample_payload
from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, LocalVector
from app.providers import Providers, get_providers
from app.services.vectors import call_id_of, namespace_for, pack, unpack, vector_id_for


class RecordingStore:
    """Stands in for a remote index (say Pinecone): records what it is asked to delete."""

    name = "pinecone"

    def __init__(self):
        self.deleted: list[tuple[str, list[str]]] = []

    def delete(self, namespace, ids):
        self.deleted.append((namespace, list(ids)))


def _delete(client, call_id):
    token = csrf_from(client.get(f"/calls/{call_id}").get_data(as_text=True))
    return client.post(f"/calls/{call_id}/delete", data={"csrf_token": token})


def _local_vectors() -> int:
    return db.session.execute(select(func.count()).select_from(LocalVector)).scalar_one()


def test_does_deleting_a_call_remove_its_local_vector(client, auth, app):
    gen_workspace(auth)
    keep = deliver(client, sample_payload(conversation_id="keep")).json["call_id"]
    gone = deliver(client, sample_payload(conversation_id="gone")).json["call_id"]
    run_jobs(app)
    assert _local_vectors() == 2

    assert _delete(client, gone).status_code == 302
    ids = set(db.session.execute(select(LocalVector.id)).scalars())
    assert ids == {f"call-{keep}"}
    assert db.session.get(Call, gone) is None


def test_does_deleting_a_call_also_drop_the_copy_an_earlier_local_store_left(client, auth, app):
    """Indexed locally, then moved to another store (reindex): both copies go with the call."""
    gen_workspace(auth)
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    call = db.session.get(Call, call_id)
    namespace = f"tenant-{call.tenant_id}"
    call.vector_store = "pinecone"  # as `flask reindex` leaves it after VECTOR_STORE changed
    db.session.commit()
    remote = RecordingStore()
    real = get_providers()
    app.extensions["calldesk_providers"] = Providers(llm=real.llm, embedder=real.embedder, vectors=remote)

    assert _delete(client, call_id).status_code == 302
    assert remote.deleted == [(namespace, [f"call-{call_id}"])]
    assert _local_vectors() == 0


def test_is_a_vector_in_a_store_no_longer_configured_left_alone(client, auth, app):
    """A call indexed in a store that is not the configured one: nothing is sent to the configured one."""
    gen_workspace(auth)
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    call = db.session.get(Call, call_id)
    call.vector_store = "elsewhere"
    db.session.commit()
    remote = RecordingStore()
    real = get_providers()
    app.extensions["calldesk_providers"] = Providers(llm=real.llm, embedder=real.embedder, vectors=remote)

    assert _delete(client, call_id).status_code == 302
    assert remote.deleted == []
    assert _local_vectors() == 0  # the local table never holds on to a deleted call's vector


def test_do_vector_ids_name_their_call_and_nothing_else():
    assert call_id_of(vector_id_for(42)) == 42
    assert namespace_for(7) == "tenant-7"
    assert [call_id_of(v) for v in ("call-", "call-x1", "callback-3", "doc-3")] == [None] * 4


def test_does_the_kept_embedding_round_trip_as_float32():
    values = [0.5, -1.25, 3.0]
    assert unpack(pack(values)) == values
    assert len(pack(values)) == 4 * len(values)


def test_does_a_local_copy_go_when_the_call_was_last_indexed_elsewhere(client, auth, app):
    """VECTOR_STORE=local again, the call last indexed in Pinecone: its older local copy still goes."""
    gen_workspace(auth)
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    call = db.session.get(Call, call_id)
    call.vector_store = "pinecone"
    db.session.commit()

    assert _delete(client, call_id).status_code == 302
    assert _local_vectors() == 0
    assert db.session.get(Call, call_id) is None
