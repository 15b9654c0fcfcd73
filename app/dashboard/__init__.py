"""Staff pages. Everything here requires a signed-in user and is scoped to their tenant."""

from flask import Blueprint
from flask_login import login_required

from ..models import PIPELINE_STATUSES, STATUSES

bp = Blueprint("dashboard", __name__)


@bp.before_request
@login_required
def _require_login():
    """Every dashboard page needs a session; the check lives here so no view can forget it."""


@bp.context_processor
def _call_statuses():
    return {"call_statuses": STATUSES, "pipeline_statuses": PIPELINE_STATUSES}


from . import (  # noqa: E402,F401
    agents,
    analytics,
    callbacks,
    calls,
    deliveries,
    export,
    jobs,
    live,
    notifications,
    settings,
    spend,
)
