"""Receive one delivery: read it, check it, store the call, record it, enqueue it. Never loses a delivery.

Order: the head names the agent (so a large body can be verified while it streams), the body is read
within its limit, the signature is checked, then the content. What is kept of the body is decided
once, in receive(): all of an accepted delivery; the first 64 KB of one proven to come from the
workspace that will see it; nothing of audio, nor of anything unproven (bad signature, unknown agent).
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from sqlalchemy import insert, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ..extensions import db
from ..models import Call, WebhookEvent, utcnow
from ..services import callbacks, changes, phones
from ..services.jobs import CallRef, enqueue_call, request_redis
from . import callers, payload, throttle
from .body import Body
from .checks import AUDIO, Delivery, Reply, Sender
from .values import Rejected

log = logging.getLogger("calldesk.webhooks")
KEPT_HEADERS = ("content-type", "content-length", "user-agent", "elevenlabs-signature", "x-forwarded-for")


def new_event(path: str, source_ip: str | None, headers) -> WebhookEvent:
    """The delivery's record, before anything is read: where it came from and the headers that matter."""
    kept = {name: payload.clean(headers.get(name)[:512]) for name in KEPT_HEADERS if headers.get(name)}
    return WebhookEvent(path=path, source_ip=(source_ip or "")[:64] or None, headers=kept)


def unreachable(exc: DBAPIError) -> bool:
    """The database could not be reached (worth a retry), as opposed to refusing a value."""
    return isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated


def receive(event: WebhookEvent, body: Body) -> Reply:
    """Decide the delivery's fate and record it, with what may be kept of its body, in one commit."""
    delivery = Delivery(event, body)
    call_id = None  # the call this delivery stored
    try:
        verdict = delivery.check()
        if isinstance(verdict, Reply):
            reply = verdict
        else:
            reply, call_id = _store_call(event, delivery.sender, verdict)
    except Rejected as rej:
        reply = _reject(event, rej.status, rej.reason)
    except DBAPIError as exc:
        if unreachable(exc):
            raise
        reply = _reject(event, 422, f"could not be stored: the database refused a value ({_name(exc)})")
    if event.outcome == "rejected" and not delivery.trusted:
        wait = throttle.rejected_over_limit(event.source_ip)
        if wait:
            event.reason += " (answered 429: too many rejected deliveries from this address)"
            error = "too many rejected deliveries from this address; retry later"
            reply = Reply(429, {"status": "rejected", "error": error}, {"Retry-After": str(wait)})
    if not delivery.trusted:  # unproven: its headers, size, reason and the agent it named, no content
        event.conversation_id = None
    try:
        _record(event, reply, _kept(event, body, delivery.trusted), body.total)
    except DBAPIError as exc:
        if unreachable(exc):
            raise
        reply = _reject(
            event, 422, f"could not be recorded as received: the database refused a value ({_name(exc)})"
        )
        event.headers, event.agent_id, event.conversation_id = {}, None, None
        _record(event, reply, b"", body.total)
    if event.outcome == "accepted" and event.event_type == callers.INITIATION_FAILURE:
        _notify_missed(event.call_id)  # a missed call is not analysed: its callback is already open
    elif event.outcome == "accepted" and call_id is not None:
        _enqueue(CallRef(call_id, event.tenant_id))
    log.info("webhook %s: %s %s %r", event.id, event.outcome, reply.status, event.reason or "")
    return reply


def _record(event: WebhookEvent, reply: Reply, kept: bytes, size: int) -> None:
    """INSERT the delivery's record (Core: the object stays transient, its id set) and commit."""
    event.body = kept.decode("utf-8", "replace").replace("\x00", "\ufffd")
    event.body_bytes = size
    event.body_truncated = 0 < len(kept) < size
    event.http_status = reply.status
    state = inspect(event).dict  # the attributes set on it; unset columns take their defaults
    values = {c.key: state[c.key] for c in WebhookEvent.__table__.columns if c.key in state and c.key != "id"}
    event.id = db.session.execute(_INSERT_EVENT, values).scalar_one()
    db.session.commit()


def _reject(event: WebhookEvent, status: int, reason: str) -> Reply:
    db.session.rollback()
    event.outcome, event.reason, event.call_id = "rejected", reason, None
    return Reply(status, {"status": "rejected", "error": reason})


def _kept(event: WebhookEvent, body: Body, trusted: bool) -> bytes:
    if not trusted or event.tenant_id is None or event.event_type == AUDIO:
        return b""
    if event.outcome == "accepted":
        return body.data or b""
    return body.head


def _name(exc: DBAPIError) -> str:
    return (exc.orig or exc).__class__.__name__


def _fields(sender: Sender, verdict: payload.CallData | callers.MissedCall) -> dict:
    """The new call's columns; the customer's number normalised with the workspace's region."""
    if isinstance(verdict, callers.MissedCall):
        fields = callers.missed_call(verdict.data, verdict.at or utcnow())
    else:
        fields = {"status": "queued", **payload.call_fields(verdict)}
        fields["caller_number"], fields["caller_name"] = callers.caller(verdict)
    fields["caller_number"] = phones.normalize(fields["caller_number"], sender.region)
    return fields


def _store_call(
    event: WebhookEvent, sender: Sender, verdict: payload.CallData | callers.MissedCall
) -> tuple[Reply, int | None]:
    """One call per conversation id within the workspace (the new call's id, or None for a repeat).

    One statement decides: INSERT ... ON CONFLICT DO NOTHING RETURNING id against the unique
    (tenant_id, conversation_id), as a Core insert (the hot path: no unit of work, no savepoint). A
    repeat, the rare case, then looks the winner up (also when the same conversation arrives twice
    at once: PostgreSQL makes the second insert wait for the first's commit).
    """
    fields = {"tenant_id": sender.tenant_id, "agent_pk": sender.agent_pk, **_fields(sender, verdict)}
    fields["agent_name"] = fields.get("agent_name") or sender.agent_name
    missed = isinstance(verdict, callers.MissedCall)
    if missed:
        fields.update(_missed_fields(fields, verdict))
    elif fields["status"] == "queued":  # taken back by _enqueue if Redis refuses the job
        fields["enqueued_at"] = utcnow()
    stmt = _INSERT_CALL[db.session.get_bind().dialect.name]
    call_id = db.session.execute(stmt, fields).scalar_one_or_none()
    if call_id is None:
        same = (Call.tenant_id == sender.tenant_id) & (Call.conversation_id == fields["conversation_id"])
        existing = db.session.execute(select(Call.id).where(same)).scalar_one_or_none()
        if existing is None:  # the winner's row vanished (deleted) between the two statements
            raise Rejected(409, "conversation is being received by another delivery; retry")
        event.call_id = existing
        event.outcome = "duplicate"
        event.reason = "conversation already received"
        return Reply(200, {"status": "duplicate", "call_id": existing}), None
    changes.touch(sender.tenant_id)  # a Core insert: the ORM hook that notices new calls does not see it
    if missed:
        call = db.session.get(Call, call_id)
        callbacks.open_for_call(call, reason=call.callback_reason, source="missed")
    event.call_id = call_id
    event.outcome = "accepted"
    return Reply(202, {"status": "accepted", "call_id": call_id}), call_id


def _insert_new(dialect: str):
    """INSERT a call unless the workspace has its conversation id already, RETURNING its id (or nothing)."""
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert_(Call.__table__).on_conflict_do_nothing(index_elements=["tenant_id", "conversation_id"])
    return stmt.returning(Call.id)


# Built once per dialect: every delivery runs them (the values come as parameters).
_INSERT_CALL = {name: _insert_new(name) for name in ("postgresql", "sqlite")}
_INSERT_EVENT = insert(WebhookEvent.__table__).returning(WebhookEvent.__table__.c.id)


def _missed_fields(fields: dict, missed: callers.MissedCall) -> dict:
    """A missed call is a callback to the customer: flagged, with its reason as its summary."""
    reason = callbacks.missed_reason(missed.data.failure_reason)
    summary = f"{reason}." if fields.get("caller_number") else f"{reason} (the number was not sent)."
    return {"callback_needed": True, "callback_reason": reason, "summary": summary}


def _notify_missed(call_id: int) -> None:
    callback = callbacks.for_call_id(call_id)
    if callback is not None:
        callbacks.notify_created(callback)


def _enqueue(call: CallRef) -> None:
    """Hand the call to the queue; if Redis is down the call stays queued for the sweeper.

    The call was committed with `enqueued_at` already stamped (one commit per delivery, not two).
    Should this process die before the job exists, the sweeper's lost-job check (queued, stamped, no
    job in Redis) enqueues it at its next pass; if Redis refuses, the stamp is taken back so the
    call reads as never enqueued, as before.
    """
    try:
        enqueue_call(call, request_redis(), fresh=True)
    except RedisError as exc:
        log.warning("call %s stored but not enqueued (%s); the sweeper will enqueue it", call.id, exc)
        db.session.execute(update(Call).where(Call.id == call.id).values(enqueued_at=None))
        db.session.commit()
