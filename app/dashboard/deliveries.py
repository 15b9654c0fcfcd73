"""Webhook deliveries received for this workspace: what ElevenLabs sent and what became of it."""

from __future__ import annotations

import contextlib
import json

from flask import render_template, request
from sqlalchemy.orm import load_only

from ..models import AUDIO_EVENT, OUTCOMES, WebhookEvent
from ..pagination import Key, keyset_page
from ..tenancy import get_or_404, scoped
from . import bp

PER_PAGE = 50
LIST_COLUMNS = (
    WebhookEvent.id, WebhookEvent.tenant_id, WebhookEvent.received_at, WebhookEvent.event_type,
    WebhookEvent.conversation_id, WebhookEvent.call_id, WebhookEvent.outcome, WebhookEvent.http_status,
    WebhookEvent.body_bytes, WebhookEvent.reason,
)  # fmt: skip


@bp.get("/deliveries")
def deliveries():
    outcome = request.args.get("outcome", "")
    # The list shows no body or headers: leave them in the table (ix_webhook_events_tenant_received).
    stmt = scoped(WebhookEvent).options(load_only(*LIST_COLUMNS))
    if outcome in OUTCOMES:
        stmt = stmt.where(WebhookEvent.outcome == outcome)
    keys = [Key(WebhookEvent.received_at, True), Key(WebhookEvent.id, True)]
    page = keyset_page(stmt, keys, PER_PAGE)
    return render_template("dashboard/deliveries.html", page=page, outcome=outcome, outcomes=OUTCOMES)


@bp.get("/deliveries/<event_id>")
def delivery(event_id):
    event = get_or_404(WebhookEvent, event_id)
    return render_template(
        "dashboard/delivery.html", event=event, body=_readable(event.body), not_kept=_why_not_kept(event)
    )


def _readable(body: str) -> str:
    """The body pretty-printed when it is JSON, else as received (it may be why it was rejected)."""
    with contextlib.suppress(ValueError):
        body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    # A "\ud800" escape decodes to a lone surrogate, which no page can be encoded with: show the escape.
    return body.encode("utf-8", "backslashreplace").decode("utf-8")


def _why_not_kept(event: WebhookEvent) -> str | None:
    if event.body or not event.body_bytes:
        return None
    if event.event_type == AUDIO_EVENT and event.outcome == "ignored":
        return "audio deliveries are recorded without their audio."
    if event.signature_valid is not True:
        return "its signature was not verified, so it may not come from your ElevenLabs workspace."
    return "only deliveries proven to come from your workspace keep their body."
