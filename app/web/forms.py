"""Forms more than one blueprint uses."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for POST buttons."""
