"""Signup, login, logout: the audience is staff who are not signed in yet."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import routes, session, team  # noqa: E402,F401
