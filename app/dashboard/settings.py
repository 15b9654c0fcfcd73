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


def _section(url: str, form_class, page_key: str, guard=admin_required):
    """Register a settings form's POST under the decorated function's name.

    An invalid form shows the page again with its errors (400); a valid one goes to the function,
    `store(tenant, form)`, which saves it and returns the message to flash; then back to Settings.
    """

    def register(store):
        def view():
            form = form_class()
            if not form.validate_on_submit():
                return _page(**{page_key: form}, status=400)
            flash(store(current_tenant(), form), "success")
            return redirect(url_for("dashboard.settings"))

        bp.add_url_rule(url, store.__name__, guard(view), methods=["POST"])
        return store

    return register


@_section("/settings", WebhookSecretForm, "secret_form")
def save_secret(tenant, form) -> str:
    workspace.set_webhook_secret(tenant, form.webhook_secret.data.strip())
    return "Webhook secret saved. Deliveries must now carry a valid ElevenLabs-Signature."


@bp.post("/settings/secret/delete")
@admin_required
def delete_secret():
    if ConfirmForm().validate_on_submit():
        workspace.set_webhook_secret(current_tenant(), None)
        flash(
            "Webhook secret removed. Unsigned deliveries are refused unless the server allows them.", "info"
        )
    return redirect(url_for("dashboard.settings"))


@_section("/settings/analysis", AnalysisSettingsForm, "analysis_form")
def save_analysis(tenant, form) -> str:
    workspace.set_analysis_instructions(tenant, form.analysis_instructions.data)
    return "Analysis instructions saved. They apply to calls processed from now on."


@_section("/settings/language", SummaryLanguageForm, "language_form")
def save_language(tenant, form) -> str:
    workspace.set_summary_language(tenant, form.summary_language.data)
    return "Summary language saved. It applies to calls processed from now on."


@_section("/settings/budget", BudgetForm, "budget_form", guard=owner_required)
def save_budget(tenant, form) -> str:
    budget.set_budget(tenant, form.monthly_budget.data)
    if form.monthly_budget.data is None:
        return "Monthly budget removed. Calls waiting for it are sent on within a minute."
    return (
        f"Monthly budget set to ${budget.dollars(budget.to_micros(form.monthly_budget.data))}. "
        "Calls waiting for it are sent on within a minute if there is room."
    )


@_section("/settings/timezone", TimeZoneForm, "zone_form")
def save_timezone(tenant, form) -> str:
    workspace.set_timezone(tenant, form.timezone.data, form.phone_region.data)
    return f"Time zone saved: times are now shown in {form.timezone.data}."
