"""Workspace time zones: validation and the zone a workspace's times are shown and resolved in."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT = "UTC"


@cache
def all_zones() -> tuple[str, ...]:
    """The zones offered in Settings: the tz database's canonical ones (zone.tab), without old aliases."""
    from .phones import zone_countries

    known = available_timezones()
    listed = [z for z in zone_countries() if z in known]
    return tuple(sorted(listed or (z for z in known if "/" in z and not z.startswith(("Etc/", "US/")))))


def valid(name: str | None) -> bool:
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def clean(name: str | None) -> str:
    """`name` when it is a known zone, else UTC (what signup does with the browser's guess)."""
    name = (name or "").strip()
    return name if valid(name) else DEFAULT


def zone_of(tenant) -> ZoneInfo:
    """The workspace's zone; UTC if the stored name is no longer known to this system."""
    try:
        return ZoneInfo(tenant.timezone or DEFAULT)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT)
