"""Callback aggregates for a scope (callbacks of the scope's calls): rate, outcomes, time to done,
overdue now. One aggregate (FILTER per figure) over the callbacks alone: each carries its call's time
and agent, so no join to calls (an index-only range on PostgreSQL). SQLite reads the median apart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import Callback
from ...models.callback import OUTCOMES
from .scope import Scope
from .sql import percentiles, postgres, seconds_between


def _waited():
    return seconds_between(Callback.done_at, Callback.created_at)


def _figures(now: datetime) -> list:
    """Total, open, overdue, done, done by outcome, then (PostgreSQL) the median time to done."""
    is_open, is_done = Callback.state == "open", and_(Callback.state == "done", Callback.done_at.is_not(None))
    figures = [
        func.count(Callback.id),
        func.count().filter(is_open),
        func.count().filter(and_(is_open, Callback.due_at < now)),
        func.count().filter(is_done),
        *(func.count().filter(and_(Callback.state == "done", Callback.outcome == o)) for o in OUTCOMES),
    ]
    if postgres():
        figures.append(func.percentile_cont(0.5).within_group(_waited()).filter(is_done))
    return figures


def summary(scope: Scope, calls: int, now: datetime) -> dict:
    """Callbacks opened for the period's calls: how many, the rate per call, open, done by outcome,
    overdue now (open and past due), and the median time from opened to done in seconds."""
    of_scope = scope.callbacks()
    row = db.session.execute(select(*_figures(now)).where(*of_scope)).one()
    if postgres():
        median = row[-1]
    else:
        is_done = and_(Callback.state == "done", Callback.done_at.is_not(None))
        values = select(_waited().label("v")).where(*of_scope, is_done)
        (median,) = percentiles(values.subquery(), (0.5,)) if row[3] else (None,)
    return _summary(row, calls, median)


def _summary(row, calls: int, median) -> dict:
    total, open_, overdue, done = (int(x) for x in row[:4])
    return {
        "total": total,
        "rate": total / calls if calls else None,
        "open": open_,
        "overdue": overdue,
        "done": total - open_,
        "outcomes": list(zip(OUTCOMES, (int(x) for x in row[4 : 4 + len(OUTCOMES)]), strict=True)),
        "median_to_done_s": float(median) if median is not None else None,
    }
