"""Query builders for the pages' lists, scoped to the current tenant; views stay thin."""

from __future__ import annotations

from sqlalchemy import Select, and_, case, func, or_, select

from ..extensions import db
from ..models import STATUSES, Call, Callback
from ..services import phones
from ..tenancy import current_tenant, scoped

PER_PAGE = 25


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def call_list(q: str = "", status: str = "", callback: str = "") -> Select:
    """The current tenant's calls, newest first, filtered by search text, status and callback flag."""
    stmt = scoped(Call)
    q = q.strip()[:200]
    if q:
        words = q.split()[:8]
        in_text = and_(*(Call.transcript_text.ilike(f"%{like_escape(w)}%", escape="\\") for w in words))
        in_summary = and_(*(Call.summary.ilike(f"%{like_escape(w)}%", escape="\\") for w in words))
        by_number = phone_match(q, phones.region_of(current_tenant()), Call.caller_number)
        stmt = stmt.where(
            or_(
                Call.conversation_id.ilike(f"%{like_escape(q)}%", escape="\\"),
                in_text,
                in_summary,
                Call.caller_name.ilike(f"%{like_escape(q)}%", escape="\\"),
                *([by_number] if by_number is not None else []),
            )
        )
    if status in STATUSES:
        stmt = stmt.where(Call.status == status)
    if callback == "yes":
        stmt = stmt.where(Call.callback_needed.is_(True))
    elif callback == "no":
        stmt = stmt.where(Call.callback_needed.is_(False))
    newest = func.coalesce(Call.started_at, Call.created_at)
    return stmt.order_by(newest.desc(), Call.id.desc())


def failed_list() -> Select:
    """The current tenant's failed calls, most recently tried first."""
    return scoped(Call).where(Call.status == "failed").order_by(Call.last_attempt_at.desc(), Call.id.desc())


def phone_match(q: str, region: str | None, column):
    """A condition on `column` (an E.164 number column) for a search text typed as a phone number.

    None when the text is not a number. "+44 7700 900123", "07700900123" and "7700 900123" all find
    +447700900123 in a GB workspace (app/services/phones.py); the index on (tenant_id, number) serves it.
    """
    forms = phones.search_forms(q, region)
    return column.in_(forms) if forms else None


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
