"""Call aggregates for a scope, each one GROUP BY in SQL: per day, sentiment, topics, durations,
failures by step."""

from __future__ import annotations

from sqlalchemy import Text, case, cast, func, select, true

from ...extensions import db
from ...models import Call
from ..localdates import local_date
from .scope import CALL_TIME, Scope
from .sql import percentiles

SENTIMENTS = ("positive", "neutral", "negative")
TOP_TOPICS = 10


def per_day(scope: Scope) -> list[tuple[str, int]]:
    """(YYYY-MM-DD, calls) for every local day of the period, oldest first, zeros included."""
    period = scope.period
    day = local_date(CALL_TIME, period.zone, period.start, period.end).label("day")
    days = select(day).where(*scope.calls()).subquery()
    found = dict(db.session.execute(select(days.c.day, func.count()).group_by(days.c.day)).all())
    return [(d.isoformat(), int(found.get(d.isoformat(), 0))) for d in period.days]


def sentiment_mix(scope: Scope) -> list[tuple[str, int]]:
    """(sentiment, calls) for positive, neutral, negative, then "not analysed" (no sentiment yet)."""
    rows = db.session.execute(
        select(Call.sentiment, func.count()).where(*scope.calls()).group_by(Call.sentiment)
    )
    found = {s if s in SENTIMENTS else None: 0 for s in (*SENTIMENTS, None)}
    for sentiment, n in rows:
        key = sentiment if sentiment in SENTIMENTS else None
        found[key] += int(n)
    return [(s or "not analysed", found[s]) for s in (*SENTIMENTS, None)]


def top_topics(scope: Scope, limit: int = TOP_TOPICS) -> list[tuple[str, int]]:
    """The most frequent topics (calls naming each), most first; ties alphabetical."""
    if db.engine.dialect.name == "postgresql":
        array = case((func.json_typeof(Call.topics) == "array", Call.topics))
        topics = func.json_array_elements_text(array).table_valued("value")
        topic = topics.c.value
    else:  # json_each of a scalar yields the scalar itself: keep arrays' text elements only
        topics = func.json_each(Call.topics).table_valued("value", "type")
        topic = cast(topics.c.value, Text)
    stmt = (
        select(topic.label("topic"), func.count(func.distinct(Call.id)).label("n"))
        .select_from(Call)
        .join(topics, true())
    )
    conditions = scope.calls()
    if db.engine.dialect.name != "postgresql":
        conditions += [func.json_type(Call.topics) == "array", topics.c.type == "text"]
    stmt = (
        stmt.where(*conditions, topic != "")
        .group_by(topic)
        .order_by(func.count(func.distinct(Call.id)).desc(), topic)
    )
    return [(t, int(n)) for t, n in db.session.execute(stmt.limit(limit))]


def durations(scope: Scope) -> dict:
    """Calls with a duration, their average and p90 in seconds (None without any)."""
    values = select(Call.duration_s.label("v")).where(*scope.calls(), Call.duration_s.is_not(None)).subquery()
    count, average = db.session.execute(select(func.count(), func.avg(values.c.v))).one()
    (p90,) = percentiles(values, (0.9,)) if count else (None,)
    return {"count": int(count), "average": float(average) if average is not None else None, "p90": p90}


def failures_by_step(scope: Scope) -> list[tuple[str, int]]:
    """(step, calls) of the period's calls that are failed now, most first."""
    step = func.coalesce(Call.failed_step, "unknown")
    rows = db.session.execute(
        select(step, func.count())
        .where(*scope.calls(), Call.status == "failed")
        .group_by(step)
        .order_by(func.count().desc(), step)
    )
    return [(s, int(n)) for s, n in rows]
