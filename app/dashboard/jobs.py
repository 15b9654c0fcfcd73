"""Processing: what broke (retry it, one call or all), what waits, and what the AI provider costs."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..models import Call
from ..pagination import keyset_page
from ..services.budget import waiting_counts
from ..services.calls import count_by_status, retry_failed
from ..services.costs import spend_by_day, spend_by_month
from ..services.jobs import retry_calls
from ..tenancy import current_tenant, get_or_404
from ..web.forms import ConfirmForm
from . import bp
from .queries import failed_list

PER_PAGE = 25  # failed calls per page


@bp.get("/jobs")
def jobs():
    tenant_id = current_tenant().id
    counts = count_by_status(tenant_id)
    failed = keyset_page(*failed_list(), PER_PAGE)
    return render_template(
        "dashboard/jobs.html",
        counts=counts,
        failed=failed,
        waiting=waiting_counts(tenant_id),
        by_day=spend_by_day(tenant_id, 30),
        by_month=spend_by_month(tenant_id, 12),
        confirm=ConfirmForm(),
    )


def _report(result) -> None:
    if result.enqueued:
        flash(f"{result.enqueued} call(s) queued for another try.", "success")
    if result.deferred:
        flash(
            f"{result.deferred} call(s) marked for retry; the queue is unreachable right now, "
            "so the worker will pick them up when it is back.",
            "info",
        )
    if not result.enqueued and not result.deferred:
        flash("Nothing to retry.", "info")


@bp.post("/jobs/<call_id>/retry")
def retry_one(call_id):
    call = get_or_404(Call, call_id)
    if ConfirmForm().validate_on_submit():
        _report(retry_calls([call]))
    back_to_call = request.form.get("back") == "call"
    return redirect(
        url_for("dashboard.call_detail", call_id=call.id) if back_to_call else url_for("dashboard.jobs")
    )


@bp.post("/jobs/retry-all")
def retry_all():
    if ConfirmForm().validate_on_submit():
        _report(retry_failed(current_tenant().id))
    return redirect(url_for("dashboard.jobs"))
