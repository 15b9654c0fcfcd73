"""The callback desk: the queue, and the actions on one callback (inline with HTMX, or plain forms).

Anyone on the team works callbacks: assigns one to themselves or to a teammate, notes, marks done,
reopens. Each action answers an HTMX request with the part of the page that asked (a queue row, or
the call page's main block) plus the navigation count; a plain form post is redirected back.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db, htmx
from ..models import Agent, Call, User
from ..models.callback import OUTCOME_LABELS, STATES
from ..pagination import keyset_page
from ..services import callbacks
from ..services.costs import call_cost
from ..tenancy import get_or_404, parse_id, scoped
from ..web.redirects import safe_path
from . import bp
from .queries import callback_list

PER_PAGE = 25
WHO = ("all", "mine", "unassigned")


def queue_filters() -> dict:
    who, state = request.args.get("who", "all"), request.args.get("state", "open")
    return {
        "who": who if who in WHO else "all",
        "state": state if state in STATES else "open",
        "agent": parse_id(request.args.get("agent", "")),
    }


def desk_context() -> dict:
    """What every callback form needs: the team (for the assignee select) and the outcomes."""
    members = db.session.execute(scoped(User).order_by(User.email)).scalars().all()
    return {"members": members, "outcomes": OUTCOME_LABELS}


@bp.get("/callbacks", endpoint="callbacks")
def callbacks_queue():
    filters = queue_filters()
    page = keyset_page(*callback_list(current_user.id, **filters), PER_PAGE)
    agents = db.session.execute(scoped(Agent).order_by(Agent.name)).scalars().all()
    target = htmx.target if htmx else None
    template = "dashboard/_callbacks_list.html" if target == "callbacks-list" else "dashboard/callbacks.html"
    return render_template(template, page=page, filters=filters, agents=agents, **desk_context())


def _load(call_id):
    """The call (404 for another workspace's) and its callback (404 when it has none)."""
    call = get_or_404(Call, call_id)
    callback = callbacks.for_call_id(call.id)
    if callback is None:
        abort(404)
    return call, callback


def _act(call_id, change, done_message: str):
    call, callback = _load(call_id)
    try:
        change(callback, current_user._get_current_object())
    except callbacks.CallbackError as exc:
        db.session.rollback()
        return _answer(call, callbacks.for_call_id(call.id), str(exc))
    return _answer(call, callback, None, done_message)


def _answer(call, callback, error: str | None, done_message: str = ""):
    """HTMX: the row or call block that asked, and the nav count; else back to where the form was."""
    status = 400 if error else 200
    if htmx:
        target = htmx.target or ""
        if target.startswith("callback-row-"):
            body = render_template(
                "dashboard/_callback_row.html", callback=callback, error=error, oob=True, **desk_context()
            )
        else:
            body = render_template(
                "dashboard/_call_main.html",
                call=call,
                cost=call_cost(call.id),
                callback=callback,
                callback_error=error,
                oob=True,
                **desk_context(),
            )
        response = make_response(body, status)
        if error:  # htmx leaves 4xx answers unswapped; app.js swaps the ones that say so
            response.headers["X-Swap-Error"] = "1"
        return response
    if error:
        return render_template("error.html", code=400, title="Callback not changed", message=error), 400
    flash(done_message, "success")
    back = safe_path(request.form.get("next")) or url_for("dashboard.call_detail", call_id=call.id)
    return redirect(back)


@bp.post("/calls/<call_id>/callback/assign")
def callback_assign(call_id):
    assignee = request.form.get("assignee", "")
    return _act(call_id, lambda cb, me: callbacks.assign(cb, assignee, me), "Callback assignment saved.")


@bp.post("/calls/<call_id>/callback/done")
def callback_done(call_id):
    outcome, note = request.form.get("outcome"), request.form.get("note")
    return _act(call_id, lambda cb, me: callbacks.mark_done(cb, outcome, note, me), "Callback marked done.")


@bp.post("/calls/<call_id>/callback/reopen")
def callback_reopen(call_id):
    note = request.form.get("note")
    return _act(call_id, lambda cb, me: callbacks.reopen(cb, note, me), "Callback reopened.")


@bp.post("/calls/<call_id>/callback/note")
def callback_note(call_id):
    note = request.form.get("note")
    return _act(call_id, lambda cb, me: callbacks.add_note(cb, note, me), "Note added.")
