"""SQL pieces both databases need for analytics: durations between timestamps, and percentiles.

PostgreSQL has `percentile_cont`; SQLite does not, so there a percentile is read from the ordered
values with a window function (the two rows either side of its position, interpolated alike).
"""

from __future__ import annotations

import math

from sqlalchemy import Float, Integer, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ...extensions import db


def postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def seconds_between(later, earlier) -> ColumnElement:
    """`later - earlier` in seconds, as a float."""
    if postgres():
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def percentiles(values, fractions: tuple[float, ...]) -> list[float | None]:
    """The continuous percentiles (as PostgreSQL's percentile_cont) of the non-NULL column `v` of the
    subquery `values`; None for each when it has no rows."""
    if postgres():
        row = db.session.execute(
            select(*(func.percentile_cont(f).within_group(values.c.v) for f in fractions))
        ).one()
        return [float(x) if x is not None else None for x in row]
    ranked = (
        select(
            cast(values.c.v, Float).label("v"),
            (func.row_number().over(order_by=values.c.v) - 1).label("i"),
            func.count().over().label("n"),
        )
        .where(values.c.v.is_not(None))
        .subquery()
    )
    # Only the rows either side of each percentile's position: two per fraction at most.
    floors = [cast(f * (ranked.c.n - 1), Integer) for f in fractions]
    near = or_(*(ranked.c.i.between(low, low + 1) for low in floors))
    rows = db.session.execute(select(ranked.c.i, ranked.c.v, ranked.c.n).where(near)).all()
    if not rows:
        return [None for _ in fractions]
    n = rows[0].n
    at = {r.i: r.v for r in rows}
    result = []
    for f in fractions:
        pos = f * (n - 1)
        low = math.floor(pos)
        high = min(low + 1, n - 1)
        result.append(at[low] + (at[high] - at[low]) * (pos - low))
    return result


def duration_figures(count, average, p90) -> dict:
    """Calls with a duration, their average and p90 in seconds (None without any)."""
    return {
        "count": int(count),
        "average": float(average) if average is not None else None,
        "p90": float(p90) if p90 is not None else None,
    }
