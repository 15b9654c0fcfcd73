"""What every page needs about spend: money formatting and the "budget reached" banner for managers."""

from __future__ import annotations

from flask_login import current_user

from ..services import budget
from ..services.workspace import language_name
from . import bp


def budget_banner() -> dict | None:
    """For owners and admins while this month's budget is reached: the numbers the banner shows."""
    if not current_user.is_authenticated or not current_user.can_manage:
        return None
    tenant = current_user.tenant
    # Cheap gate first: the month's spend is summed only once the worker has held a call for it.
    if tenant.monthly_budget_micros is None or tenant.budget_reached_month != budget.month_key():
        return None
    state = budget.state(tenant)
    if state is None or not state.reached:
        return None
    return {"state": state, "waiting": budget.waiting_count(tenant.id)}


@bp.app_context_processor
def _spend_helpers():
    return {"budget_banner": budget_banner, "budget_dollars": budget.dollars, "language_name": language_name}
