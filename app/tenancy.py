"""The current tenant and the single scoped lookup every staff view goes through."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from .extensions import db
from .models import Tenant, TenantOwned

M = TypeVar("M", bound=TenantOwned)

# Primary keys are 32-bit integers on PostgreSQL: a larger number cannot name a row, and querying it
# would raise "integer out of range" (a 500) instead of a 404.
MAX_ID = 2**31 - 1


def current_tenant() -> Tenant:
    """The signed-in user's company; views behind login_required always have one."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user.tenant


def scoped(model: type[M]) -> Select:
    """`select(model)` limited to the current tenant's rows."""
    return select(model).where(model.tenant_id == current_tenant().id)


def parse_id(ident) -> int | None:
    """A URL's id as a positive integer that fits the column; None for anything else."""
    if isinstance(ident, int) and not isinstance(ident, bool):
        value = ident
    elif isinstance(ident, str) and ident.isascii() and ident.isdigit():
        value = int(ident)
    else:
        return None
    return value if 1 <= value <= MAX_ID else None


def get_or_404(model: type[M], ident, *options) -> M:
    """Load one row of the current tenant; another tenant's row is a 404, never a 403.

    Malformed and out-of-range ids are a 404 too, before any query. `options`: loader options
    (e.g. `load_only`) for a page that needs only some columns.
    """
    ident = parse_id(ident)
    if ident is None:
        abort(404)
    obj = db.session.execute(scoped(model).where(model.id == ident).options(*options)).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj
