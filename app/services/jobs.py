"""The queue: Redis connections, enqueueing a call's job, and the sweeper that needs no Redis to decide."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Call, utcnow
from . import changes
from .budget import release_waiting_calls

log = logging.getLogger(__name__)

JOB_FUNC = "app.pipeline.process.process_call"
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


# Calls held for a spent budget have no job on purpose: release_waiting_calls() sends them on.
NOT_HELD_FOR_BUDGET = or_(Call.waiting_for.is_(None), Call.waiting_for != "budget")


class CallRef(NamedTuple):
    """What enqueueing needs of a call: a call just inserted with Core has no ORM object."""

    id: int
    tenant_id: int


def job_id(call_id: int) -> str:
    return f"call-{call_id}"


def redis_conn() -> Redis:
    """The worker's and the pages' client: redis-py's defaults (5 s timeouts)."""
    ext = current_app.extensions.setdefault("calldesk_redis", {})
    if "worker" not in ext:
        ext["worker"] = Redis.from_url(current_app.config["REDIS_URL"])
    return ext["worker"]


def request_redis() -> Redis:
    """The webhook's client: short timeouts, no client retries, so an outage costs milliseconds."""
    ext = current_app.extensions.setdefault("calldesk_redis", {})
    if "request" not in ext:
        timeout = current_app.config["REDIS_REQUEST_TIMEOUT_S"]
        ext["request"] = Redis.from_url(
            current_app.config["REDIS_URL"],
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=RedisRetry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
    return ext["request"]


def get_queue(connection: Redis | None = None) -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=connection or redis_conn())


def enqueue_call(
    call: Call | CallRef, connection: Redis | None = None, *, replace_dead: bool = True, fresh: bool = False
) -> bool:
    """Put the call's job on the queue once; True when a job is (now) waiting or running for it.

    The job id is derived from the call id, so two enqueuers (webhook, sweeper, retry button) can
    never create two jobs for one call. A finished or failed job of an earlier attempt is replaced.
    `fresh`: a call just stored, which can have no job of an earlier attempt (the lookup is skipped;
    a sweeper that enqueued it a moment ago still wins: unique job ids). Raises RedisError when
    Redis cannot be reached; the caller decides what that means.
    """
    queue = get_queue(connection)
    jid = job_id(call.id)
    existing = None
    with contextlib.suppress(NoSuchJobError):
        existing = None if fresh else Job.fetch(jid, connection=queue.connection)
    if existing is not None:
        if existing.get_status(refresh=False) in LIVE_STATES:
            return True
        if not replace_dead:
            return False
        existing.delete()
    intervals = current_app.config["JOB_RETRY_INTERVALS"]
    with contextlib.suppress(DuplicateJobError):  # someone enqueued it a moment ago: the outcome we wanted
        queue.enqueue(
            JOB_FUNC,
            call.id,
            job_id=jid,
            unique=True,
            retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
            job_timeout=current_app.config["JOB_TIMEOUT_S"],
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            # Ids only: the description is shown (unescaped) by rq-dashboard and printed in worker
            # logs, so it must never carry tenant text such as the conversation id.
            description=f"process call {call.id} (tenant {call.tenant_id})",
        )
    return True


def forget_job(call_id: int, connection: Redis | None = None) -> None:
    """Remove a call's (dead) job so a new one can be enqueued; used for abandoned work."""
    conn = connection or redis_conn()
    with contextlib.suppress(NoSuchJobError):
        Job.fetch(job_id(call_id), connection=conn).delete()


def sweep(connection: Redis | None = None, limit: int = 500) -> int:
    """Enqueue calls the database says need work but Redis may not know about; returns how many.

    Three cases: calls accepted while Redis was down (queued, never enqueued); calls whose job Redis
    lost (queued, but their job is gone: Redis restarted empty); calls whose worker died mid-job
    (processing, heartbeat older than STALE_PROCESSING_S). Every write is a guarded UPDATE
    committed at once: a worker may claim a call the moment its job is enqueued, and must not be
    overwritten. Raises RedisError when Redis cannot be reached (what was done until then stays done).
    """
    release_waiting_calls()  # held for a budget that has room again: enqueued below with the rest
    conn = connection or redis_conn()
    return _sweep_by_database(conn, limit) + _sweep_lost_jobs(conn, limit)


def _sweep_by_database(connection: Redis, limit: int) -> int:
    """Never enqueued, enqueued long ago (REQUEUE_QUEUED_AFTER_S), or abandoned mid-job: decided from
    the database alone, so it works right after an outage."""
    cfg = current_app.config
    now = utcnow()
    stale_before = now - timedelta(seconds=cfg["STALE_PROCESSING_S"])
    lost_before = now - timedelta(seconds=cfg["REQUEUE_QUEUED_AFTER_S"])
    stale = (Call.status == "processing") & (Call.heartbeat_at < stale_before)
    waiting = (
        (Call.status == "queued")
        & or_(Call.enqueued_at.is_(None), Call.enqueued_at < lost_before)
        & NOT_HELD_FOR_BUDGET
    )
    rows = db.session.execute(
        select(Call.id, Call.status).where(or_(stale, waiting)).order_by(Call.id).limit(limit)
    ).all()
    db.session.commit()
    due = []
    for call_id, status in rows:
        if status == "processing":
            # enqueued_at cleared: should Redis fail before the new job exists, the next sweep retries
            taken = db.session.execute(
                update(Call).where(Call.id == call_id, stale).values(status="queued", enqueued_at=None)
            )
            if taken.rowcount == 1:
                changes.touch_calls([call_id])
            db.session.commit()
            if taken.rowcount != 1:
                continue  # its worker came back to life meanwhile
            log.warning("call %s: worker stopped heartbeating; re-enqueueing", call_id)
            forget_job(call_id, connection)
        due.append(call_id)
    return _enqueue_queued(due, connection)


def _sweep_lost_jobs(connection: Redis, page_size: int) -> int:
    """Queued calls whose job Redis no longer has, found with one pipelined EXISTS per page.

    A job exists from enqueue until long after it ends (result_ttl, failure_ttl), also while a worker
    runs it, so a live or running job is never enqueued twice; a call being processed is not queued.
    """
    count, after = 0, 0
    while True:
        ids = (
            db.session.execute(
                select(Call.id)
                .where(Call.status == "queued", Call.enqueued_at.is_not(None), Call.id > after)
                .where(NOT_HELD_FOR_BUDGET)
                .order_by(Call.id)
                .limit(page_size)
            )
            .scalars()
            .all()
        )
        db.session.commit()  # no transaction held open while Redis answers
        if not ids:
            return count
        with connection.pipeline(transaction=False) as pipe:
            for call_id in ids:
                pipe.exists(Job.key_for(job_id(call_id)))
            found = pipe.execute()
        lost = [call_id for call_id, exists in zip(ids, found, strict=True) if not exists]
        if lost:
            log.warning("sweep: %d queued call(s) whose job Redis lost; enqueueing them again", len(lost))
            # A job that exists by now was enqueued by someone else (and may have run): left alone.
            count += _enqueue_queued(lost, connection, replace_dead=False)
        if len(ids) < page_size:
            return count
        after = ids[-1]


def _enqueue_queued(call_ids: list[int], connection: Redis, *, replace_dead: bool = True) -> int:
    """Enqueue the jobs of those calls that are still queued, then stamp their enqueued_at in one
    guarded UPDATE (one commit for the lot, not one per call); returns how many were enqueued."""
    if not call_ids:
        return 0
    with Session(db.engine) as session:  # a short read of its own; closed, the calls keep their columns
        calls = session.scalars(select(Call).where(Call.id.in_(call_ids), Call.status == "queued")).all()
    enqueued = []
    try:
        for call in calls:
            if enqueue_call(call, connection, replace_dead=replace_dead):
                enqueued.append(call.id)
    finally:  # Redis may fail halfway: what was enqueued is stamped all the same
        if enqueued:
            db.session.execute(
                update(Call)
                .where(Call.id.in_(enqueued), Call.status == "queued")
                .values(enqueued_at=utcnow())
            )
            db.session.commit()
    return len(enqueued)


@dataclass
class RetryResult:
    enqueued: int = 0
    deferred: int = 0


def retry_calls(calls: list[Call]) -> RetryResult:
    """Send failed calls back to the queue; finished steps are kept, so work resumes at the failed step.

    If Redis is unreachable the calls are still marked queued (enqueued_at empty): the sweeper
    enqueues them when it is back, so a click is never lost.
    """
    result = RetryResult()
    redis_up = True
    for call in calls:
        if call.status != "failed":
            continue
        call.status = "queued"
        call.enqueued_at = None
        db.session.commit()
        if redis_up:
            try:
                enqueue_call(call, request_redis())
            except RedisError:
                redis_up = False
            else:
                call.enqueued_at = utcnow()
                db.session.commit()
                result.enqueued += 1
                continue
        result.deferred += 1
    return result
