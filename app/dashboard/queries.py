"""Query builders for the pages' lists, scoped to the current tenant; views stay thin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import joinedload, load_only

from ..extensions import db
from ..models import STATUSES, Call, Callback, WebhookEvent
from ..models.list_indexes import finished, longest, newest, tried
from ..pagination import Key
from ..services import keyword_search
from ..tenancy import current_tenant, scoped

PER_PAGE = 25
SORTS = ("newest", "oldest", "duration")
# What a calls list row and its CSV export show: never the transcript, its search text, metadata, vector.
LIST_COLUMNS = (
    Call.id, Call.tenant_id, Call.conversation_id, Call.agent_pk, Call.external_agent_id, Call.agent_name,
    Call.started_at, Call.created_at, Call.duration_s, Call.caller_number, Call.caller_name, Call.status,
    Call.waiting_for, Call.summary, Call.elevenlabs_analysis, Call.callback_needed, Call.callback_reason,
    Call.sentiment, Call.topics,
)  # fmt: skip
DELIVERY_COLUMNS = (
    WebhookEvent.id, WebhookEvent.tenant_id, WebhookEvent.received_at, WebhookEvent.event_type,
    WebhookEvent.conversation_id, WebhookEvent.call_id, WebhookEvent.outcome, WebhookEvent.http_status,
    WebhookEvent.body_bytes, WebhookEvent.reason,
)  # fmt: skip
FAILED_COLUMNS = (Call.failed_step, Call.last_error, Call.attempts, Call.last_attempt_at)


def call_order(sort: str = "newest") -> list[Key]:
    """The list's keyset order for `sort`; each ends with the id so it is total."""
    if sort == "oldest":
        return [Key(newest()), Key(Call.id)]
    if sort == "duration":  # longest first; unknown durations last
        return [Key(longest(), True), Key(Call.id, True)]
    return [Key(newest(), True), Key(Call.id, True)]


def call_list(
    q: str = "",
    status: str = "",
    callback: str = "",
    agent: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    sort: str = "newest",
) -> tuple[Select, list[Key]]:
    """The current tenant's calls filtered by search text, status, callback flag, agent and time
    (`start` <= when < `end`, UTC), and their keyset order (apply it with `pagination.ordered`).

    With search text, relevance comes first (app/services/keyword_search.py), then the chosen sort:
    keyset cursors carry the rank too.
    """
    stmt = scoped(Call).options(load_only(*LIST_COLUMNS))
    keys = call_order(sort)
    if q.strip():
        found = keyword_search.match(q, current_tenant())
        stmt = stmt.where(found.condition if found else false())
        if found:
            keys = [Key(found.rank, True), *keys]
    if status in STATUSES:
        stmt = stmt.where(Call.status == status)
    if callback == "yes":
        stmt = stmt.where(Call.callback_needed.is_(True))
    elif callback == "no":
        stmt = stmt.where(Call.callback_needed.is_(False))
    if agent:
        stmt = stmt.where(Call.agent_pk == agent)
    if start is not None:
        stmt = stmt.where(newest() >= start)
    if end is not None:
        stmt = stmt.where(newest() < end)
    return stmt, keys


def failed_list() -> tuple[Select, list[Key]]:
    """The current tenant's failed calls, most recently tried first (ix_calls_tenant_status_tried)."""
    stmt = scoped(Call).where(Call.status == "failed").options(load_only(*LIST_COLUMNS, *FAILED_COLUMNS))
    return stmt, [Key(tried(), True), Key(Call.id, True)]


def callback_list(
    user_id: int, who: str = "all", state: str = "open", agent: int | None = None
) -> tuple[Select, list[Key]]:
    """The current tenant's callbacks for the queue, and their keyset order.

    Open: urgent first ("urgent" sorts after "normal", so priority descending), then the soonest due.
    Done: the most recently finished first.
    """
    row_call = joinedload(Callback.call, innerjoin=True).load_only(
        Call.id, Call.agent_pk, Call.agent_name, Call.external_agent_id
    )
    stmt = scoped(Callback).where(Callback.state == state).options(row_call)
    if who == "mine":
        stmt = stmt.where(Callback.assignee_id == user_id)
    elif who == "unassigned":
        stmt = stmt.where(Callback.assignee_id.is_(None))
    if agent:
        stmt = stmt.join(Call, Call.id == Callback.call_id).where(Call.agent_pk == agent)
    if state == "done":
        return stmt, [Key(finished(), True), Key(Callback.id, True)]
    return stmt, [Key(Callback.priority, True), Key(Callback.due_at), Key(Callback.id)]


def delivery_list(outcome: str | None = None) -> tuple[Select, list[Key]]:
    """The current tenant's webhook deliveries, newest first, without their bodies and headers."""
    stmt = scoped(WebhookEvent).options(load_only(*DELIVERY_COLUMNS))
    if outcome:
        stmt = stmt.where(WebhookEvent.outcome == outcome)
    return stmt, [Key(WebhookEvent.received_at, True), Key(WebhookEvent.id, True)]


def caller_history(call: Call, limit: int = 10) -> list[tuple[Call, Callback | None]]:
    """The same caller's other calls in the workspace (newest first), each with its callback if any."""
    if not call.caller_number:
        return []
    stmt = (
        select(Call, Callback)
        .outerjoin(Callback, Callback.call_id == Call.id)
        .where(Call.tenant_id == call.tenant_id, Call.caller_number == call.caller_number, Call.id != call.id)
        .order_by(func.coalesce(Call.started_at, Call.created_at).desc(), Call.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in db.session.execute(stmt).all()]
