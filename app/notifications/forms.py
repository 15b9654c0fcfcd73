"""The notification settings form; the URL check is the outbound guard's, so the rule is the same."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, URLField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from ..outbound import OutboundRefused, check_url
from .service import EMAIL_RE


class NotificationSettingsForm(FlaskForm):
    notify_url = URLField("Webhook URL", validators=[Optional(), Length(max=2000)])
    notify_email = EmailField(
        "Workspace e-mail address",
        validators=[Optional(), Length(max=254), Regexp(EMAIL_RE, message="Enter one e-mail address.")],
    )

    def validate_notify_url(self, field) -> None:
        try:
            field.data = check_url(field.data, allow_private=current_app.config["OUTBOUND_ALLOW_PRIVATE"])
        except OutboundRefused as exc:
            raise ValidationError(str(exc)) from None
