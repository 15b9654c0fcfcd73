"""Live pages: the ETag a page's poller holds, and the template globals that draw the poller.

Every signed-in page's navigation count asks `GET /live` every LIVE_POLL_SECONDS with the ETag it
was drawn with. The ETag is the workspace's change marker (app/services/changes.py) and the current
minute: an unchanged workspace costs one Redis GET and an empty 204, a changed one sends the count
again and tells the page's live regions to refresh (static/app.js); the minute redraws the count
(how many are overdue moves with the clock) without refreshing the lists.
"""

from __future__ import annotations

import time

from flask import current_app
from flask_login import current_user

from ..services import changes

CHANGED_EVENT = "calldesk:changed"


def etag(tenant_id: int, now: float | None = None) -> str:
    """The unquoted ETag of a workspace's live state: "<marker>.<minute>"."""
    minute = int((time.time() if now is None else now) // 60)
    return f"{changes.version(tenant_id)}.{minute}"


def marker_of(tag: str | None) -> str:
    """The marker part of an ETag ("" for none)."""
    return (tag or "").partition(".")[0]


def register(app) -> None:
    @app.context_processor
    def live_poller():
        if not current_user or not current_user.is_authenticated:
            return {}
        tenant_id = current_user.tenant_id
        return {
            "live_etag": lambda: etag(tenant_id),
            "live_poll_seconds": current_app.config["LIVE_POLL_SECONDS"],
        }
