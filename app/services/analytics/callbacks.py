"""Callback aggregates for a scope (callbacks of the scope's calls): rate, outcomes, time to done,
overdue now. One aggregate over the join (FILTER per figure); SQLite reads the median apart. On
PostgreSQL the page takes them with the call durations from one pass (`summary_and_durations`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import Call, Callback
from ...models.callback import OUTCOMES
from .scope import Scope
from .sql import duration_figures, percentiles, postgres, seconds_between


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
    of_scope = [Callback.tenant_id == scope.tenant_id, *scope.calls()]
    joined = select(*_figures(now)).select_from(Callback).join(Call, Call.id == Callback.call_id)
    row = db.session.execute(joined.where(*of_scope)).one()
    if postgres():
        median = row[-1]
    else:
        is_done = and_(Callback.state == "done", Callback.done_at.is_not(None))
        values = select(_waited().label("v")).join(Call, Call.id == Callback.call_id)
        values = values.where(*of_scope, is_done)
        (median,) = percentiles(values.subquery(), (0.5,)) if row[3] else (None,)
    return _summary(row, calls, median)


def summary_and_durations(scope: Scope, calls: int, now: datetime) -> tuple[dict, dict]:
    """PostgreSQL: `summary` and the call durations (count, average, p90) from one pass over the
    period's calls, each joined to its callback if any (at most one a call); aggregates skip NULLs."""
    own = and_(Callback.call_id == Call.id, Callback.tenant_id == scope.tenant_id)
    durations = [func.count(Call.duration_s), func.avg(Call.duration_s)]
    durations.append(func.percentile_cont(0.9).within_group(Call.duration_s))
    stmt = select(*_figures(now), *durations).select_from(Call).outerjoin(Callback, own)
    row = db.session.execute(stmt.where(*scope.calls())).one()
    return _summary(row[:-3], calls, row[-4]), duration_figures(*row[-3:])


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
