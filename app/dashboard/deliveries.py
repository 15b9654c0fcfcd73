"""Webhook deliveries received for this workspace: what ElevenLabs sent and what became of it."""

from __future__ import annotations

import json

from flask import render_template, request

from ..models import OUTCOMES, WebhookEvent
from ..pagination import paginate
from ..tenancy import get_or_404, scoped
from . import bp

PER_PAGE = 50


@bp.get("/deliveries")
def deliveries():
    outcome = request.args.get("outcome", "")
    stmt = scoped(WebhookEvent).order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())
    if outcome in OUTCOMES:
        stmt = stmt.where(WebhookEvent.outcome == outcome)
    page = paginate(stmt, PER_PAGE)
    return render_template("dashboard/deliveries.html", page=page, outcome=outcome, outcomes=OUTCOMES)


@bp.get("/deliveries/<event_id>")
def delivery(event_id):
    event = get_or_404(WebhookEvent, event_id)
    try:
        pretty = json.dumps(json.loads(event.body), indent=2, ensure_ascii=False)
    except ValueError:
        pretty = event.body  # shown as received (it may be why the delivery was rejected)
    return render_template("dashboard/delivery.html", event=event, body=pretty)
