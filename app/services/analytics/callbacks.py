"""Callback aggregates for a scope (callbacks of the scope's calls): rate, outcomes, time to done,
overdue now. One aggregate over the join (FILTER per figure); SQLite reads the median apart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import Call, Callback
from ...models.callback import OUTCOMES
from .scope import Scope
from .sql import percentiles, postgres, seconds_between


def summary(scope: Scope, calls: int, now: datetime) -> dict:
    """Callbacks opened for the period's calls: how many, the rate per call, open, done by outcome,
    overdue now (open and past due), and the median time from opened to done in seconds."""
    of_scope = [Callback.tenant_id == scope.tenant_id, *scope.calls()]
    is_open, is_done = Callback.state == "open", and_(Callback.state == "done", Callback.done_at.is_not(None))
    waited = seconds_between(Callback.done_at, Callback.created_at)
    figures = [
        func.count(),
        func.count().filter(is_open),
        func.count().filter(and_(is_open, Callback.due_at < now)),
        func.count().filter(is_done),
        *(func.count().filter(and_(Callback.state == "done", Callback.outcome == o)) for o in OUTCOMES),
    ]
    if postgres():
        figures.append(func.percentile_cont(0.5).within_group(waited).filter(is_done))
    joined = select(*figures).select_from(Callback).join(Call, Call.id == Callback.call_id)
    row = db.session.execute(joined.where(*of_scope)).one()
    total, open_, overdue, done = (int(x) for x in row[:4])
    if postgres():
        median = row[-1]
    else:
        values = select(waited.label("v")).join(Call, Call.id == Callback.call_id).where(*of_scope, is_done)
        (median,) = percentiles(values.subquery(), (0.5,)) if done else (None,)
    return {
        "total": total,
        "rate": total / calls if calls else None,
        "open": open_,
        "overdue": overdue,
        "done": total - open_,
        "outcomes": list(zip(OUTCOMES, (int(x) for x in row[4 : 4 + len(OUTCOMES)]), strict=True)),
        "median_to_done_s": float(median) if median is not None else None,
    }
