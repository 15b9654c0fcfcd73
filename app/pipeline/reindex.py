"""Backfill: embed and index many calls in batches (after changing the embedding model or vector store)."""

from __future__ import annotations

import logging

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Call
from ..providers import get_providers
from ..providers import usage as provider_usage
from ..services import costs, vectors
from .steps import embedding_text

log = logging.getLogger("calldesk.reindex")


def stale_calls(everything: bool = False, tenant_id: int | None = None):
    """Processed calls whose vector is missing or was made by another model or store."""
    providers = get_providers()
    stmt = select(Call).where(Call.status == "processed")
    if not everything:
        stmt = stmt.where(
            or_(
                Call.embedding_model.is_(None),
                Call.embedding_model != providers.embedder.model,
                Call.vector_store.is_(None),
                Call.vector_store != providers.vectors.name,
            )
        )
    if tenant_id is not None:
        stmt = stmt.where(Call.tenant_id == tenant_id)
    return stmt.order_by(Call.id)


def reindex(everything: bool = False, tenant_id: int | None = None, batch_size: int = 100) -> int:
    """Embed waiting calls `batch_size` at a time (one embeddings request per batch); returns the count."""
    providers = get_providers()
    done, after_id = 0, 0
    while True:
        stmt = stale_calls(everything, tenant_id).where(Call.id > after_id)
        batch = db.session.execute(stmt.limit(batch_size)).scalars().all()
        if not batch:
            return done
        texts = [embedding_text(c) for c in batch]
        with provider_usage.collect() as used:
            embedded = providers.embedder.embed(texts)
        costs.record_shared(batch, "reindex", used, [len(t) for t in texts])
        for call, vector in zip(batch, embedded, strict=True):
            vectors.set_embedding(call, vector, providers.embedder.model)
        vectors.index_calls(batch, providers.vectors)
        db.session.commit()
        done += len(batch)
        after_id = batch[-1].id
        log.info("reindexed %d calls (last id %d)", done, after_id)
