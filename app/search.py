"""Search by meaning: embed the question, query the tenant's namespace, load the calls it points at."""

from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import Call
from .pipeline.steps import namespace_for
from .providers import get_providers
from .ranking import min_score_of, rank_matches

MAX_QUERY = 500


def search_calls(tenant_id: int, query: str, limit: int = 20) -> list[tuple[Call, float]]:
    """The tenant's calls closest in meaning to `query`, best first. Raises ProviderError."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    providers = get_providers()
    [vector] = providers.embedder.embed([query])
    if not any(vector):
        return []  # nothing the embedder could read (offline: no known words)
    matches = providers.vectors.query(namespace_for(tenant_id), vector, limit)
    scores = rank_matches(matches, min_score_of(providers.embedder))
    if not scores:
        return []
    rows = db.session.execute(
        select(Call).where(Call.tenant_id == tenant_id, Call.id.in_(list(scores)))
    ).scalars()
    return sorted(((c, scores[c.id]) for c in rows), key=lambda pair: pair[1], reverse=True)
