"""Call list and call detail."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm import lazyload, load_only

from ..extensions import db, htmx
from ..models import Agent, Call
from ..pagination import keyset_page
from ..providers import ProviderError, embedder_note, get_providers
from ..services import callbacks
from ..services.calls import delete_call
from ..services.costs import call_cost
from ..services.search import search_calls, similar_calls
from ..tenancy import current_tenant, get_or_404, scoped
from ..web.decorators import admin_required
from ..web.forms import ConfirmForm
from . import bp
from .call_filters import read_filters
from .callbacks import desk_context
from .queries import PER_PAGE, call_list, caller_history

# What the similar-calls fragment reads of its call (services/search.py: similar_calls).
SIMILAR_NEEDS = (Call.id, Call.tenant_id, Call.indexed_at, Call.embedding)


@bp.get("/")
@bp.get("/calls")
def calls():
    filters = read_filters(request.args)
    page = keyset_page(*call_list(**filters.query_args()), PER_PAGE)
    if htmx and htmx.target == "calls-table":
        return render_template("dashboard/_calls_table.html", page=page, filters=filters)
    agents = db.session.execute(scoped(Agent).order_by(Agent.name)).scalars().all()
    return render_template("dashboard/calls.html", page=page, filters=filters, agents=agents)


@bp.get("/calls/<call_id>")
def call_detail(call_id):
    call = get_or_404(Call, call_id)
    template = "dashboard/_call_main.html" if htmx and htmx.target == "call-main" else "dashboard/call.html"
    return render_template(
        template,
        call=call,
        callback=callbacks.for_call_id(call.id),
        history=caller_history(call),
        cost=call_cost(call.id),
        confirm=ConfirmForm(),
        **desk_context(),
    )


def _vector_view(template: str, lookup, **context):
    """Render a page built on the vector index; an index outage becomes a message, not a 500."""
    error, results = None, []
    try:
        results = lookup()
    except ProviderError as exc:
        error = str(exc)
    embedder = get_providers().embedder
    return render_template(
        template, results=results, error=error, embedder=embedder_note(embedder), **context
    )


@bp.get("/search")
def search():
    query = request.args.get("q", "")
    tenant_id = current_tenant().id
    return _vector_view("dashboard/search.html", lambda: search_calls(tenant_id, query), query=query)


@bp.get("/calls/<call_id>/similar")
def call_similar(call_id):
    """HTMX fragment, loaded after the page: the index may be slow or down without holding the page.
    One query for the call: only what the lookup needs, the (deferred) embedding with it, no
    transcript and no agent."""
    call = get_or_404(Call, call_id, load_only(*SIMILAR_NEEDS), lazyload(Call.agent))
    return _vector_view("dashboard/_similar.html", lambda: similar_calls(call), call=call)


@bp.post("/calls/<call_id>/delete")
@admin_required
def call_delete(call_id):
    call = get_or_404(Call, call_id)
    if not ConfirmForm().validate_on_submit() or call.status == "processing":
        flash("A call cannot be deleted while it is being processed.", "error")
        return redirect(url_for("dashboard.call_detail", call_id=call.id))
    try:
        delete_call(call)
    except ProviderError as exc:
        db.session.rollback()
        flash(f"The call was kept: its vector could not be deleted ({exc}). Try again later.", "error")
        return redirect(url_for("dashboard.call_detail", call_id=call.id))
    flash(f"Call {call.conversation_id} and its search vector were deleted.", "info")
    return redirect(url_for("dashboard.calls"))
