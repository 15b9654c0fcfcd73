"""Analytics of a workspace for a period and agent: every number aggregated in SQL (see calls.py,
callbacks.py; spend comes from services/costs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import costs
from . import callbacks, calls
from .period import PRESETS, Period, parse
from .scope import Scope

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
    per_day = calls.per_day(scope)
    total = sum(n for _, n in per_day)
    period = scope.period
    return Report(
        scope=scope,
        per_day=per_day,
        total_calls=total,
        callbacks=callbacks.summary(scope, total, now),
        sentiment=calls.sentiment_mix(scope),
        topics=calls.top_topics(scope),
        durations=calls.durations(scope),
        failures=calls.failures_by_step(scope),
        spend_by_day=costs.spend_by_local_day(scope.tenant_id, period.zone, period.first, period.last),
        spend_by_month=costs.spend_by_local_month(scope.tenant_id, period.zone, period.first, period.last),
    )
