"""The callback desk: open a callback for a call (once), and work it: assign, note, done, reopen.

Every change is one commit with a timeline line (who, when, what); the workspace's notification
(`callback.created`, `callback.assigned`, `callback.done`) goes out after that commit and can never
fail the change. Views turn CallbackError into a 400 with its message.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import CALLBACK_OUTCOMES, Call, Callback, CallbackEvent, Tenant, User, utcnow
from ..notifications import call_data, notify
from ..providers.offline_time_resolve import resolve_time
from . import changes
from .timezones import zone_of

log = logging.getLogger("calldesk.callbacks")
NOTE_MAX = 2000
MISSED_REASONS = {"busy": "Missed call: busy", "no-answer": "Missed call: no answer"}


class CallbackError(ValueError):
    """The change is not allowed or not understood; the message says why, for the person."""


# --------------------------------------------------------------------------- opening one


def resolve_due(requested: str | None, base: datetime, tenant: Tenant) -> datetime | None:
    """When a requested time as said falls, from `base` in the workspace's zone; None if unknown."""
    try:
        due = resolve_time(requested, base, zone_of(tenant))
    except (ValueError, OverflowError):  # an ISO string naming no real date, a year past 9999
        return None
    return due


def open_for_call(
    call: Call,
    *,
    reason: str | None,
    requested_time: str | None = None,
    priority: str = "normal",
    source: str = "analysis",
) -> tuple[Callback, bool]:
    """The call's callback, created if it has none: (callback, created). Does not commit.

    Idempotent under retries, re-analysis and concurrent runs: the unique call id decides, and a
    losing insert (inside a savepoint) returns the winner's row.
    """
    existing = for_call_id(call.id)
    if existing is not None:
        return existing, False
    tenant = db.session.get(Tenant, call.tenant_id)
    now = utcnow()
    due = resolve_due(requested_time, call.started_at or call.created_at or now, tenant)
    callback = Callback(
        tenant_id=call.tenant_id,
        call_id=call.id,
        source=source,
        reason=(reason or "").strip() or None,
        requested_time=(requested_time or "").strip()[:120] or None,
        due_at=due or now,
        due_resolved=due is not None,
        caller_number=call.caller_number,
        caller_name=call.caller_name,
        priority=priority,
        state="open",
        created_at=now,
    )
    callback.events.append(CallbackEvent(tenant_id=call.tenant_id, action="created", created_at=now))
    try:
        with db.session.begin_nested():
            db.session.add(callback)
            db.session.flush()
    except IntegrityError:  # another run of the same call got there first
        winner = for_call_id(call.id)
        if winner is None:
            raise
        return winner, False
    return callback, True


def open_from_analysis(call: Call) -> tuple[Callback | None, bool]:
    """After the analysis: a callback when it flagged the call (urgent when it heard an emergency)."""
    if not call.callback_needed:
        return None, False
    return open_for_call(
        call,
        reason=call.callback_reason,
        requested_time=call.callback_requested_time,
        priority="urgent" if call.callback_urgent else "normal",
        source="analysis",
    )


def missed_reason(failure_reason) -> str:
    return MISSED_REASONS.get(str(failure_reason or "").strip().lower(), "Missed call: failed")


def for_call_id(call_id: int) -> Callback | None:
    """The callback of a call (the caller has already checked the call is the workspace's own)."""
    return db.session.execute(select(Callback).where(Callback.call_id == call_id)).scalar_one_or_none()


# --------------------------------------------------------------------------- working one


def _event(callback: Callback, actor: User | None, action: str, **fields) -> None:
    callback.events.append(
        CallbackEvent(
            tenant_id=callback.tenant_id,
            action=action,
            actor_id=actor.id if actor else None,
            actor_email=actor.email if actor else None,
            created_at=utcnow(),
            **fields,
        )
    )


def _note(text: str | None) -> str | None:
    note = (text or "").strip()
    if len(note) > NOTE_MAX:
        raise CallbackError(f"A note can be at most {NOTE_MAX} characters (this one has {len(note)}).")
    return note or None


def teammate(tenant_id: int, raw) -> User | None:
    """The workspace's user a form names by id; None for "nobody" (""). Raises CallbackError otherwise."""
    text = str(raw or "").strip()
    if not text:
        return None
    user = None
    if text.isascii() and text.isdigit() and len(text) <= 10:
        user = db.session.execute(
            select(User).where(User.id == int(text), User.tenant_id == tenant_id)
        ).scalar_one_or_none()
    if user is None:
        raise CallbackError("That person is not a member of this workspace. Choose someone from the list.")
    return user


def assign(callback: Callback, raw_assignee, actor: User) -> bool:
    """Give the callback to a teammate ("" takes it off whoever has it). False when nothing changed."""
    assignee = teammate(callback.tenant_id, raw_assignee)
    if not callback.is_open:
        raise CallbackError("This callback is done. Reopen it before assigning it.")
    if (assignee.id if assignee else None) == callback.assignee_id:
        return False
    callback.assignee = assignee
    if assignee is None:
        _event(callback, actor, "unassigned")
    else:
        _event(callback, actor, "assigned", assignee_email=assignee.email)
    db.session.commit()
    if assignee is not None:
        _notify(callback, "callback.assigned")
    return True


def mark_done(callback: Callback, outcome: str | None, note: str | None, actor: User) -> None:
    if outcome not in CALLBACK_OUTCOMES:
        raise CallbackError("Choose an outcome: reached, no answer, left voicemail or not needed.")
    text = _note(note)
    if not callback.is_open:
        raise CallbackError("This callback is already done.")
    callback.state, callback.outcome, callback.done_at = "done", outcome, utcnow()
    _event(callback, actor, "done", outcome=outcome, note=text)
    db.session.commit()
    _notify(callback, "callback.done")


def reopen(callback: Callback, note: str | None, actor: User) -> None:
    text = _note(note)
    if callback.is_open:
        raise CallbackError("This callback is already open.")
    callback.state, callback.outcome, callback.done_at = "open", None, None
    _event(callback, actor, "reopened", note=text)
    db.session.commit()


def add_note(callback: Callback, note: str | None, actor: User) -> None:
    text = _note(note)
    if not text:
        raise CallbackError("Write a note first.")
    _event(callback, actor, "note", note=text)
    callback.updated_at = utcnow()
    db.session.commit()


def notify_created(callback: Callback) -> None:
    _notify(callback, "callback.created")


def _notify(callback: Callback, event_type: str) -> None:
    """Tell the workspace's systems (and the assignee by e-mail); a failure here is logged, never raised."""
    try:
        email_to = [callback.assignee.email] if callback.assignee is not None else []
        notify(callback.tenant_id, event_type, call_data(callback.call, callback), email_to=email_to)
    except Exception:
        db.session.rollback()
        log.exception("callback=%s: the %s notification failed", callback.id, event_type)


def unassign_member(user_id: int) -> None:
    """A removed member's callbacks go back to the team (SQLite does not enforce ON DELETE SET NULL)."""
    changes.touch_member(user_id)
    db.session.execute(update(Callback).where(Callback.assignee_id == user_id).values(assignee_id=None))


# --------------------------------------------------------------------------- counting


def open_counts_query(tenant_id: int, now: datetime):
    """The navigation's count: an index-only scan of ix_callbacks_tenant_state_due."""
    return (
        select(func.count(), func.count(case((Callback.due_at < now, 1))))
        .select_from(Callback)
        .where(Callback.tenant_id == tenant_id, Callback.state == "open")
    )


def open_counts(tenant_id: int, now: datetime | None = None) -> tuple[int, int]:
    """(open, overdue) callbacks of a workspace: one query on (tenant_id, state, due_at)."""
    row = db.session.execute(open_counts_query(tenant_id, now or utcnow())).one()
    return int(row[0]), int(row[1])
