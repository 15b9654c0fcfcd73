"""Rate limits are shared by every web process (Redis), keyed so that a password guesser locks out only
their own address; signup and team adds are limited per address; memory only while Redis is down.

The first tests run a real gunicorn with two worker processes on the test database and Redis; client
addresses are simulated with X-Forwarded-For behind one trusted proxy (PROXY_FIX_HOPS=1).
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from helpers import AuthActions, csrf_from
from processes import free_port, gunicorn_args, healthy, spawn, stop_tree, tail, wait_for

from app.ratelimits import storage_uri
from app.services import accounts

ROOT = Path(__file__).resolve().parent.parent
EMAIL, PASSWORD = "owner@acme.test", "correct-horse-1"
LOGIN_LIMIT, LOGIN_IP_LIMIT = 10, 30  # the defaults: "10 per minute" and "30 per minute"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to look at, not to follow


class Browser:
    """A client at one (simulated) address, with its own cookies."""

    def __init__(self, base_url: str, address: str):
        self.base_url, self.address = base_url, address
        cookies = urllib.request.HTTPCookieProcessor(CookieJar())
        self.opener = urllib.request.build_opener(cookies, _NoRedirect)

    def request(self, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(  # noqa: S310 - our own server on loopback
            self.base_url + path, data=data, headers={"X-Forwarded-For": self.address}
        )
        try:
            with self.opener.open(req, timeout=20) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def login(self, email: str, password: str) -> int:
        status, page = self.request("/login")
        assert status == 200, status
        return self.request("/login", {"email": email, "password": password, "csrf_token": csrf_from(page)})[
            0
        ]


@pytest.fixture(scope="module")
def web(migrated, redis_url, tmp_path_factory):
    """gunicorn -w 2 serving the app on the test database and Redis, rate limits on (defaults)."""
    port, logs = free_port(), tmp_path_factory.mktemp("ratelimit-web")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PINECONE_", "RATELIMIT_"))},
        "DATABASE_URL": migrated,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-key",
        "SESSION_COOKIE_SECURE": "false",
        "PROXY_FIX_HOPS": "1",
        "RATELIMIT_ENABLED": "true",
        "LLM_PROVIDER": "offline",
        "EMBEDDINGS_PROVIDER": "offline",
        "VECTOR_STORE": "local",
    }
    for name in ("LOGIN_RATE_LIMIT", "LOGIN_IP_RATE_LIMIT", "RATELIMIT_STORAGE_URI"):
        env.pop(name, None)
    log = logs / "web.log"
    proc = spawn(gunicorn_args(port, logs, workers=2, threads=1), env, log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(base_url), 60, "gunicorn to serve", lambda: tail(log), proc=proc)
        yield base_url
    finally:
        stop_tree(proc)


@pytest.fixture
def account(app):
    """Acme's owner, in the database the web processes read (Redis is flushed per test by `app`)."""
    accounts.signup("Acme Plumbing", EMAIL, PASSWORD)


def test_wrong_passwords_hit_one_shared_limit_but_the_real_user_still_signs_in(web, account):
    attacker = Browser(web, "203.0.113.7")
    assert [attacker.login(EMAIL, "wrong-password-1") for _ in range(LOGIN_LIMIT)] == [400] * LOGIN_LIMIT
    # Two processes answered these; the count is shared, so every further try is refused.
    assert [attacker.login(EMAIL, "wrong-password-1") for _ in range(8)] == [429] * 8
    assert attacker.login(EMAIL, PASSWORD) == 429  # even the right password, from that address
    # The account's owner, elsewhere, is not locked out; the attacker may still try other accounts.
    assert Browser(web, "198.51.100.20").login(EMAIL, PASSWORD) == 302
    assert attacker.login("someone-else@acme.test", "wrong-password-1") == 400


def test_one_address_cannot_spray_passwords_over_many_accounts(web, account):
    sprayer = Browser(web, "203.0.113.99")
    statuses = [sprayer.login(f"user{i}@acme.test", "wrong-password-1") for i in range(LOGIN_IP_LIMIT)]
    assert statuses == [400] * LOGIN_IP_LIMIT
    assert [sprayer.login(f"late{i}@acme.test", "wrong-password-1") for i in range(4)] == [429] * 4
    assert Browser(web, "203.0.113.100").login(EMAIL, PASSWORD) == 302


# --------------------------------------------------------------------------- in-process


LIMITED = {"RATELIMIT_ENABLED": True, "PROXY_FIX_HOPS": 1}


def signup_from(app, address: str, email: str) -> int:
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return AuthActions(client).signup(email=email).status_code


@pytest.mark.parametrize("config_overrides", [{**LIMITED, "SIGNUP_RATE_LIMIT": "2 per hour"}], indirect=True)
def test_signup_is_limited_per_address(app):
    assert signup_from(app, "203.0.113.1", "a@one.test") == 302
    assert signup_from(app, "203.0.113.1", "b@one.test") == 302
    assert signup_from(app, "203.0.113.1", "c@one.test") == 429
    assert signup_from(app, "203.0.113.2", "d@two.test") == 302


@pytest.mark.parametrize(
    "config_overrides", [{**LIMITED, "TEAM_ADD_RATE_LIMIT": "2 per hour"}], indirect=True
)
def test_team_adds_are_limited(client, auth):
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
    auth.signup()

    def add(i):
        form = {"email": f"staff{i}@acme.test", "role": "member", "password": "staff-password-1"}
        return auth.post_form("/team", form).status_code

    assert [add(i) for i in range(3)] == [302, 302, 429]


@pytest.mark.parametrize("config_overrides", [{**LIMITED, "RATELIMIT_STORAGE_URI": ""}], indirect=True)
def test_limits_are_stored_in_redis_by_default(app, redis_url):
    assert app.config["RATELIMIT_STORAGE_URI"] == storage_uri(redis_url)
    assert storage_uri("unix:///tmp/redis.sock?db=2") == "redis+unix:///tmp/redis.sock?db=2"
    assert storage_uri("redis://cache:6379/1") == "redis://cache:6379/1"


REDIS_DOWN = {**LIMITED, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}  # nothing listens


@pytest.mark.parametrize("config_overrides", [REDIS_DOWN], indirect=True)
def test_with_redis_down_limits_are_counted_in_memory_with_a_warning(client, auth, caplog):
    caplog.set_level(logging.WARNING, logger="flask-limiter")
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    statuses = [
        auth.login("nobody@acme.test", "wrong-password-1").status_code for _ in range(LOGIN_LIMIT + 1)
    ]
    assert statuses == [400] * LOGIN_LIMIT + [429]
    assert "falling back to in-memory storage" in caplog.text
