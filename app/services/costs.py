"""What paid provider requests cost: recording usage per call and step, prices, and spend over time.

Tokens come from the API's `usage` (reported by the providers, app/providers/usage.py); the cost is
an estimate from the price table (OPENAI_PRICES, dollars per million tokens) in millionths of a
dollar. Offline providers report nothing: their calls cost 0 and have no rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import ProviderUsage, utcnow
from ..providers import usage as provider_usage
from .localdates import local_date, local_midnight


def now() -> datetime:
    """The clock every spend window and usage row goes by (tests set it)."""
    return utcnow()


def price_for(model: str) -> tuple[float, float] | None:
    """(input, output) dollars per million tokens: the model's own price, else that of its longest
    listed prefix (a dated snapshot such as gpt-4o-mini-2024-07-18); None if unknown."""
    prices = current_app.config["OPENAI_PRICES"]
    if model in prices:
        return prices[model]
    prefixes = [name for name in prices if model.startswith(name)]
    return prices[max(prefixes, key=len)] if prefixes else None


def cost_micros(model: str, input_tokens: int, output_tokens: int) -> int | None:
    """Estimated cost in millionths of a dollar (tokens x $/1M tokens); None without a price."""
    price = price_for(model)
    if price is None:
        return None
    return round(input_tokens * price[0] + output_tokens * price[1])


def record(tenant_id: int, call_id: int | None, step: str, used: list[provider_usage.Usage]) -> None:
    """Add one row per request to the session (the caller commits)."""
    at = now()
    for entry in used:
        db.session.add(
            ProviderUsage(
                tenant_id=tenant_id,
                call_id=call_id,
                step=step,
                operation=entry.operation,
                provider=entry.provider,
                model=entry.model[:64],
                input_tokens=entry.input_tokens,
                output_tokens=entry.output_tokens,
                cost_micros=cost_micros(entry.model, entry.input_tokens, entry.output_tokens),
                created_at=at,
            )
        )


def record_shared(calls: list, step: str, used: list[provider_usage.Usage], weights: list[float]) -> None:
    """Record batched requests (several calls' texts in one request) shared out over those calls by
    weight, e.g. each text's length: every call of the batch gets its part, the total is exact."""
    for entry in used:
        for call, part in zip(calls, provider_usage.split(entry, weights), strict=True):
            if part.input_tokens or part.output_tokens:
                record(call.tenant_id, call.id, step, [part])


@contextmanager
def metered(tenant_id: int, call_id: int | None, step: str, *, commit: bool = False) -> Iterator[None]:
    """Record the usage providers report inside the block for this call and step.

    On success the rows join the session (committed with the step's result, or at once with
    `commit` when there are any). On an error the tokens were still paid for: the session is rolled
    back (the step failed anyway) and the rows are committed on their own before the error goes on.
    """
    with provider_usage.collect() as used:
        try:
            yield
        except BaseException:
            if used:
                db.session.rollback()
                record(tenant_id, call_id, step, used)
                db.session.commit()
            raise
        record(tenant_id, call_id, step, used)
        if commit and used:  # nothing reported (offline providers): nothing to write
            db.session.commit()


@dataclass
class StepCost:
    step: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_micros: int | None  # None: some request had no price


@dataclass
class CallCost:
    steps: list[StepCost] = field(default_factory=list)

    @property
    def llm_tokens(self) -> int:
        """Tokens of the call's analysis (input + output), 0 for the offline analyser."""
        return sum(s.input_tokens + s.output_tokens for s in self.steps if s.step == "analyse")

    @property
    def tokens(self) -> int:
        return sum(s.input_tokens + s.output_tokens for s in self.steps)

    @property
    def cost_micros(self) -> int:
        return sum(s.cost_micros or 0 for s in self.steps)

    @property
    def fully_priced(self) -> bool:
        return all(s.cost_micros is not None for s in self.steps)


def call_cost(call_id: int) -> CallCost:
    """Tokens and cost of one call, per step and model, in pipeline order."""
    priced = func.count(ProviderUsage.cost_micros)  # counts non-NULL costs only
    rows = db.session.execute(
        select(
            ProviderUsage.step,
            ProviderUsage.model,
            func.sum(ProviderUsage.input_tokens),
            func.sum(ProviderUsage.output_tokens),
            func.sum(ProviderUsage.cost_micros),
            priced,
            func.count(),
            func.min(ProviderUsage.id),
        )
        .where(ProviderUsage.call_id == call_id)
        .group_by(ProviderUsage.step, ProviderUsage.model)
        .order_by(func.min(ProviderUsage.id))
    ).all()
    return CallCost(
        [
            StepCost(step, model, int(i or 0), int(o or 0), int(c or 0) if n_priced == n else None)
            for step, model, i, o, c, n_priced, n, _ in rows
        ]
    )


def spend_between(tenant_id: int, start: datetime, end: datetime) -> int:
    """The workspace's estimated spend in [start, end), millionths of a dollar."""
    total = db.session.execute(
        select(func.coalesce(func.sum(ProviderUsage.cost_micros), 0)).where(
            ProviderUsage.tenant_id == tenant_id,
            ProviderUsage.created_at >= start,
            ProviderUsage.created_at < end,
        )
    ).scalar_one()
    return int(total)


def month_start(moment: datetime) -> datetime:
    """Midnight UTC on the first day of the month `moment` falls in."""
    moment = moment.astimezone(UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(moment: datetime) -> datetime:
    start = month_start(moment)
    return (start + timedelta(days=32)).replace(day=1)


def _bucket(column, length: int):
    """The UTC date of `column` as text, cut to "YYYY-MM-DD" (10) or "YYYY-MM" (7), per dialect."""
    if db.engine.dialect.name == "postgresql":
        return func.substr(func.to_char(func.timezone("UTC", column), "YYYY-MM-DD"), 1, length)
    return func.substr(func.strftime("%Y-%m-%d", column), 1, length)  # SQLite keeps UTC text


@dataclass
class Spend:
    period: str  # "YYYY-MM-DD" for a day, "YYYY-MM" for a month
    tokens: int = 0
    cost_micros: int = 0
    requests: int = 0


def _spend_by(tenant_id: int, bucket, periods: list[str], start: datetime, end: datetime | None = None):
    """Spend grouped by `bucket` (a period key of created_at), one Spend per key of `periods`."""
    window = [ProviderUsage.created_at >= start] + ([ProviderUsage.created_at < end] if end else [])
    rows = db.session.execute(
        select(
            bucket,
            func.sum(ProviderUsage.input_tokens + ProviderUsage.output_tokens),
            func.coalesce(func.sum(ProviderUsage.cost_micros), 0),
            func.count(),
        )
        .where(ProviderUsage.tenant_id == tenant_id, *window)
        .group_by(bucket)
    ).all()
    found = {str(key): Spend(str(key), int(t or 0), int(c or 0), int(n)) for key, t, c, n in rows}
    return [found.get(key, Spend(key)) for key in periods]


def spend_by_day(tenant_id: int, days: int = 30, today: date | None = None) -> list[Spend]:
    """Tokens, requests and estimated cost per UTC day, the last `days` days (oldest first, every
    day present)."""
    today = today or now().astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    periods = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    bucket = _bucket(ProviderUsage.created_at, 10)
    return _spend_by(tenant_id, bucket, periods, datetime(first.year, first.month, first.day, tzinfo=UTC))


def spend_by_month(tenant_id: int, months: int = 12, today: date | None = None) -> list[Spend]:
    """Tokens, requests and estimated cost per UTC month, the last `months` months (oldest first)."""
    today = today or now().astimezone(UTC).date()
    year, month = today.year, today.month
    keys = []
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    first_year, first_month = int(keys[0][:4]), int(keys[0][5:])
    bucket = _bucket(ProviderUsage.created_at, 7)
    return _spend_by(tenant_id, bucket, keys, datetime(first_year, first_month, 1, tzinfo=UTC))


def spend_by_local_day_and_month(
    tenant_id: int, zone: ZoneInfo, first: date, last: date
) -> tuple[list[Spend], list[Spend]]:
    """Spend per day of the workspace's time zone from `first` to `last`, and per whole month for the
    months those days touch (every day and month present, oldest first), from one GROUP BY."""
    month_one = first.replace(day=1)
    after = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    start, end = local_midnight(month_one, zone), local_midnight(after, zone)
    every_day = [(month_one + timedelta(days=i)).isoformat() for i in range((after - month_one).days)]
    days = _spend_by(tenant_id, local_date(ProviderUsage.created_at, zone, start, end), every_day, start, end)
    months: dict[str, Spend] = {}
    for day in days:
        month = months.setdefault(day.period[:7], Spend(day.period[:7]))
        month.tokens, month.cost_micros = month.tokens + day.tokens, month.cost_micros + day.cost_micros
        month.requests += day.requests
    return [d for d in days if first.isoformat() <= d.period <= last.isoformat()], list(months.values())


def detach_call(call_id: int) -> None:
    """Keep a deleted call's usage (the money was spent) without pointing at a call id SQLite may
    hand out again."""
    db.session.execute(
        ProviderUsage.__table__.update().where(ProviderUsage.call_id == call_id).values(call_id=None)
    )
