"""Operations on a call that touch more than the database (the vector index, the queue)."""

from __future__ import annotations

import contextlib

from redis.exceptions import RedisError

from ..extensions import db
from ..models import Call
from .jobs import forget_job, redis_conn
from .vectors import delete_vector


def delete_call(call: Call) -> None:
    """Delete a call and its vector. Raises ProviderError (and keeps the call) if the index refuses."""
    delete_vector(call)
    with contextlib.suppress(RedisError):  # a job left behind finds no call and does nothing
        forget_job(call.id, redis_conn())
    db.session.delete(call)
    db.session.commit()
