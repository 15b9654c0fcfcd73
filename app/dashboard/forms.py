from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class AgentForm(FlaskForm):
    agent_id = StringField(
        "ElevenLabs agent ID",
        validators=[
            DataRequired(),
            Length(max=128),
            Regexp(r"^[A-Za-z0-9_\-]+$", message="Letters, digits, _ and - only, as shown in ElevenLabs."),
        ],
    )
    name = StringField("Display name", validators=[DataRequired(), Length(max=120)])


class WebhookSecretForm(FlaskForm):
    webhook_secret = PasswordField(
        "Webhook signing secret",
        validators=[
            DataRequired(),
            Length(min=16, max=256, message="Paste the whole secret (16+ characters)."),
        ],
    )


class AnalysisSettingsForm(FlaskForm):
    analysis_instructions = TextAreaField(
        "Custom analysis instructions", validators=[Optional(), Length(max=2000)]
    )
