"""Query builders for the pages' lists, scoped to the current tenant; views stay thin."""

from __future__ import annotations

from sqlalchemy import Select, case, false, func, select

from ..extensions import db
from ..models import STATUSES, Call, Callback
from ..services import keyword_search
from ..tenancy import current_tenant, scoped

PER_PAGE = 25


def call_list(q: str = "", status: str = "", callback: str = "") -> Select:
    """The current tenant's calls filtered by search text, status and callback flag: newest first, or
    by relevance (then newest) when there is search text (app/services/keyword_search.py)."""
    stmt = scoped(Call)
    newest = func.coalesce(Call.started_at, Call.created_at)
    order = (newest.desc(), Call.id.desc())
    if q.strip():
        found = keyword_search.match(q, current_tenant())
        stmt = stmt.where(found.condition if found else false())
        if found:
            order = (found.rank.desc(), newest.desc(), Call.id.desc())
    if status in STATUSES:
        stmt = stmt.where(Call.status == status)
    if callback == "yes":
        stmt = stmt.where(Call.callback_needed.is_(True))
    elif callback == "no":
        stmt = stmt.where(Call.callback_needed.is_(False))
    return stmt.order_by(*order)


def failed_list() -> Select:
    """The current tenant's failed calls, most recently tried first."""
    return scoped(Call).where(Call.status == "failed").order_by(Call.last_attempt_at.desc(), Call.id.desc())


def callback_list(user_id: int, who: str = "all", state: str = "open", agent: int | None = None) -> Select:
    """The current tenant's callbacks for the queue.

    Open: urgent first, then the soonest due. Done: the most recently finished first.
    """
    stmt = scoped(Callback).where(Callback.state == state)
    if who == "mine":
        stmt = stmt.where(Callback.assignee_id == user_id)
    elif who == "unassigned":
        stmt = stmt.where(Callback.assignee_id.is_(None))
    if agent:
        stmt = stmt.join(Call, Call.id == Callback.call_id).where(Call.agent_pk == agent)
    if state == "done":
        return stmt.order_by(Callback.done_at.desc(), Callback.id.desc())
    urgent_first = case((Callback.priority == "urgent", 0), else_=1)
    return stmt.order_by(urgent_first, Callback.due_at, Callback.id)


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
