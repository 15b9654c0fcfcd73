"""Rows made straight in the database for list tests: many calls, callbacks and deliveries at once."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Agent, Call, Callback, Tenant, WebhookEvent

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_numbers = itertools.count()


def workspace_rows() -> tuple[Tenant, Agent]:
    tenant = db.session.execute(select(Tenant).order_by(Tenant.id)).scalars().first()
    agent = db.session.execute(select(Agent).where(Agent.tenant_id == tenant.id)).scalars().first()
    return tenant, agent


def gen_calls(n: int, *, same_minute_every: int = 3, **fields) -> list[int]:
    """n calls, one a minute back from T0, every `same_minute_every` sharing its neighbour's minute
    (ties on the sort key are what keyset pagination gets wrong first)."""
    tenant, agent = workspace_rows()
    calls = [
        Call(
            **{
                "tenant_id": tenant.id,
                "agent_pk": agent.id,
                "external_agent_id": agent.agent_id,
                "conversation_id": f"conv_list_{next(_numbers):05d}",
                "started_at": T0 - timedelta(minutes=i - (i % same_minute_every == 1)),
                "duration_s": float(i % 7 * 30) if i % 5 else None,
                "status": "processed",
                **fields,
            }
        )
        for i in range(n)
    ]
    db.session.add_all(calls)
    db.session.commit()
    return [c.id for c in calls]


def gen_callbacks(n: int) -> list[int]:
    """n open callbacks, one per new call; every third is urgent, due times repeat in pairs."""
    tenant, _ = workspace_rows()
    call_ids = gen_calls(n)
    callbacks = [
        Callback(
            tenant_id=tenant.id,
            call_id=call_id,
            due_at=T0 + timedelta(hours=i // 2),
            priority="urgent" if i % 3 == 0 else "normal",
            reason=f"reason {i}",
        )
        for i, call_id in enumerate(call_ids)
    ]
    db.session.add_all(callbacks)
    db.session.commit()
    return [c.id for c in callbacks]


def gen_deliveries(n: int, outcome: str = "accepted") -> list[int]:
    tenant, _ = workspace_rows()
    events = [
        WebhookEvent(
            tenant_id=tenant.id,
            path="/api/webhooks/elevenlabs",
            headers={},
            outcome=outcome,
            http_status=200,
            received_at=T0 - timedelta(seconds=i // 2),
        )
        for i in range(n)
    ]
    db.session.add_all(events)
    db.session.commit()
    return [e.id for e in events]
