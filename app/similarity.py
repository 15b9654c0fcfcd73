"""Find similar calls: query the tenant's namespace with the call's own vector."""

from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import Call
from .pipeline.steps import namespace_for, vector_id_for
from .providers import get_providers
from .providers.local_vectors import unpack
from .ranking import call_id_of, min_score_of, rank_matches

__all__ = ["call_id_of", "similar_calls"]


def similar_calls(call: Call, limit: int = 5) -> list[tuple[Call, float]]:
    """The tenant's calls closest to this one, best first. Raises ProviderError if the index fails."""
    if call.embedding is None or call.indexed_at is None:
        return []
    providers = get_providers()
    matches = providers.vectors.query(namespace_for(call.tenant_id), unpack(call.embedding), limit + 1)
    scores = rank_matches(matches, min_score_of(providers.embedder), exclude=vector_id_for(call))
    if not scores:
        return []
    # Scoped again here: the namespace is per tenant, but a row from another tenant must never show.
    rows = db.session.execute(
        select(Call).where(Call.tenant_id == call.tenant_id, Call.id.in_(list(scores)))
    ).scalars()
    found = sorted(((c, scores[c.id]) for c in rows), key=lambda pair: pair[1], reverse=True)
    return found[:limit]
