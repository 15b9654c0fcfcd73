"""Analytics of a workspace for a period and agent: every number aggregated in SQL (see calls.py,
callbacks.py; spend comes from services/costs.py), each from one index range, no joins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from ...extensions import db
from .. import costs
from . import callbacks, calls
from .period import PRESETS, Period, parse
from .scope import Scope
from .sql import postgres

__all__ = ["PRESETS", "Period", "Report", "Scope", "parse", "report"]


@dataclass
class Report:
    scope: Scope
    per_day: list[tuple[str, int]]
    total_calls: int
    callbacks: dict
    sentiment: list[tuple[str, int]]
    topics: list[tuple[str, int]]
    durations: dict
    failures: list[tuple[str, int]]
    spend_by_day: list[costs.Spend]
    spend_by_month: list[costs.Spend]

    @property
    def empty(self) -> bool:
        return self.total_calls == 0


def report(scope: Scope, now: datetime) -> Report:
    """Every number the analytics page shows, for one scope."""
    if postgres():
        # Short aggregations over index entries: JIT compiling them costs more than it saves.
        db.session.execute(text("SET LOCAL jit = off"))
    found = calls.facts(scope)
    summary = callbacks.summary(scope, found.total, now)
    durations = calls.durations(scope, found.timed)
    period = scope.period
    by_day, by_month = costs.spend_by_local_day_and_month(
        scope.tenant_id, period.zone, period.first, period.last
    )
    return Report(
        scope=scope,
        per_day=found.per_day,
        total_calls=found.total,
        callbacks=summary,
        sentiment=found.sentiment,
        topics=calls.top_topics(scope),
        durations=durations,
        failures=found.failures,
        spend_by_day=by_day,
        spend_by_month=by_month,
    )
