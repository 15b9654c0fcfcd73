"""POST /api/webhooks/elevenlabs[/call-ended]: thin; the work is in ingest.py."""

from __future__ import annotations

import logging

from flask import jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..extensions import csrf, db
from . import bp, ingest
from .body import Body, input_stream

log = logging.getLogger("calldesk.webhooks")


@bp.post("/elevenlabs")
@bp.post("/elevenlabs/call-ended")  # registered first: url_for() gives the documented path
@csrf.exempt
def elevenlabs():
    """Answer in milliseconds: 202 accepted, 200 duplicate/ignored, 4xx rejected (recorded), 503 DB down."""
    # The delivery's record and call are written once and read back after the commit (outcome,
    # ids, the call to enqueue): keep their columns rather than reload both rows.
    db.session().expire_on_commit = False  # this request's session only (removed at its end)
    event = ingest.new_event(request.path, request.remote_addr, request.headers)
    body = Body(input_stream(request.environ), request.content_length)  # limits: ingest and its checks
    try:
        reply = ingest.receive(event, body)
    except (OperationalError, InterfaceError, PoolTimeout) as exc:
        # Only a database that cannot be reached is worth a retry; a refused value is a recorded 422.
        db.session.rollback()
        log.error("webhook: database unavailable (%s); asking the sender to retry", exc.__class__.__name__)
        return (
            jsonify(status="error", error="storage temporarily unavailable; retry later"),
            503,
            {"Retry-After": "30"},
        )
    return jsonify(reply.body), reply.status, reply.headers
