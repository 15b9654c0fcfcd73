"""Rate limits, counted in Redis so that every web process shares them; in memory only while Redis is
down (Flask-Limiter logs a warning "falling back to in-memory storage" and checks back now and then).

Login attempts count per (account, client address) and, looser, per address: an attacker guessing a
password locks out only their own address, not the account's real user, and cannot spray many
accounts from one address. Signup and adding team members count per address.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from redis.backoff import NoBackoff
from redis.retry import Retry

from .extensions import limiter


def storage_uri(redis_url: str) -> str:
    """The limits library's name for a Redis URL (it spells unix sockets redis+unix://)."""
    if redis_url.startswith("unix://"):
        return "redis+" + redis_url
    return redis_url


def init_limiter(app: Flask) -> None:
    """Bind the limiter: storage defaults to REDIS_URL, with short timeouts so an outage costs little."""
    cfg = app.config
    if not cfg.get("RATELIMIT_STORAGE_URI"):
        cfg["RATELIMIT_STORAGE_URI"] = storage_uri(cfg["REDIS_URL"])
    if cfg["RATELIMIT_STORAGE_URI"].startswith(("redis", "rediss", "valkey")):
        # redis-py's defaults (5 s timeouts, retries with backoff) would hold a login for seconds
        # before the limiter gives up on an unreachable Redis and counts in memory.
        cfg.setdefault(
            "RATELIMIT_STORAGE_OPTIONS",
            {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": Retry(NoBackoff(), 0)},
        )
    cfg.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    cfg.setdefault("RATELIMIT_STRATEGY", "moving-window")  # no burst at a window's edge
    cfg.setdefault("RATELIMIT_KEY_PREFIX", "calldesk")
    limiter.init_app(app)


def account_and_address() -> str:
    """The login form's account (hashed: no email addresses in Redis) and the client's address."""
    email = (request.form.get("email") or "").strip().lower()
    return f"{hashlib.sha256(email.encode()).hexdigest()[:24]}@{get_remote_address()}"


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def login_limits(view):
    """POST /login: LOGIN_RATE_LIMIT per (account, address) and LOGIN_IP_RATE_LIMIT per address."""
    view = limiter.limit(_setting("LOGIN_RATE_LIMIT"), key_func=account_and_address, methods=["POST"])(view)
    return limiter.limit(_setting("LOGIN_IP_RATE_LIMIT"), methods=["POST"])(view)


def signup_limit(view):
    """POST /signup: SIGNUP_RATE_LIMIT per address."""
    return limiter.limit(_setting("SIGNUP_RATE_LIMIT"), methods=["POST"])(view)


def team_add_limit(view):
    """POST /team: TEAM_ADD_RATE_LIMIT per address."""
    return limiter.limit(_setting("TEAM_ADD_RATE_LIMIT"), methods=["POST"])(view)
