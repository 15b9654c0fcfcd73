from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

MIN_PASSWORD = 10
# A shape check only: self-hosted teams use intranet domains (corp.local) that strict validators refuse.
EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address.")


def new_password_field(label: str) -> PasswordField:
    """A password being chosen: the one length rule for signup, new members and password changes."""
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=256, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
    )


class SignupForm(FlaskForm):
    tenant_name = StringField("Company name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Work email", validators=[DataRequired(), Length(max=254), EMAIL_SHAPE])
    password = new_password_field("Password")
    # Filled by static/app.js with the browser's zone; the server keeps it only if it is a real zone.
    timezone = HiddenField(render_kw={"data-browser-timezone": ""})


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class AddMemberForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), EMAIL_SHAPE])
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("member", "Member: reads calls, retries processing"),
            SelectChoice("admin", "Admin: also manages agents, settings and the team"),
        ],
    )
    password = new_password_field("Initial password")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    new_password = new_password_field("New password")
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", "The passwords differ.")],
    )
