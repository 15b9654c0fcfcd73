from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..services import phones, timezones
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


class TimeZoneForm(FlaskForm):
    timezone = SelectField("Time zone", validate_choice=False)
    phone_region = StringField("Phone region", validators=[Optional(), Length(min=2, max=2)])

    def __init__(self, *args, current: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        zones = ("UTC", *timezones.all_zones())
        if current and current not in zones:  # an older alias the browser gave at signup stays selectable
            zones = (current, *zones)
        self.timezone.choices = [(z, z.replace("_", " ")) for z in zones]

    def validate_timezone(self, field):
        if not timezones.valid(field.data):
            raise ValidationError("Choose a time zone from the list (e.g. Europe/London).")

    def validate_phone_region(self, field):
        if field.data and not phones.valid_region(field.data.strip()):
            raise ValidationError("Use a two-letter country code such as GB, US or IN.")
