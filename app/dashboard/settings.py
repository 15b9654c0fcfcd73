"""Workspace settings: the webhook signing secret, analysis guidance, time zone and phone region."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..services import workspace
from ..services.phones import region_for_zone
from ..tenancy import current_tenant
from ..web.decorators import admin_required
from ..web.forms import ConfirmForm
from . import bp
from .forms import AnalysisSettingsForm, TimeZoneForm, WebhookSecretForm


def _page(secret_form=None, analysis_form=None, zone_form=None, status: int = 200):
    tenant = current_tenant()
    return render_template(
        "dashboard/settings.html",
        tenant=tenant,
        secret_form=secret_form or WebhookSecretForm(),
        analysis_form=analysis_form
        or AnalysisSettingsForm(analysis_instructions=tenant.analysis_instructions),
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


@bp.post("/settings/timezone")
@admin_required
def save_timezone():
    form = TimeZoneForm()
    if not form.validate_on_submit():
        return _page(zone_form=form, status=400)
    workspace.set_timezone(current_tenant(), form.timezone.data, form.phone_region.data)
    flash(f"Time zone saved: times are now shown in {form.timezone.data}.", "success")
    return redirect(url_for("dashboard.settings"))
