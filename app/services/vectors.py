"""The tenant's vector space: where each call's vector lives, its format, and the nearest calls to a vector.

One namespace per tenant (`tenant-<id>`), one vector per call (`call-<id>`), so an upsert overwrites
and a query never sees another tenant. `Call.embedding` keeps the vector (float32, little-endian) so
indexing can be retried without paying for the embedding again. Reads and writes go through the
store interface (`providers.base.VectorStore`) only.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import lazyload, load_only

from ..extensions import db
from ..models import Call, utcnow
from ..providers import get_providers, local_store
from ..providers.base import VectorMatch, VectorRecord, VectorStore

# The columns the search and similar-calls lists show (others load on access, one query each).
LISTED = (
    Call.conversation_id,
    Call.callback_needed,
    Call.started_at,
    Call.created_at,
    Call.status,
    Call.summary,
    Call.elevenlabs_analysis,  # summary_preview's fallback
)


def namespace_for(tenant_id: int) -> str:
    return f"tenant-{tenant_id}"


def vector_id_for(call_id: int) -> str:
    return f"call-{call_id}"


def call_id_of(vector_id: str) -> int | None:
    """The call a vector id names; None for an id this app did not write."""
    prefix, _, number = vector_id.partition("-")
    return int(number) if prefix == "call" and number.isdigit() else None


def pack(values: list[float]) -> bytes:
    return array("f", values).tobytes()


def unpack(blob: bytes) -> list[float]:
    out = array("f")
    out.frombytes(blob)
    return out.tolist()


def set_embedding(call: Call, vector: list[float], model: str) -> None:
    """Keep a new vector on the call; it must be indexed again."""
    call.embedding = pack(vector)
    call.embedding_model = model
    call.embedding_dims = len(vector)
    call.embedded_at = utcnow()
    call.indexed_at = None


def vector_metadata(call: Call) -> dict:
    """What the index stores beside the vector (None values are dropped by the stores)."""
    return {
        "call_id": call.id,
        "tenant_id": call.tenant_id,
        "agent_id": call.external_agent_id,
        "callback_needed": bool(call.callback_needed),
        "sentiment": call.sentiment,
        "started_at": call.started_at.isoformat() if call.started_at else None,
        "started_ts": int(call.started_at.timestamp()) if call.started_at else None,
    }


def index_calls(calls: list[Call], store: VectorStore) -> None:
    """Upsert the calls' kept vectors, one request per tenant namespace, and mark them indexed
    (the caller commits)."""
    by_namespace: dict[str, list[VectorRecord]] = defaultdict(list)
    for call in calls:
        record = VectorRecord(vector_id_for(call.id), unpack(call.embedding), vector_metadata(call))
        by_namespace[namespace_for(call.tenant_id)].append(record)
    # The local store writes into this database: its rows join the caller's transaction (committed
    # with the calls' state); a store elsewhere commits on its own.
    write = getattr(store, "write", store.upsert)
    for namespace, records in by_namespace.items():
        write(namespace, records)
    for call in calls:
        call.vector_id, call.vector_store, call.indexed_at = vector_id_for(call.id), store.name, utcnow()


def delete_vector(call: Call) -> None:
    """Remove the call's vector from the index. Raises ProviderError if the index refuses."""
    if not call.vector_id:
        return
    namespace, ids = namespace_for(call.tenant_id), [call.vector_id]
    store = get_providers().vectors
    local = store if store.name == "local" else local_store(current_app.config)
    if store is not local and call.vector_store == store.name:
        store.delete(namespace, ids)
    # The local table: where the vector is, or where an earlier VECTOR_STORE=local left a copy.
    local.delete(namespace, ids)


def min_score_of(embedder) -> float:
    """The score below which a match means nothing for this embedder (the offline ones set one,
    measured in bench/quality.py, so that a nonsense query finds nothing); else 0."""
    return float(getattr(embedder, "min_score", 0.0) or 0.0)


def rank_matches(
    matches: list[VectorMatch], min_score: float = 0.0, exclude: str | None = None
) -> dict[int, float]:
    """{call id: score}, best first, of the matches above the bar (`exclude`: a vector id to skip).
    Ids that name no call are dropped, and so is anything with nothing in common (score <= 0)."""
    scores: dict[int, float] = {}
    for match in sorted(matches, key=lambda m: m.score, reverse=True):
        call_id = call_id_of(match.id)
        if call_id is None or match.id == exclude or match.score <= 0 or match.score < min_score:
            continue
        scores.setdefault(call_id, match.score)
    return scores


def nearest_calls(
    tenant_id: int, vector: list[float], limit: int, exclude: int | None = None
) -> list[tuple[Call, float]]:
    """The tenant's calls closest to `vector`, best first, without call `exclude`. Raises ProviderError."""
    providers = get_providers()
    skip = vector_id_for(exclude) if exclude is not None else None
    matches = providers.vectors.query(namespace_for(tenant_id), vector, limit + (1 if skip else 0))
    scores = rank_matches(matches, min_score_of(providers.embedder), exclude=skip)
    if not scores:
        return []
    # Scoped again here: the namespace is per tenant, but a row from another tenant must never show.
    rows = db.session.execute(
        select(Call)
        .options(load_only(*LISTED), lazyload(Call.agent))  # what the lists show: no transcript, no agent
        .where(Call.tenant_id == tenant_id, Call.id.in_(list(scores)))
    )
    found = sorted(((c, scores[c.id]) for c in rows.scalars()), key=lambda pair: pair[1], reverse=True)
    return found[:limit]
