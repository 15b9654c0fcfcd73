"""The machine API: ElevenLabs posts here."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")

from . import routes  # noqa: E402,F401
