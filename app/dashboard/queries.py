"""Query builders for the pages' lists, scoped to the current tenant; views stay thin."""

from __future__ import annotations

from sqlalchemy import Select, and_, func, or_

from ..models import STATUSES, Call
from ..tenancy import scoped

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
        stmt = stmt.where(
            or_(Call.conversation_id.ilike(f"%{like_escape(q)}%", escape="\\"), in_text, in_summary)
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
