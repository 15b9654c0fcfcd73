"""Call aggregates for a scope, aggregated in SQL: per day, sentiment and failures by step from one
GROUP BY (one pass over the period's index entries), topics (call_topics), durations (see callbacks.py)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import Call, CallTopic
from ...models.list_indexes import longest
from ..localdates import local_date
from .scope import CALL_TIME, Scope
from .sql import duration_figures

SENTIMENTS = ("positive", "neutral", "negative")
NOT_ANALYSED = "not analysed"
TOP_TOPICS = 10


@dataclass
class Facts:
    per_day: list[tuple[str, int]]  # every local day of the period, oldest first, zeros included
    sentiment: list[tuple[str, int]]  # positive, neutral, negative, then not analysed
    failures: list[tuple[str, int]]  # failed calls by step, most first
    timed: tuple[int, float]  # calls with a duration, and the sum of their durations (s)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.per_day)


def facts(scope: Scope) -> Facts:
    """Calls per local day, by sentiment, failed now by step, and their durations' count and sum: one
    GROUP BY of a few hundred rows."""
    period = scope.period
    day = local_date(CALL_TIME, period.zone, period.start, period.end).label("day")
    failed_step = case((Call.status == "failed", func.coalesce(Call.failed_step, "unknown"))).label("failed")
    columns = (day, Call.sentiment.label("sentiment"), failed_step, Call.duration_s.label("duration"))
    rows = select(*columns).where(*scope.calls()).subquery()
    grouped = db.session.execute(
        select(
            rows.c.day,
            rows.c.sentiment,
            rows.c.failed,
            func.count(),
            func.count(rows.c.duration),
            func.sum(rows.c.duration),
        ).group_by(rows.c.day, rows.c.sentiment, rows.c.failed)
    ).all()
    days, moods, steps = Counter(), Counter(), Counter()
    timed, seconds = 0, 0.0
    for on, sentiment, step, n, with_duration, total in grouped:
        timed, seconds = timed + with_duration, seconds + (total or 0.0)
        days[str(on)] += n
        moods[sentiment if sentiment in SENTIMENTS else NOT_ANALYSED] += n
        if step is not None:
            steps[step] += n
    return Facts(
        per_day=[(d.isoformat(), days[d.isoformat()]) for d in period.days],
        sentiment=[(s, moods[s]) for s in (*SENTIMENTS, NOT_ANALYSED)],
        failures=sorted(steps.items(), key=lambda item: (-item[1], item[0])),
        timed=(timed, seconds),
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


def durations(scope: Scope, timed: tuple[int, float] | None = None) -> dict:
    """Calls with a duration, their average and p90 in seconds (None without any). `timed`: their
    count and sum when known already (`Facts.timed`)."""
    if timed is None:
        with_duration = select(func.count(Call.duration_s), func.sum(Call.duration_s))
        timed = tuple(db.session.execute(with_duration.where(*scope.calls())).one())
    count, total = int(timed[0]), float(timed[1] or 0.0)
    if not count:
        return duration_figures(0, None, None)
    return duration_figures(count, total / count, duration_percentile(scope, count, 0.9))


def duration_percentile(scope: Scope, count: int, fraction: float) -> float:
    """The continuous percentile (as PostgreSQL's percentile_cont) of the scope's `count` durations,
    from the two values either side of its rank: the "longest first" list index is walked from the
    longest call down, skipping calls outside the scope, to the rank: no sort of the period."""
    position = fraction * (count - 1)
    low = math.floor(position)
    high = min(low + 1, count - 1)
    longest_first = (
        select(Call.duration_s)
        .where(*scope.calls(), Call.duration_s.is_not(None))
        .order_by(longest().desc())  # the index's order: for non-NULL durations, duration_s DESC
        .offset(count - 1 - high)
        .limit(high - low + 1)
    )
    values = db.session.execute(longest_first).scalars().all()
    upper, lower = values[0], values[-1]
    return lower + (upper - lower) * (position - low)
