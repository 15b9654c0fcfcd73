"""Operations on a call that touch more than the database (the vector index, the queue)."""

from __future__ import annotations

import contextlib

from redis.exceptions import RedisError

from ..extensions import db
from ..models import Call, LocalVector
from ..pipeline.steps import namespace_for
from ..providers import get_providers
from .jobs import forget_job, redis_conn


def delete_call(call: Call) -> None:
    """Delete a call and its vector. Raises ProviderError (and keeps the call) if the index refuses."""
    if call.vector_id:
        providers = get_providers()
        if call.vector_store == providers.vectors.name:
            providers.vectors.delete(namespace_for(call.tenant_id), [call.vector_id])
        # A vector left in the local table by an earlier configuration goes too.
        db.session.query(LocalVector).filter_by(
            namespace=namespace_for(call.tenant_id), id=call.vector_id
        ).delete()
    with contextlib.suppress(RedisError):  # a job left behind finds no call and does nothing
        forget_job(call.id, redis_conn())
    db.session.delete(call)
    db.session.commit()
