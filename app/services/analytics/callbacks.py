"""Callback aggregates for a scope (callbacks of the scope's calls): rate, outcomes, time to done,
overdue now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import Call, Callback
from ...models.callback import OUTCOMES
from .scope import Scope
from .sql import percentiles, seconds_between


def summary(scope: Scope, calls: int, now: datetime) -> dict:
    """Callbacks opened for the period's calls: how many, the rate per call, open, done by outcome,
    overdue now (open and past due), and the median time from opened to done in seconds."""
    of_scope = [Callback.tenant_id == scope.tenant_id, *scope.calls()]
    rows = db.session.execute(
        select(
            Callback.state,
            Callback.outcome,
            func.count(),
            func.count(case((Callback.due_at < now, 1))),
        )
        .join(Call, Call.id == Callback.call_id)
        .where(*of_scope)
        .group_by(Callback.state, Callback.outcome)
    ).all()
    outcomes = dict.fromkeys(OUTCOMES, 0)
    total = open_ = overdue = 0
    for state, outcome, n, past_due in rows:
        total += n
        if state == "open":
            open_ += n
            overdue += past_due
        elif outcome in outcomes:
            outcomes[outcome] += n
    waited = (
        select(seconds_between(Callback.done_at, Callback.created_at).label("v"))
        .join(Call, Call.id == Callback.call_id)
        .where(*of_scope, Callback.state == "done", Callback.done_at.is_not(None))
        .subquery()
    )
    done = total - open_
    (median,) = percentiles(waited, (0.5,)) if done else (None,)
    return {
        "total": total,
        "rate": total / calls if calls else None,
        "open": open_,
        "overdue": overdue,
        "done": done,
        "outcomes": list(outcomes.items()),
        "median_to_done_s": median,
    }
