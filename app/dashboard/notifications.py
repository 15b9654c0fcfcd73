"""Settings → Notifications: where a workspace's events go, its signing secret, and every attempt."""

from __future__ import annotations

import json

from flask import current_app, flash, make_response, redirect, render_template, url_for
from sqlalchemy import select

from ..extensions import db, htmx
from ..models import DeliveryAttempt, OutboundEvent
from ..notifications import EVENT_TYPES, notify, rotate_secret, save_settings, settings_for
from ..notifications.forms import NotificationSettingsForm
from ..tenancy import current_tenant, get_or_404, scoped
from ..web.decorators import admin_required
from ..web.forms import ConfirmForm
from . import bp

RECENT_ATTEMPTS = 50


def _no_store(response):
    """These pages may carry a signing secret: never keep them in a cache or the history."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _attempts():
    return (
        db.session.execute(
            scoped(DeliveryAttempt)
            .order_by(DeliveryAttempt.started_at.desc(), DeliveryAttempt.id.desc())
            .limit(RECENT_ATTEMPTS)
        )
        .scalars()
        .all()
    )


def _any_pending() -> bool:
    """While an event is on its way, the attempts list refreshes itself."""
    pending = scoped(OutboundEvent).where(
        (OutboundEvent.status == "pending") | (OutboundEvent.email_status == "pending")
    )
    return db.session.execute(pending.limit(1)).first() is not None


def _page(form=None, new_secret: str | None = None, status: int = 200):
    settings = settings_for(current_tenant().id)
    if form is None:
        form = NotificationSettingsForm(
            notify_url=settings.url if settings else None, notify_email=settings.email if settings else None
        )
    html = render_template(
        "dashboard/notifications.html",
        settings=settings,
        form=form,
        confirm=ConfirmForm(),
        new_secret=new_secret,
        attempts=_attempts(),
        polling=_any_pending(),
        event_types=EVENT_TYPES,
        email_enabled=bool(current_app.config["SMTP_URL"]),
    )
    return _no_store((html, status))


@bp.get("/settings/notifications")
def notify_settings():
    if htmx and htmx.target == "notify-attempts":
        return _no_store(
            render_template("dashboard/_notify_attempts.html", attempts=_attempts(), polling=_any_pending())
        )
    return _page()


@bp.post("/settings/notifications")
@admin_required
def notify_settings_save():
    form = NotificationSettingsForm()
    if not form.validate_on_submit():
        return _page(form=form, status=400)
    secret = save_settings(current_tenant().id, form.notify_url.data, form.notify_email.data)
    if secret:  # shown in this answer only: never stored in the session, never shown again
        return _page(new_secret=secret)
    flash("Notification settings saved.", "success")
    return redirect(url_for("dashboard.notify_settings"))


@bp.post("/settings/notifications/rotate")
@admin_required
def notify_settings_rotate():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("dashboard.notify_settings"))
    return _page(new_secret=rotate_secret(current_tenant().id))


@bp.post("/settings/notifications/test")
@admin_required
def notify_settings_test():
    if ConfirmForm().validate_on_submit():
        tenant = current_tenant()
        data = {"message": "Test event from CallDesk Settings.", "workspace": tenant.slug}
        if notify(tenant.id, "test", data):
            flash("Test event queued: its attempts appear below.", "success")
        elif current_app.config["SMTP_URL"]:
            flash("Nothing to send: set a webhook URL or an e-mail address first.", "error")
        else:
            flash("Nothing to send: set a webhook URL first (e-mail is off on this server).", "error")
    return redirect(url_for("dashboard.notify_settings"))


@bp.get("/settings/notifications/attempts/<attempt_id>")
def notify_settings_attempt(attempt_id):
    attempt = get_or_404(DeliveryAttempt, attempt_id)
    event = db.session.execute(scoped(OutboundEvent).where(OutboundEvent.id == attempt.event_id)).scalar_one()
    others = (
        db.session.execute(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.event_id == event.id, DeliveryAttempt.tenant_id == event.tenant_id)
            .order_by(DeliveryAttempt.id)
        )
        .scalars()
        .all()
    )
    body = json.dumps(json.loads(event.body), indent=2, ensure_ascii=False)
    return _no_store(
        render_template(
            "dashboard/notify_attempt.html", attempt=attempt, event=event, body=body, others=others
        )
    )
