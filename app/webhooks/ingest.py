"""Receive one delivery: record it, check it, store the call, enqueue it. Never loses a delivery."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from flask import current_app
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import secrets_box
from ..extensions import db
from ..models import Agent, Call, Tenant, WebhookEvent, utcnow
from ..services.jobs import enqueue_call, request_redis
from . import payload
from .signature import SignatureError, verify

log = logging.getLogger("calldesk.webhooks")
KEPT_HEADERS = ("content-type", "content-length", "user-agent", "elevenlabs-signature", "x-forwarded-for")


@dataclass
class Reply:
    status: int
    body: dict


class Rejected(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def new_event(path: str, source_ip: str | None, headers) -> WebhookEvent:
    kept = {name: headers.get(name)[:512] for name in KEPT_HEADERS if headers.get(name)}
    return WebhookEvent(path=path, source_ip=source_ip, headers=kept)


def read_body(stream, limit: int) -> tuple[bytes, bool]:
    """Read at most limit+1 bytes: enough to know the body is too large without holding it all."""
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(min(65536, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    body = b"".join(chunks)
    return body, len(body) > limit


def _keep_body(event: WebhookEvent, body: bytes, *, full: bool) -> None:
    cap = None if full else current_app.config["WEBHOOK_REJECTED_BODY_BYTES"]
    kept = body if cap is None else body[:cap]
    event.body = kept.decode("utf-8", "replace").replace("\x00", "\ufffd")
    event.body_truncated = len(kept) < len(body)


def receive(event: WebhookEvent, body: bytes, too_big: bool, declared_length: int | None) -> Reply:
    """Decide the delivery's fate and record it in the same transaction as its Call."""
    event.body_bytes = max(len(body), declared_length or 0)
    try:
        reply = _accept(event, body, too_big)
    except Rejected as rej:
        db.session.rollback()
        reply = Reply(rej.status, {"status": "rejected", "error": rej.reason})
        event.outcome, event.reason = "rejected", rej.reason
        _keep_body(event, body, full=False)
    event.http_status = reply.status
    db.session.add(event)
    db.session.commit()
    if event.outcome == "accepted":
        _enqueue(event.call_id)
    log.info("webhook %s: %s %s %r", event.id, event.outcome, reply.status, event.reason or "")
    return reply


def _parse_json(body: bytes) -> dict:
    def no_constants(name):
        raise ValueError(f"invalid JSON value {name}")

    try:
        doc = json.loads(body, parse_constant=no_constants)
    except RecursionError:
        raise Rejected(400, "malformed JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise Rejected(400, f"malformed JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise Rejected(400, f"expected a JSON object, got {type(doc).__name__}")
    return doc


def _short(value, size: int = 128) -> str | None:
    return payload.clean(value)[:size] if isinstance(value, str) and value else None


def _accept(event: WebhookEvent, body: bytes, too_big: bool) -> Reply:
    cfg = current_app.config
    if too_big:
        raise Rejected(413, f"body larger than the {cfg['WEBHOOK_MAX_BYTES']} byte limit")
    doc = _parse_json(body)
    event.event_type = _short(doc.get("type"), 64)
    data = doc.get("data")
    if not isinstance(data, dict):
        raise Rejected(422, "data: expected an object")
    event.agent_id = _short(data.get("agent_id"))
    event.conversation_id = _short(data.get("conversation_id"))
    if not isinstance(data.get("agent_id"), str) or not data["agent_id"]:
        raise Rejected(422, "data.agent_id: a non-empty string is required")

    agent = db.session.execute(select(Agent).where(Agent.agent_id == data["agent_id"])).scalar_one_or_none()
    tenant = db.session.get(Tenant, agent.tenant_id) if agent is not None else None
    # Known agent: the delivery shows in that workspace's log even if rejected (a wrong secret is
    # the usual integration mistake, and this is where the staff will look for it).
    event.tenant_id = tenant.id if tenant else None
    tenant_secret = secrets_box.decrypt(tenant.webhook_secret_encrypted) if tenant else None
    secret = tenant_secret or cfg["ELEVENLABS_WEBHOOK_SECRET"] or None
    if secret:
        try:
            verify(
                _header(event),
                body,
                secret,
                past_s=cfg["WEBHOOK_TOLERANCE_PAST_S"],
                future_s=cfg["WEBHOOK_TOLERANCE_FUTURE_S"],
            )
        except SignatureError as exc:
            event.signature_valid = False
            raise Rejected(401, f"signature rejected: {exc}") from None
        event.signature_valid = True
    elif agent is not None and not cfg["WEBHOOK_ALLOW_UNSIGNED"]:
        raise Rejected(401, "no webhook signing secret is configured for this agent's workspace (Settings)")
    if agent is None:
        raise Rejected(404, f"unknown agent_id {event.agent_id!r}: register it under Agents")

    kind = event.event_type or payload.TRANSCRIPTION
    if kind != payload.TRANSCRIPTION:
        event.outcome = "ignored"
        event.reason = f"{kind} events are recorded, not processed"
        _keep_body(event, body, full=False)
        return Reply(200, {"status": "ignored", "reason": event.reason})

    try:
        data_model = payload.CallData.model_validate(data)
    except ValidationError as exc:
        raise Rejected(422, payload.describe(exc)) from None
    return _store_call(event, agent, data_model, body)


def _header(event: WebhookEvent) -> str | None:
    return event.headers.get("elevenlabs-signature")


def _store_call(event: WebhookEvent, agent: Agent, data: payload.CallData, body: bytes) -> Reply:
    existing = db.session.execute(
        select(Call).where(Call.conversation_id == data.conversation_id)
    ).scalar_one_or_none()
    if existing is None:
        call = Call(
            tenant_id=agent.tenant_id, agent_pk=agent.id, status="queued", **payload.call_fields(data)
        )
        call.agent_name = call.agent_name or agent.name
        try:
            with db.session.begin_nested():
                db.session.add(call)
                db.session.flush()
        except IntegrityError:  # the same conversation arrived twice at once; the other one won
            existing = db.session.execute(
                select(Call).where(Call.conversation_id == data.conversation_id)
            ).scalar_one()
        else:
            event.call_id = call.id
            event.outcome = "accepted"
            _keep_body(event, body, full=True)
            return Reply(202, {"status": "accepted", "call_id": call.id})
    if existing.tenant_id != agent.tenant_id:
        raise Rejected(409, "conversation_id already recorded for another workspace")
    event.call_id = existing.id
    event.outcome = "duplicate"
    event.reason = "conversation already received"
    _keep_body(event, body, full=False)
    return Reply(200, {"status": "duplicate", "call_id": existing.id})


def _enqueue(call_id: int) -> None:
    """Hand the call to the queue; if Redis is down the call stays queued for the sweeper."""
    call = db.session.get(Call, call_id)
    try:
        enqueue_call(call, request_redis())
    except RedisError as exc:
        log.warning("call %s stored but not enqueued (%s); the sweeper will enqueue it", call_id, exc)
        return
    call.enqueued_at = utcnow()
    db.session.commit()
