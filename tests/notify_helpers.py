"""Helpers for the notification tests: configure a workspace's receiver, read what it got."""

from __future__ import annotations

import re

from standardwebhooks import Webhook

SECRET_RE = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")
PAGE = "/settings/notifications"
BASE_CONFIG = {"OUTBOUND_ALLOW_PRIVATE": True, "NOTIFY_RETRY_INTERVALS": [0, 0, 0]}


def save_notifications(auth, url: str, email: str = ""):
    """POST the settings form the way a browser does; returns the response."""
    return auth.post_form(PAGE, {"notify_url": url, "notify_email": email})


def configure(auth, url: str, email: str = "") -> str:
    """Save a first URL; returns the signing secret the answer shows (once)."""
    response = save_notifications(auth, url, email)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    match = SECRET_RE.search(response.get_data(as_text=True))
    assert match, "the first save shows the new signing secret"
    return match.group(0)


def verified(request: dict, secret: str) -> dict:
    """The body of a received request, after the standardwebhooks reference verifier accepted it."""
    return Webhook(secret).verify(request["body"], request["headers"])
