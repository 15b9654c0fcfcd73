"""The local date of a UTC timestamp in SQL, in a workspace's time zone, on both databases.

PostgreSQL converts with `timezone()`. SQLite knows no zones: there the UTC time is shifted by the
zone's offset, a CASE over the offsets in force during the period (they change only at DST
transitions, found here with zoneinfo), so a call at 23:30 UTC is the next day in Berlin on both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant `day` begins in `zone` (a midnight skipped by DST resolves forward)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """[(from_utc, offset_seconds)]: the zone's UTC offset from each instant on, over [start, end)."""

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds())

    found = [(start, offset(start))]
    at = start
    while at < end:
        nxt = min(at + timedelta(days=1), end)
        if offset(nxt) != found[-1][1]:
            low, high = at, nxt  # the change lies in (low, high]: bisect to the second
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                low, high = (mid, high) if offset(mid) == found[-1][1] else (low, mid)
            found.append((high.replace(microsecond=0), offset(high)))
        at = nxt
    return found


def local_date(column, zone: ZoneInfo, start: datetime, end: datetime) -> ColumnElement:
    """ "YYYY-MM-DD" of `column` (a UTC timestamp) in `zone`; exact for values in [start, end)."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(zone.key, column), "YYYY-MM-DD")
    spans = offsets(zone, start, end)
    shifted = [func.date(column, f"{seconds:+d} seconds") for _, seconds in spans]
    if len(spans) == 1:
        return shifted[0]
    return case(*((column < since, shifted[i]) for i, (since, _) in enumerate(spans[1:])), else_=shifted[-1])
