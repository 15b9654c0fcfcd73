"""POST /api/webhooks/elevenlabs[/call-ended]: thin; the work is in ingest.py."""

from __future__ import annotations

import logging

from flask import current_app, jsonify, request
from sqlalchemy.exc import DBAPIError

from ..extensions import csrf, db
from . import bp, ingest

log = logging.getLogger("calldesk.webhooks")


@bp.post("/elevenlabs")
@bp.post("/elevenlabs/call-ended")  # registered first: url_for() gives the documented path
@csrf.exempt
def elevenlabs():
    """Answer in milliseconds: 202 accepted, 200 duplicate/ignored, 4xx rejected (recorded), 503 DB down."""
    request.max_content_length = None  # our own limit below, so an oversized delivery is still recorded
    limit = current_app.config["WEBHOOK_MAX_BYTES"]
    body, too_big = ingest.read_body(request.stream, limit)
    event = ingest.new_event(request.path, request.remote_addr, request.headers)
    try:
        reply = ingest.receive(event, body, too_big, request.content_length)
    except DBAPIError as exc:
        db.session.rollback()
        log.error("webhook: database unavailable (%s); asking the sender to retry", exc.__class__.__name__)
        return (
            jsonify(status="error", error="storage temporarily unavailable; retry later"),
            503,
            {"Retry-After": "30"},
        )
    return jsonify(reply.body), reply.status
