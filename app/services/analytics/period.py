"""The period an analytics page covers: local dates in the workspace's time zone, read from the URL.

Anything a user can type is accepted: a date that does not parse, an end before the start, a year
no calendar of ours needs, a period longer than MAX_DAYS all fall back to a sane period with a
message saying what was done, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..localdates import local_midnight

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Period:
    first: date  # local dates, both included
    last: date
    zone: ZoneInfo
    preset: int | None = None  # 7/30/90 when the period is "the last N days"

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def start(self) -> datetime:
        """The first instant of the period (local midnight of `first`), in UTC."""
        return local_midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The instant after the period (local midnight after `last`), in UTC."""
        return local_midnight(self.last + timedelta(days=1), self.zone)


def last_days(days: int, today: date, zone: ZoneInfo) -> Period:
    return Period(today - timedelta(days=days - 1), today, zone, preset=days)


def _date(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def parse(args, today: date, zone: ZoneInfo) -> tuple[Period, list[str]]:
    """The period asked for by `days=7|30|90` or `from`/`to` (YYYY-MM-DD); the default is the last
    30 days. Returns the period and the messages to show about input that was not used."""
    raw_days, raw_from, raw_to = args.get("days", ""), args.get("from", ""), args.get("to", "")
    if not (raw_from or raw_to):
        if not raw_days:
            return last_days(DEFAULT_DAYS, today, zone), []
        if raw_days.strip() in {str(p) for p in PRESETS}:
            return last_days(int(raw_days), today, zone), []
        return last_days(DEFAULT_DAYS, today, zone), ["Choose 7, 30 or 90 days; showing the last 30 days."]
    first, last = _date(raw_from), _date(raw_to)
    latest = today + timedelta(days=MAX_DAYS)
    if raw_from and first is None or raw_to and last is None:
        return last_days(DEFAULT_DAYS, today, zone), ["Dates are YYYY-MM-DD; showing the last 30 days."]
    first, last = first or (last or today) - timedelta(days=DEFAULT_DAYS - 1), last or today
    if not (EARLIEST <= first <= latest and EARLIEST <= last <= latest):
        return last_days(DEFAULT_DAYS, today, zone), [
            f"Dates from {EARLIEST.isoformat()} to {latest.isoformat()} only; showing the last 30 days."
        ]
    messages = []
    if last < first:
        first, last = last, first
        messages.append("The end came before the start; the dates were swapped.")
    if (last - first).days + 1 > MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
        messages.append(f"At most {MAX_DAYS} days at a time; showing the {MAX_DAYS} days up to {last}.")
    return Period(first, last, zone), messages
