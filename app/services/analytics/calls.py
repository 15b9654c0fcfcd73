"""Call aggregates for a scope, aggregated in SQL: per day, sentiment and failures by step from one
GROUP BY (one pass over the period's index entries), topics (call_topics), durations (see callbacks.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import Call, CallTopic
from ..localdates import local_date
from .scope import CALL_TIME, Scope
from .sql import duration_figures, percentiles

SENTIMENTS = ("positive", "neutral", "negative")
NOT_ANALYSED = "not analysed"
TOP_TOPICS = 10


@dataclass
class Facts:
    per_day: list[tuple[str, int]]  # every local day of the period, oldest first, zeros included
    sentiment: list[tuple[str, int]]  # positive, neutral, negative, then not analysed
    failures: list[tuple[str, int]]  # failed calls by step, most first

    @property
    def total(self) -> int:
        return sum(n for _, n in self.per_day)


def facts(scope: Scope) -> Facts:
    """Calls per local day, by sentiment, and failed now by step: one GROUP BY of a few dozen rows."""
    period = scope.period
    day = local_date(CALL_TIME, period.zone, period.start, period.end).label("day")
    failed_step = case((Call.status == "failed", func.coalesce(Call.failed_step, "unknown"))).label("failed")
    rows = select(day, Call.sentiment.label("sentiment"), failed_step).where(*scope.calls()).subquery()
    grouped = db.session.execute(
        select(rows.c.day, rows.c.sentiment, rows.c.failed, func.count()).group_by(
            rows.c.day, rows.c.sentiment, rows.c.failed
        )
    ).all()
    days, moods, steps = Counter(), Counter(), Counter()
    for on, sentiment, step, n in grouped:
        days[str(on)] += n
        moods[sentiment if sentiment in SENTIMENTS else NOT_ANALYSED] += n
        if step is not None:
            steps[step] += n
    return Facts(
        per_day=[(d.isoformat(), days[d.isoformat()]) for d in period.days],
        sentiment=[(s, moods[s]) for s in (*SENTIMENTS, NOT_ANALYSED)],
        failures=sorted(steps.items(), key=lambda item: (-item[1], item[0])),
    )


def top_topics(scope: Scope, limit: int = TOP_TOPICS) -> list[tuple[str, int]]:
    """The topics most calls name, with how many calls name each; ties alphabetical. From
    call_topics (one row per call and topic): an index range and a GROUP BY, no JSON read."""
    n = func.count().label("n")
    stmt = (
        select(CallTopic.topic, n)
        .where(*scope.topics())
        .group_by(CallTopic.topic)
        .order_by(n.desc(), CallTopic.topic)
        .limit(limit)
    )
    return [(topic, int(count)) for topic, count in db.session.execute(stmt)]


def durations(scope: Scope) -> dict:
    """Calls with a duration, their average and p90 in seconds (None without any)."""
    values = select(Call.duration_s.label("v")).where(*scope.calls(), Call.duration_s.is_not(None)).subquery()
    count, average = db.session.execute(select(func.count(), func.avg(values.c.v))).one()
    (p90,) = percentiles(values, (0.9,)) if count else (None,)
    return duration_figures(count, average, p90)
