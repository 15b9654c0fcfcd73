"""A call that must wait (budget spent, or a provider's rate limit) goes back to the queue as it was.

Waiting is not failing: the attempt that found the wait is given back (attempts, last_error and
failed_step stay as they were) and the steps already done are kept. A rate-limited call is put back
on the queue by a job scheduled for when its turn comes; a call waiting for the budget is sent on by
the sweeper (app/services/budget.py release_waiting_calls).
"""

from __future__ import annotations

import contextlib
import logging
import math
from datetime import timedelta

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import update

from ..extensions import db
from ..models import Call, utcnow
from ..providers.errors import RateLimited
from ..services import budget, changes
from ..services.jobs import enqueue_call, get_queue, job_id, redis_conn

log = logging.getLogger("calldesk.pipeline")
WAKE_FUNC = "app.pipeline.holds.wake_call"


def hold_reason(exc: BaseException) -> tuple[str, float] | None:
    """("budget" | "rate_limit", seconds to wait) when `exc` means wait rather than fail."""
    if isinstance(exc, budget.BudgetReached):
        return "budget", 0.0
    if isinstance(exc, RateLimited):
        return "rate_limit", exc.delay
    return None


def hold_call(call_id: int, reason: str, delay: float = 0.0) -> str:
    """Give the call back to the queue, waiting for `reason`; its attempt does not count."""
    now = utcnow()
    later = now + timedelta(seconds=math.ceil(delay))
    held = db.session.execute(
        update(Call)
        .where(Call.id == call_id, Call.status == "processing")
        .values(
            status="queued",
            waiting_for=reason,
            attempts=Call.attempts - 1,
            heartbeat_at=None,
            # When it will be on the queue again: the sweeper's "lost job" check counts from here.
            enqueued_at=later,
        )
    )
    if held.rowcount == 1:
        changes.touch_calls([call_id])
    db.session.commit()
    if held.rowcount != 1:
        return "skipped (no longer processing)"
    call = db.session.get(Call, call_id)
    log.info("call=%s tenant=%s waits for %s (%.0f s)", call_id, call.tenant_id, reason, delay)
    if reason == "budget":
        budget.announce(call.tenant_id)
    else:
        _schedule_wake(call_id, later - now)
    return f"waiting ({reason})"


def wake_job_id(call_id: int) -> str:
    return f"wake-call-{call_id}"


def _schedule_wake(call_id: int, delay: timedelta) -> None:
    """Put the call back on the queue when its turn comes (needs a worker with the RQ scheduler,
    which worker.py always starts). If Redis loses this, the sweeper re-enqueues the call later."""
    try:
        connection = redis_conn()
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(wake_job_id(call_id), connection=connection).delete()
        get_queue(connection).enqueue_in(
            delay,
            WAKE_FUNC,
            call_id,
            job_id=wake_job_id(call_id),
            result_ttl=600,
            failure_ttl=24 * 3600,
            description=f"wake call {call_id} after a rate limit",
        )
    except RedisError as exc:
        log.warning("call=%s: could not schedule its wake-up (%s); the sweeper will", call_id, exc)


def wake_call(call_id: int) -> str:
    """RQ job: a rate-limited call's turn has come; enqueue it again."""
    call = db.session.get(Call, call_id)
    if call is None or call.status != "queued" or call.waiting_for != "rate_limit":
        return "nothing to do"
    with contextlib.suppress(NoSuchJobError):
        if Job.fetch(job_id(call_id), connection=redis_conn()).get_status() == JobStatus.STARTED:
            _schedule_wake(call_id, timedelta(seconds=2))  # the job that held it is still wrapping up
            return "not yet"
    call.waiting_for = None
    db.session.commit()
    enqueue_call(call)
    call.enqueued_at = utcnow()
    db.session.commit()
    return "enqueued"
