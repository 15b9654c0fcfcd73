"""A workspace's change marker: what live pages poll to learn, for the price of one Redis GET, that
its calls or callbacks changed since they were drawn.

The marker is a random token in Redis (`calldesk:changes:<tenant id>`), replaced whenever a call or
callback of the workspace changes: never a counter, so a Redis that restarts empty can never hand out
a marker a page already holds. Changes are noticed in one place: any committed ORM change to a Call
(but its heartbeat and queue stamp), a Callback or a CallbackEvent replaces the marker after the
commit; the few bulk UPDATEs that move a call's state call `touch()` before their commit. A job
that commits several times announces its changes once, at its end (`coalesced()`).
With Redis down the marker is a digest of the workspace's rows (a few indexed counts): pages still
see arrivals and state changes, at the cost of those queries per poll.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Call, Callback, CallbackEvent, User

log = logging.getLogger(__name__)

KEY = "calldesk:changes:{}"
TTL_S = 30 * 24 * 3600  # an idle workspace's marker expires; the next read makes a new one
PENDING = "calldesk_changed_tenants"
COALESCED = "calldesk_changed_tenants_coalesced"  # committed, announced when the block of coalesced() ends
WATCHED = (Call, Callback, CallbackEvent)
# Written by the machinery, shown nowhere: a running job's heartbeat (every few seconds), the stamp of
# a job handed to Redis (a rate-limit hold's "goes on at about" is a bulk UPDATE that touches itself).
IGNORED = {Call: {"heartbeat_at", "enqueued_at"}}


def _redis():
    from .jobs import request_redis  # short timeouts, no retries: an outage costs milliseconds

    return request_redis()


def _token() -> str:
    return f"{time.time_ns():x}{secrets.token_hex(3)}"


def bump(tenant_id: int) -> None:
    """Mark the workspace changed now; a Redis failure is logged, never raised (pages fall back)."""
    try:
        _redis().set(KEY.format(tenant_id), _token(), ex=TTL_S)
    except RedisError as exc:
        log.debug("tenant=%s: change marker not updated (Redis: %s)", tenant_id, exc)


def touch(tenant_id: int, session=None) -> None:
    """Mark the workspace changed when the current transaction commits (for bulk UPDATEs)."""
    (session or db.session).info.setdefault(PENDING, set()).add(tenant_id)


@contextmanager
def coalesced(session: Session) -> Iterator[None]:
    """Within the block, the session's commits collect the workspaces they changed; the block's end
    (however it ends) replaces each one's marker once. A job with several commits costs one SET."""
    session.info[COALESCED] = set()
    try:
        yield
    finally:
        tenant_ids = session.info.pop(COALESCED, set())
        if has_app_context():
            for tenant_id in sorted(tenant_ids):
                bump(tenant_id)


def touch_calls(call_ids, session=None) -> None:
    """touch() the workspaces of these calls."""
    ids = list(call_ids)
    if ids:
        session = session or db.session
        for tenant_id in session.execute(select(Call.tenant_id).where(Call.id.in_(ids)).distinct()).scalars():
            touch(tenant_id, session)


def touch_member(user_id: int) -> None:
    """touch() the workspace of this team member."""
    tenant_id = db.session.execute(select(User.tenant_id).where(User.id == user_id)).scalar_one_or_none()
    if tenant_id is not None:
        touch(tenant_id)


def version(tenant_id: int) -> str:
    """The workspace's current marker: "r…" from Redis, "d…" (a digest of its rows) when Redis is down."""
    key = KEY.format(tenant_id)
    try:
        redis = _redis()
        value = redis.get(key)
        if value is None:
            redis.set(key, _token(), ex=TTL_S, nx=True)
            value = redis.get(key) or b""
        return "r" + value.decode()
    except RedisError:
        return "d" + _digest(tenant_id)


def _digest(tenant_id: int) -> str:
    calls = db.session.execute(
        select(Call.status, func.count(), func.max(Call.id), func.max(Call.processed_at))
        .where(Call.tenant_id == tenant_id)
        .group_by(Call.status)
        .order_by(Call.status)
    ).all()
    callbacks = db.session.execute(
        select(func.count(), func.max(Callback.updated_at)).where(Callback.tenant_id == tenant_id)
    ).one()
    events = db.session.execute(
        select(func.count(), func.max(CallbackEvent.id)).where(CallbackEvent.tenant_id == tenant_id)
    ).one()
    text = repr(([tuple(row) for row in calls], tuple(callbacks), tuple(events)))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


# --------------------------------------------------------------------------- noticing ORM changes


def _shown_change(obj) -> bool:
    ignored = IGNORED.get(type(obj), set())
    return any(a.history.has_changes() for a in inspect(obj).attrs if a.key not in ignored)


@event.listens_for(Session, "after_flush")
def _collect(session, _context):
    added_or_gone = {*session.new, *session.deleted}
    for obj in (*added_or_gone, *session.dirty):
        watched = isinstance(obj, WATCHED) and obj.tenant_id is not None
        if watched and (obj in added_or_gone or _shown_change(obj)):
            touch(obj.tenant_id, session)


@event.listens_for(Session, "after_commit")
def _announce(session):
    if session.in_nested_transaction():
        return  # a released savepoint (SQLAlchemy fires after_commit for it too): wait for the real commit
    tenant_ids = session.info.pop(PENDING, None)
    if tenant_ids and COALESCED in session.info:
        session.info[COALESCED].update(tenant_ids)  # no rollback takes these back: they are committed
    elif tenant_ids and has_app_context():
        for tenant_id in sorted(tenant_ids):
            bump(tenant_id)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    if session.in_nested_transaction():
        return  # a savepoint rolled back: the outer transaction's changes may still commit
    session.info.pop(PENDING, None)
