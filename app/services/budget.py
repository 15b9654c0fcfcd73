"""A workspace's monthly AI budget: is there room, hold new calls when there is not, send them on.

The month is the UTC calendar month. When the month's estimated spend (app/services/costs.py)
reaches the budget, a call that has not been analysed yet waits (status "queued", waiting_for
"budget") instead of starting its paid steps; a call already analysed finishes. Raising or removing
the budget, or a new month, lets the worker's sweeper send the waiting calls on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, or_, select, update

from ..extensions import db
from ..models import Call, Tenant, User
from . import changes, costs

log = logging.getLogger("calldesk.budget")
MICROS_PER_DOLLAR = 1_000_000


class BudgetReached(Exception):
    """The workspace's monthly budget is spent: the call waits, nothing has been paid for it."""

    def __init__(self, tenant_id: int):
        super().__init__(f"tenant {tenant_id}: monthly AI budget reached")
        self.tenant_id = tenant_id


@dataclass
class BudgetState:
    month: str  # "YYYY-MM"
    budget_micros: int
    spent_micros: int

    @property
    def reached(self) -> bool:
        return self.spent_micros >= self.budget_micros

    @property
    def share(self) -> float:
        """Spent / budget, for a progress bar (capped at 1)."""
        return min(self.spent_micros / self.budget_micros, 1.0) if self.budget_micros else 1.0


def month_key(moment=None) -> str:
    return costs.month_start(moment or costs.now()).strftime("%Y-%m")


def state(tenant: Tenant) -> BudgetState | None:
    """This month's budget and spend; None when the workspace has no budget."""
    if tenant.monthly_budget_micros is None:
        return None
    moment = costs.now()
    spent = costs.spend_between(tenant.id, costs.month_start(moment), costs.next_month_start(moment))
    return BudgetState(month_key(moment), tenant.monthly_budget_micros, spent)


def require_room(tenant: Tenant | None) -> None:
    """Raise BudgetReached when the month's budget is spent (before a call's paid steps)."""
    if tenant is None:
        return
    current = state(tenant)
    if current is not None and current.reached:
        raise BudgetReached(tenant.id)


def to_micros(dollars: Decimal | float | str | None) -> int | None:
    if dollars is None or dollars == "":
        return None
    value = Decimal(str(dollars)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(value * MICROS_PER_DOLLAR)


def to_dollars(micros: int | None) -> Decimal | None:
    return None if micros is None else (Decimal(micros) / MICROS_PER_DOLLAR).quantize(Decimal("0.01"))


def dollars(micros: int | None) -> str:
    """ "1,234.50"; amounts under a cent to the micro-dollar ("0.000228"), so a call is never "0.00"."""
    if micros is None:
        return "—"
    value = Decimal(micros) / MICROS_PER_DOLLAR
    if 0 < abs(value) < Decimal("0.01"):
        return f"{value:.6f}".rstrip("0")
    return f"{value:,.2f}"


def set_budget(tenant: Tenant, amount: Decimal | None) -> None:
    """Set (or, with None, remove) the monthly budget in dollars. Waiting calls move on at the
    sweeper's next pass if there is room now."""
    tenant.monthly_budget_micros = to_micros(amount)
    db.session.commit()


def waiting_count(tenant_id: int) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Call)
        .where(Call.tenant_id == tenant_id, Call.status == "queued", Call.waiting_for == "budget")
    ).scalar_one()


def waiting_counts(tenant_id: int) -> dict[str, int]:
    """Queued calls held back, by reason ("budget", "rate_limit")."""
    rows = db.session.execute(
        select(Call.waiting_for, func.count())
        .where(Call.tenant_id == tenant_id, Call.status == "queued", Call.waiting_for.is_not(None))
        .group_by(Call.waiting_for)
    )
    return dict(rows.all())


def announce(tenant_id: int) -> bool:
    """Tell the workspace, once per month, that its budget is reached (event `budget.reached`, also
    e-mailed to its owners). True when this call sent it."""
    month = month_key()
    claimed = db.session.execute(
        update(Tenant)
        .where(
            Tenant.id == tenant_id,
            or_(Tenant.budget_reached_month.is_(None), Tenant.budget_reached_month != month),
        )
        .values(budget_reached_month=month)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return False  # told already this month (maybe by another worker a moment ago)
    tenant = db.session.get(Tenant, tenant_id)
    current = state(tenant)
    log.warning("tenant=%s: monthly AI budget reached; new calls wait", tenant_id)
    if current is None:
        return True
    from ..notifications import notify  # late: notifications imports the job queue, which imports us

    owners = db.session.execute(
        select(User.email).where(User.tenant_id == tenant_id, User.role == "owner")
    ).scalars()
    data = {
        "month": current.month,
        "budget_usd": current.budget_micros / MICROS_PER_DOLLAR,
        "spent_usd": current.spent_micros / MICROS_PER_DOLLAR,
        "waiting_calls": waiting_count(tenant_id),
        "message": "The monthly AI budget is spent: new calls wait until it is raised or the month ends.",
    }
    notify(tenant_id, "budget.reached", data, email_to=list(owners))
    return True


def release_waiting_calls(limit: int = 500) -> int:
    """Calls held for the budget of a workspace that has room again (budget raised or removed, a
    new month): clear the hold and leave them for the sweeper to enqueue. Returns how many."""
    tenant_ids = db.session.execute(
        select(Call.tenant_id).where(Call.status == "queued", Call.waiting_for == "budget").distinct()
    ).scalars()
    released = 0
    for tenant_id in list(tenant_ids):
        tenant = db.session.get(Tenant, tenant_id)
        current = state(tenant) if tenant is not None else None
        if current is not None and current.reached:
            continue
        ids = select(Call.id).where(
            Call.tenant_id == tenant_id, Call.status == "queued", Call.waiting_for == "budget"
        )
        result = db.session.execute(
            update(Call)
            .where(Call.id.in_(ids.order_by(Call.id).limit(limit)))
            .where(Call.waiting_for == "budget")
            .values(waiting_for=None, enqueued_at=None)
            .execution_options(synchronize_session=False)
        )
        changes.touch(tenant_id)
        db.session.commit()
        released += result.rowcount
        log.info("tenant=%s: budget has room again; %d waiting call(s) sent on", tenant_id, result.rowcount)
    return released
