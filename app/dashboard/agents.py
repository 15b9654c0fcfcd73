"""A tenant's ElevenLabs agents: the webhook routes calls to a tenant through them."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Agent, Call
from ..tenancy import current_tenant, get_or_404, scoped
from ..web.decorators import admin_required
from ..web.forms import ConfirmForm
from . import bp
from .forms import AgentForm


def _agents_page(form: AgentForm, status: int = 200):
    agents = db.session.execute(scoped(Agent).order_by(Agent.name)).scalars().all()
    counts = dict(
        db.session.execute(
            select(Call.agent_pk, func.count())
            .where(Call.tenant_id == current_tenant().id)
            .group_by(Call.agent_pk)
        ).all()
    )
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
    agent_id = form.agent_id.data.strip()
    if db.session.execute(select(Agent.id).where(Agent.agent_id == agent_id)).first():
        form.agent_id.errors.append(
            "This agent ID is already registered (an agent belongs to one workspace)."
        )
        return _agents_page(form, 409)
    db.session.add(Agent(tenant_id=current_tenant().id, agent_id=agent_id, name=form.name.data.strip()))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.agent_id.errors.append(
            "This agent ID is already registered (an agent belongs to one workspace)."
        )
        return _agents_page(form, 409)
    flash(f"Agent “{form.name.data.strip()}” added. Its calls will now be accepted.", "success")
    return redirect(url_for("dashboard.agents"))


@bp.post("/agents/<agent_pk>/delete")
@admin_required
def delete_agent(agent_pk):
    agent = get_or_404(Agent, agent_pk)
    if ConfirmForm().validate_on_submit():
        db.session.delete(agent)
        db.session.commit()
        flash(
            f"Agent “{agent.name}” removed. Its past calls are kept; new deliveries for it will be refused.",
            "info",
        )
    return redirect(url_for("dashboard.agents"))
