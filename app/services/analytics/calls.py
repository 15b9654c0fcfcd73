"""Call aggregates for a scope, aggregated in SQL: per day, sentiment and failures by step from one
GROUP BY (one pass over the period's index entries), topics, durations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Text, case, cast, func, select, true

from ...extensions import db
from ...models import Call
from ..localdates import local_date
from .scope import CALL_TIME, Scope
from .sql import percentiles, postgres

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
    """The topics most calls name, with how many calls name each; ties alphabetical."""
    if postgres():
        # A set-returning function in the select list: the planner's estimate stays near the real
        # size (as a lateral join it guesses 100 topics a call, and switches JIT on for nothing).
        array = case((func.json_typeof(Call.topics) == "array", Call.topics))
        mentions = select(Call.id.label("id"), func.json_array_elements_text(array).label("topic"))
        mentions = mentions.where(*scope.calls()).subquery()
    else:  # json_each of a scalar yields the scalar itself: only arrays' text elements count
        each = func.json_each(Call.topics).table_valued("value", "type")
        mentions = (
            select(Call.id.label("id"), cast(each.c.value, Text).label("topic"))
            .select_from(Call)
            .join(each, true())
            .where(*scope.calls(), func.json_type(Call.topics) == "array", each.c.type == "text")
            .subquery()
        )
    # A call that names a topic twice counts once.
    pairs = select(mentions.c.id, mentions.c.topic).where(mentions.c.topic != "").distinct().subquery()
    n = func.count().label("n")
    stmt = select(pairs.c.topic, n).group_by(pairs.c.topic).order_by(n.desc(), pairs.c.topic).limit(limit)
    return [(topic, int(count)) for topic, count in db.session.execute(stmt)]


def durations(scope: Scope) -> dict:
    """Calls with a duration, their average and p90 in seconds (None without any)."""
    values = select(Call.duration_s.label("v")).where(*scope.calls(), Call.duration_s.is_not(None)).subquery()
    if postgres():
        p90 = func.percentile_cont(0.9).within_group(values.c.v)
        count, average, p90 = db.session.execute(select(func.count(), func.avg(values.c.v), p90)).one()
    else:
        count, average = db.session.execute(select(func.count(), func.avg(values.c.v))).one()
        (p90,) = percentiles(values, (0.9,)) if count else (None,)
    return {
        "count": int(count),
        "average": float(average) if average is not None else None,
        "p90": float(p90) if p90 is not None else None,
    }
