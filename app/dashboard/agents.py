"""A tenant's ElevenLabs agents: the webhook routes calls to a tenant through them."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..extensions import db
from ..models import Agent
from ..services import workspace
from ..services.calls import count_by_agent
from ..tenancy import current_tenant, get_or_404, scoped
from ..web.decorators import admin_required
from ..web.forms import ConfirmForm
from . import bp
from .forms import AgentForm


def _agents_page(form: AgentForm, status: int = 200):
    agents = db.session.execute(scoped(Agent).order_by(Agent.name)).scalars().all()
    counts = count_by_agent(current_tenant().id)
    return render_template(
        "dashboard/agents.html", agents=agents, counts=counts, form=form, confirm=ConfirmForm()
    ), status


@bp.get("/agents")
def agents():
    return _agents_page(AgentForm())


@bp.post("/agents")
@admin_required
def add_agent():
    form = AgentForm()
    if not form.validate_on_submit():
        return _agents_page(form, 400)
    try:
        agent = workspace.add_agent(current_tenant().id, form.agent_id.data, form.name.data)
    except workspace.AgentTaken as exc:
        form.agent_id.errors.append(str(exc))
        return _agents_page(form, 409)
    flash(f"Agent “{agent.name}” added. Its calls will now be accepted.", "success")
    return redirect(url_for("dashboard.agents"))


@bp.post("/agents/<agent_pk>/delete")
@admin_required
def delete_agent(agent_pk):
    agent = get_or_404(Agent, agent_pk)
    if ConfirmForm().validate_on_submit():
        workspace.remove_agent(agent)
        flash(
            f"Agent “{agent.name}” removed. Its past calls are kept; new deliveries for it will be refused.",
            "info",
        )
    return redirect(url_for("dashboard.agents"))
