"""The calls list's filters, read from the query string once for the list and its CSV export.

Nothing typed here is an error: an unknown status or sort is ignored, an impossible date is
ignored with a note saying so. Dates are days in the workspace's time zone: `to` includes its day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ..models import STATUSES
from ..services.timezones import zone_of
from ..tenancy import current_tenant, parse_id
from .queries import SORTS

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEARS = (1900, 2200)


@dataclass
class CallFilters:
    q: str = ""
    status: str = ""
    callback: str = ""
    agent: int | None = None
    day_from: date | None = None
    day_to: date | None = None
    sort: str = "newest"
    notes: list[str] = field(default_factory=list)

    @property
    def narrowed(self) -> bool:
        """True when some filter hides calls (the sort does not)."""
        return bool(self.q or self.status or self.callback or self.agent or self.day_from or self.day_to)

    def link_args(self) -> dict:
        """The filters as query-string arguments, for pager and export links (empty ones left out)."""
        args = {
            "q": self.q,
            "status": self.status,
            "callback": self.callback,
            "agent": self.agent,
            "from": self.day_from.isoformat() if self.day_from else None,
            "to": self.day_to.isoformat() if self.day_to else None,
            "sort": self.sort if self.sort != "newest" else None,
        }
        return {k: v for k, v in args.items() if v}

    def query_args(self) -> dict:
        """Keyword arguments for `queries.call_list`: the days as a UTC range [start, end)."""
        zone = zone_of(current_tenant())
        start = end = None
        if self.day_from:
            start = datetime.combine(self.day_from, time(0), zone).astimezone(UTC)
        if self.day_to:
            end = datetime.combine(self.day_to + timedelta(days=1), time(0), zone).astimezone(UTC)
        return {
            "q": self.q,
            "status": self.status,
            "callback": self.callback,
            "agent": self.agent,
            "start": start,
            "end": end,
            "sort": self.sort,
        }


def read_filters(args) -> CallFilters:
    """The filters in `args` (request.args), cleaned."""
    status, callback, sort = args.get("status", ""), args.get("callback", ""), args.get("sort", "")
    filters = CallFilters(
        q=args.get("q", "").strip()[:200],
        status=status if status in STATUSES else "",
        callback=callback if callback in ("yes", "no") else "",
        agent=parse_id(args.get("agent", "")),
        sort=sort if sort in SORTS else "newest",
    )
    filters.day_from = _day(args.get("from", ""), "From", filters.notes)
    filters.day_to = _day(args.get("to", ""), "To", filters.notes)
    if filters.day_from and filters.day_to and filters.day_from > filters.day_to:
        filters.notes.append("The “From” day is after the “To” day, so no call can match.")
    return filters


def _day(raw: str, label: str, notes: list[str]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if _DAY.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None or not _YEARS[0] <= day.year <= _YEARS[1]:
        notes.append(f"“{label}” was ignored: {raw[:40]!r} is not a day written as YYYY-MM-DD.")
        return None
    return day
