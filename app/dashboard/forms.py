from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..services.workspace import SUMMARY_LANGUAGES


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


class SummaryLanguageForm(FlaskForm):
    summary_language = SelectField(
        "Write summaries, reasons and topics in",
        choices=[SelectChoice(code, label) for code, label in SUMMARY_LANGUAGES],
    )


class BudgetForm(FlaskForm):
    monthly_budget = DecimalField(
        "Monthly AI budget (US dollars)",
        places=2,
        validators=[
            Optional(),
            # Decimal bounds: a float 0.01 is a hair above Decimal("0.01"), which it would refuse.
            NumberRange(
                min=Decimal("0.01"), max=Decimal(10_000_000), message="Between 0.01 and 10,000,000 dollars."
            ),
        ],
    )
