"""Times on pages: every template shows a datetime through these filters, in the workspace's zone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from flask import g
from flask_login import current_user
from markupsafe import Markup

from ..models import utcnow
from ..services.phones import display as phone_display
from ..services.timezones import zone_of

FORMAT = "%Y-%m-%d %H:%M"


def page_zone() -> tzinfo:
    """The signed-in user's workspace zone (UTC for visitors), looked up once per request."""
    if "page_zone" not in g:
        user = current_user
        g.page_zone = zone_of(user.tenant) if user and user.is_authenticated else ZoneInfo("UTC")
    return g.page_zone


def local(dt: datetime, zone: tzinfo | None = None) -> datetime:
    aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return aware.astimezone(zone or page_zone())


def zone_label(dt: datetime, zone: tzinfo | None = None) -> str:
    """The zone's abbreviation at that moment (GMT/BST, EST/EDT, IST), or its offset when it has none."""
    moment = local(dt, zone)
    abbr = moment.tzname() or ""
    if not abbr or abbr[0] in "+-":  # zones without a letter abbreviation: say the offset
        offset = moment.strftime("%z")
        abbr = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("+0000", "") else "UTC"
    return abbr


def absolute(dt: datetime | None, fmt: str = FORMAT, zone: tzinfo | None = None) -> str:
    """Plain text: "2026-11-29 09:00 GMT"."""
    if dt is None:
        return "—"
    return f"{local(dt, zone).strftime(fmt)} {zone_label(dt, zone)}"


def localtime(dt: datetime | None, fmt: str = FORMAT) -> Markup:
    """A <time> element in the page's zone, named; its title names the zone in full."""
    if dt is None:
        return Markup("—")
    iso = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso, getattr(page_zone(), "key", "UTC"), absolute(dt, fmt)
    )


def _amount(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h"
    return f"{hours // 24} d"


def relative(due: datetime, now: datetime | None = None) -> str:
    """ "in 2 h", "overdue 1 d", or "due now" within a minute either way."""
    now = now or utcnow()
    seconds = (due - now).total_seconds()
    if abs(seconds) < 60:
        return "due now"
    return f"in {_amount(seconds)}" if seconds > 0 else f"overdue {_amount(-seconds)}"


def due(dt: datetime | None) -> Markup:
    """Relative due text, the absolute time in its tooltip."""
    if dt is None:
        return Markup("—")
    text = relative(dt)
    css = "due overdue" if text.startswith("overdue") else "due"
    return Markup('<time class="{}" datetime="{}" title="{}">{}</time>').format(
        css, dt.astimezone(UTC).isoformat(), absolute(dt), text
    )


def span(seconds: float | None) -> str:
    """A time span the way people say it: "45 s", "12 min", "3 h 20 min", "2 d 4 h"."""
    if seconds is None:
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def register(app) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(due, "due")
    app.add_template_filter(span, "span")
    app.add_template_filter(phone_display, "phone")
    app.add_template_global(lambda: getattr(page_zone(), "key", "UTC"), "page_zone_name")
