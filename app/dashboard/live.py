"""`GET /live`: has this workspace changed since the page was drawn? (see app/web/live.py)"""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_login import current_user

from ..extensions import htmx
from ..web import live
from . import bp


@bp.get("/live")
def live_changes():
    """204 (htmx) or 304 when the page's ETag is current; else the navigation count, with a new ETag."""
    tag = live.etag(current_user.tenant_id)
    if request.if_none_match.contains(tag):
        response = make_response("", 204 if htmx else 304)
    else:
        response = make_response(render_template("_nav_callback_count.html", live_tag=tag))
        sent = next(iter(request.if_none_match.as_set()), "")
        if live.marker_of(sent) != live.marker_of(tag):
            response.headers["HX-Trigger"] = live.CHANGED_EVENT
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
