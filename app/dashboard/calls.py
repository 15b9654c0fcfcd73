"""Call list and call detail."""

from __future__ import annotations

from flask import render_template, request

from ..extensions import db, htmx
from ..models import Call
from ..tenancy import get_or_404
from . import bp
from .queries import PER_PAGE, call_list


@bp.get("/")
@bp.get("/calls")
def calls():
    filters = {
        "q": request.args.get("q", ""),
        "status": request.args.get("status", ""),
        "callback": request.args.get("callback", ""),
    }
    page = db.paginate(
        call_list(**filters), page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    template = (
        "dashboard/_calls_table.html" if htmx and htmx.target == "calls-table" else "dashboard/calls.html"
    )
    return render_template(template, page=page, filters=filters)


@bp.get("/calls/<call_id>")
def call_detail(call_id):
    call = get_or_404(Call, call_id)
    template = "dashboard/_call_main.html" if htmx and htmx.target == "call-main" else "dashboard/call.html"
    return render_template(template, call=call)
