"""The current tenant and the single scoped lookup every staff view goes through."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from .extensions import db
from .models import Tenant, TenantOwned

M = TypeVar("M", bound=TenantOwned)


def current_tenant() -> Tenant:
    """The signed-in user's company; views behind login_required always have one."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user.tenant


def scoped(model: type[M]) -> Select:
    """`select(model)` limited to the current tenant's rows."""
    return select(model).where(model.tenant_id == current_tenant().id)


def get_or_404(model: type[M], ident) -> M:
    """Load one row of the current tenant; another tenant's row is a 404, never a 403."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    obj = db.session.execute(scoped(model).where(model.id == ident)).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj
