"""Staff accounts: signup, login and logout, the team page and each user's own account page."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import routes, session, team  # noqa: E402,F401
