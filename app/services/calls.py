"""Operations on a tenant's calls: counts, retrying the failed ones, deleting one with its vector."""

from __future__ import annotations

import contextlib

from redis.exceptions import RedisError
from sqlalchemy import func, select

from ..extensions import db
from ..models import Call
from .costs import detach_call
from .jobs import RetryResult, forget_job, redis_conn, retry_calls
from .vectors import delete_vector


def _count_by(column, tenant_id: int) -> dict:
    stmt = select(column, func.count()).where(Call.tenant_id == tenant_id).group_by(column)
    return dict(db.session.execute(stmt).all())


def count_by_status(tenant_id: int) -> dict[str, int]:
    return _count_by(Call.status, tenant_id)


def count_by_agent(tenant_id: int) -> dict[int | None, int]:
    """Calls per agent (by Agent.id; None for calls whose agent was removed)."""
    return _count_by(Call.agent_pk, tenant_id)


def retry_failed(tenant_id: int) -> RetryResult:
    """Send every failed call of the tenant back to the queue, oldest first."""
    failed = select(Call).where(Call.tenant_id == tenant_id, Call.status == "failed").order_by(Call.id)
    return retry_calls(db.session.execute(failed).scalars().all())


def delete_call(call: Call) -> None:
    """Delete a call and its vector. Raises ProviderError (and keeps the call) if the index refuses."""
    delete_vector(call)
    with contextlib.suppress(RedisError):  # a job left behind finds no call and does nothing
        forget_job(call.id, redis_conn())
    detach_call(call.id)  # its usage stays: the month's spend counts it
    db.session.delete(call)
    db.session.commit()
