"""process_call: the RQ job. Takes an id, reloads, claims the call, runs the steps, records the outcome."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from rq import get_current_job
from sqlalchemy import or_, text, update

from ..extensions import db
from ..models import Call, utcnow
from ..notifications import notify_call_processed
from ..providers import ProviderError, get_providers
from ..services import changes
from .heartbeat import Heartbeat
from .holds import hold_call, hold_reason
from .steps import STEPS, calls_provider

log = logging.getLogger("calldesk.pipeline")
ERROR_LIMIT = 2000


def claim(call_id: int) -> Call | None:
    """Atomically move a call to `processing` and load it (one UPDATE ... RETURNING); None if another
    worker has it or it is done.

    A call is claimable when queued, or processing with a heartbeat older than STALE_PROCESSING_S
    (its worker died). This is what makes a second job for the same call harmless. The claim is
    committed at once: it must hold (and its row lock be released) before the first provider call.
    """
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["STALE_PROCESSING_S"])
    call = db.session.execute(
        update(Call)
        .where(
            Call.id == call_id,
            or_(Call.status == "queued", (Call.status == "processing") & (Call.heartbeat_at < stale)),
        )
        .values(
            status="processing",
            attempts=Call.attempts + 1,
            heartbeat_at=now,
            last_attempt_at=now,
            waiting_for=None,
        )
        .returning(Call)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if call is not None:
        changes.touch(call.tenant_id)  # queued -> processing shows on the live pages
        relaxed_commit()
    db.session.commit()
    return call


def relaxed_commit() -> None:
    """Let this transaction's commit return before PostgreSQL has flushed it to disk (`SET LOCAL
    synchronous_commit TO OFF`: ~0.3 ms instead of ~3 ms here). Only for commits whose loss in a
    crash of the database server itself costs nothing paid: the claim (the sweeper enqueues the
    call again) and the outcome (the call is taken over again and its cheap last steps redone). It
    is still atomic and at once visible to every other session; a worker's crash loses nothing, and
    any later synchronous commit (the next call's analysis) flushes it too."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def process_call(call_id: int) -> str:
    """Turn a stored call into a processed record; safe to run twice.

    The session keeps the call's columns across commits (expire_on_commit off): while the claim
    holds, nobody else writes the row, and reloading the whole call (transcript, vector) after each
    commit cost more than the steps themselves. The workspace's change marker moves at the claim
    and once more at the end of the job, not after each of its commits.
    """
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        call = claim(call_id)
        if call is None:
            status = db.session.execute(db.select(Call.status).where(Call.id == call_id)).scalar_one_or_none()
            log.info("call %r: not claimable (status %s); nothing to do", call_id, status)
            return f"skipped ({status})"
        with changes.coalesced(session):
            return _process_claimed(call)
    finally:
        session.expire_on_commit = expire_on_commit


def _process_claimed(call: Call) -> str:
    """The steps of a call this job has claimed. A step's result is committed before the next step
    that calls a provider (a crash never pays for it twice, a failure there keeps it); the results
    after the last such step are committed with the outcome, in one commit."""
    call_id = call.id
    step_name = "setup"
    try:
        with Heartbeat(call_id, current_app.config["HEARTBEAT_INTERVAL_S"]):
            providers = get_providers()
            for position, (step_name, step) in enumerate(STEPS):
                started = time.perf_counter()
                ran = step(call, providers)
                if ran and any(calls_provider(later, providers) for later, _ in STEPS[position + 1 :]):
                    db.session.commit()
                log.info(
                    "call=%s tenant=%s step=%s %s in %.0f ms",
                    call.id,
                    call.tenant_id,
                    step_name,
                    "done" if ran else "already done",
                    (time.perf_counter() - started) * 1000,
                )
        call.status = "processed"
        call.processed_at = utcnow()
        call.last_error = None
        call.failed_step = None
        relaxed_commit()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        wait = hold_reason(exc)  # budget spent or a provider's rate limit: wait, not a failure
        if wait is not None:
            return hold_call(call_id, *wait)
        return _record_failure(call_id, step_name, exc)
    notify_call_processed(call)  # outside the try: its failure must never fail the call
    return "processed"


def _record_failure(call_id: int, step_name: str, exc: Exception) -> str:
    """Store the error; hand retryable ones back to RQ while it has retries left, else fail the call."""
    job = get_current_job()
    retryable = exc.retryable if isinstance(exc, ProviderError) else True
    will_retry = retryable and job is not None and job.should_retry
    message = f"{exc.__class__.__name__}: {exc}" if not isinstance(exc, ProviderError) else str(exc)
    call = db.session.get(Call, call_id)
    if call is None:
        log.info("call=%s was deleted while it was processed", call_id)
        return "deleted"
    call.last_error = message[:ERROR_LIMIT]
    call.failed_step = step_name
    call.status = "queued" if will_retry else "failed"
    db.session.commit()
    log.warning(
        "call=%s tenant=%s step=%s failed (%s): %r",
        call.id,
        call.tenant_id,
        step_name,
        "will retry" if will_retry else "final",
        message,
    )
    if will_retry:
        raise exc
    if job is not None and retryable:
        raise exc  # out of retries: let RQ keep it in its failed registry for operators
    return "failed"
