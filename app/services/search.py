"""Search by meaning and similar calls: both are the tenant's nearest calls to a vector."""

from __future__ import annotations

from ..models import Call
from ..providers import get_providers
from .costs import metered
from .vectors import nearest_calls, unpack

MAX_QUERY = 500


def search_calls(tenant_id: int, query: str, limit: int = 20) -> list[tuple[Call, float]]:
    """The tenant's calls closest in meaning to `query`, best first. Raises ProviderError."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    with metered(tenant_id, None, "search", commit=True):  # the query's embedding is paid for too
        [vector] = get_providers().embedder.embed([query])
    if not any(vector):
        return []  # nothing the embedder could read (offline: no known words)
    return nearest_calls(tenant_id, vector, limit)


def similar_calls(call: Call, limit: int = 5) -> list[tuple[Call, float]]:
    """The tenant's calls closest to this one, best first. Raises ProviderError if the index fails."""
    if call.embedding is None or call.indexed_at is None:
        return []
    return nearest_calls(call.tenant_id, unpack(call.embedding), limit, exclude=call.id)
