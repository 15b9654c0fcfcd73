"""Workspace settings: the webhook secret, analysis guidance and language, AI budget, time zone."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..services import budget, workspace
from ..services.phones import region_for_zone
from ..tenancy import current_tenant
from ..web.decorators import admin_required, owner_required
from ..web.forms import ConfirmForm
from . import bp
from .forms import AnalysisSettingsForm, BudgetForm, SummaryLanguageForm, TimeZoneForm, WebhookSecretForm


def _page(
    secret_form=None,
    analysis_form=None,
    language_form=None,
    budget_form=None,
    zone_form=None,
    status: int = 200,
):
    tenant = current_tenant()
    amount = tenant.monthly_budget_micros
    return render_template(
        "dashboard/settings.html",
        tenant=tenant,
        secret_form=secret_form or WebhookSecretForm(),
        analysis_form=analysis_form
        or AnalysisSettingsForm(analysis_instructions=tenant.analysis_instructions),
        language_form=language_form or SummaryLanguageForm(summary_language=tenant.summary_language),
        budget_form=budget_form or BudgetForm(monthly_budget=budget.to_dollars(amount)),
        budget_state=budget.state(tenant),
        waiting_for_budget=budget.waiting_count(tenant.id),
        summary_languages=dict(workspace.SUMMARY_LANGUAGES),
        zone_form=zone_form
        or TimeZoneForm(timezone=tenant.timezone, phone_region=tenant.phone_region, current=tenant.timezone),
        zone_region=region_for_zone(tenant.timezone),
        confirm=ConfirmForm(),
        webhook_url=url_for("webhooks.elevenlabs", _external=True),
    ), status


@bp.get("/settings")
def settings():
    return _page()


@bp.post("/settings")
@admin_required
def save_secret():
    form = WebhookSecretForm()
    if not form.validate_on_submit():
        return _page(secret_form=form, status=400)
    workspace.set_webhook_secret(current_tenant(), form.webhook_secret.data.strip())
    flash("Webhook secret saved. Deliveries must now carry a valid ElevenLabs-Signature.", "success")
    return redirect(url_for("dashboard.settings"))


@bp.post("/settings/secret/delete")
@admin_required
def delete_secret():
    if ConfirmForm().validate_on_submit():
        workspace.set_webhook_secret(current_tenant(), None)
        flash(
            "Webhook secret removed. Unsigned deliveries are refused unless the server allows them.", "info"
        )
    return redirect(url_for("dashboard.settings"))


@bp.post("/settings/analysis")
@admin_required
def save_analysis():
    form = AnalysisSettingsForm()
    if not form.validate_on_submit():
        return _page(analysis_form=form, status=400)
    workspace.set_analysis_instructions(current_tenant(), form.analysis_instructions.data)
    flash("Analysis instructions saved. They apply to calls processed from now on.", "success")
    return redirect(url_for("dashboard.settings"))


@bp.post("/settings/language")
@admin_required
def save_language():
    form = SummaryLanguageForm()
    if not form.validate_on_submit():
        return _page(language_form=form, status=400)
    workspace.set_summary_language(current_tenant(), form.summary_language.data)
    flash("Summary language saved. It applies to calls processed from now on.", "success")
    return redirect(url_for("dashboard.settings"))


@bp.post("/settings/budget")
@owner_required
def save_budget():
    form = BudgetForm()
    if not form.validate_on_submit():
        return _page(budget_form=form, status=400)
    budget.set_budget(current_tenant(), form.monthly_budget.data)
    if form.monthly_budget.data is None:
        flash("Monthly budget removed. Calls waiting for it are sent on within a minute.", "success")
    else:
        flash(
            f"Monthly budget set to ${budget.dollars(budget.to_micros(form.monthly_budget.data))}. "
            "Calls waiting for it are sent on within a minute if there is room.",
            "success",
        )
    return redirect(url_for("dashboard.settings"))


@bp.post("/settings/timezone")
@admin_required
def save_timezone():
    form = TimeZoneForm()
    if not form.validate_on_submit():
        return _page(zone_form=form, status=400)
    workspace.set_timezone(current_tenant(), form.timezone.data, form.phone_region.data)
    flash(f"Time zone saved: times are now shown in {form.timezone.data}.", "success")
    return redirect(url_for("dashboard.settings"))
