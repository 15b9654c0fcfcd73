"""Analytics: a workspace's trends for a period and agent, as SVG charts with their numbers."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request

from ..extensions import db
from ..models import Agent
from ..models.callback import OUTCOME_LABELS
from ..services import analytics as service
from ..services import costs
from ..services.budget import dollars
from ..services.timezones import zone_of
from ..tenancy import current_tenant, get_or_404, parse_id, scoped
from . import bp, charts

SENTIMENT_KINDS = {"positive": "good", "neutral": "neutral", "negative": "bad", "not analysed": "none"}


def _agent(raw: str) -> tuple[Agent | None, list[str]]:
    """`?agent=<id>` of this workspace (another workspace's, or none, is a 404); anything that is not
    an id falls back to every agent with a message."""
    raw = raw.strip()
    if raw in ("", "all"):
        return None, []
    if parse_id(raw) is None:
        if raw.isascii() and raw.isdigit():
            abort(404)  # a number no row can have: as an unknown id
        return None, ["Unknown agent; showing all agents."]
    return get_or_404(Agent, raw), []


def _day_tick(label: str) -> str:
    day = date.fromisoformat(label)
    return f"{day:%b} {day.day}"


def _rows(report: service.Report) -> dict:
    """(label, value) rows the page shows that are not straight from the report."""
    cb = report.callbacks
    return {
        "outcomes": [(OUTCOME_LABELS[k], n) for k, n in cb["outcomes"]] + [("Still open", cb["open"])],
        "spend": [(s.period, "$" + dollars(s.cost_micros)) for s in report.spend_by_day],
    }


def _charts(report: service.Report, rows: dict) -> dict:
    return {
        "per_day": charts.both(report.per_day, tick=_day_tick),
        "sentiment": charts.bars(report.sentiment, kinds=SENTIMENT_KINDS),
        "outcomes": charts.bars(rows["outcomes"]),
        "topics": charts.bars(report.topics),
        "failures": charts.bars(report.failures),
        "spend": charts.both(
            [(s.period, s.cost_micros) for s in report.spend_by_day],
            tick=_day_tick,
            fmt=lambda v: "$" + dollars(v),
            axis=lambda v: f"${v / 1e6:.4g}",
        ),
    }


@bp.get("/analytics")
def analytics():
    tenant = current_tenant()
    zone = zone_of(tenant)
    now = costs.now()
    period, messages = service.parse(request.args, now.astimezone(zone).date(), zone)
    agent, agent_messages = _agent(request.args.get("agent", ""))
    report = service.report(service.Scope(tenant.id, period, agent.id if agent else None), now)
    agents = db.session.execute(scoped(Agent).order_by(Agent.name)).scalars().all()
    rows = _rows(report)
    return render_template(
        "dashboard/analytics.html",
        report=report,
        period=period,
        agent=agent,
        agents=agents,
        messages=messages + agent_messages,
        charts=_charts(report, rows),
        rows=rows,
        presets=service.PRESETS,
    )
