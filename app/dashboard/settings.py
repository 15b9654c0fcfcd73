"""Workspace settings: the webhook signing secret and analysis guidance."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..services import workspace
from ..tenancy import current_tenant
from ..web.decorators import admin_required
from ..web.forms import ConfirmForm
from . import bp
from .forms import AnalysisSettingsForm, WebhookSecretForm


def _page(secret_form=None, analysis_form=None, status: int = 200):
    tenant = current_tenant()
    return render_template(
        "dashboard/settings.html",
        tenant=tenant,
        secret_form=secret_form or WebhookSecretForm(),
        analysis_form=analysis_form
        or AnalysisSettingsForm(analysis_instructions=tenant.analysis_instructions),
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
