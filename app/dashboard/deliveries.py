"""Webhook deliveries received for this workspace: what ElevenLabs sent and what became of it."""

from __future__ import annotations

import contextlib
import json

from flask import render_template, request

from ..models import AUDIO_EVENT, OUTCOMES, WebhookEvent
from ..pagination import keyset_page
from ..tenancy import get_or_404
from . import bp
from .queries import delivery_list

PER_PAGE = 50


@bp.get("/deliveries")
def deliveries():
    outcome = request.args.get("outcome", "")
    page = keyset_page(*delivery_list(outcome if outcome in OUTCOMES else None), PER_PAGE)
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
