"""Accounts: signup, login, logout, session cookies, CSRF, and which pages need a login."""

from __future__ import annotations

import pytest
from helpers import csrf_from
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Tenant, User

PROTECTED = [
    "/",
    "/calls",
    "/calls/1",
    "/calls/1/similar",
    "/callbacks",
    "/live",
    "/search",
    "/analytics",
    "/jobs",
    "/deliveries",
    "/deliveries/1",
    "/agents",
    "/settings",
    "/team",
    "/account",
    "/admin/rq/",
]


def test_signup_creates_tenant_and_owner_and_signs_in(client, auth):
    resp = auth.signup("Riverside Plumbing", "Boss@River.test")
    assert resp.status_code == 302
    user = db.session.execute(select(User)).scalar_one()
    assert user.email == "boss@river.test"
    assert user.role == "owner"
    assert user.tenant.name == "Riverside Plumbing"
    assert user.tenant.slug == "riverside-plumbing"
    assert client.get("/calls").status_code == 200


def test_password_is_hashed_with_argon2id_at_owasp_strength(auth):
    auth.signup(password="correct-horse-1")
    stored = db.session.execute(select(User.password_hash)).scalar_one()
    assert "correct-horse-1" not in stored
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


def test_signup_rejects_duplicate_email_and_short_password(client, auth):
    auth.signup(email="a@acme.test")
    auth.logout()
    again = auth.signup(tenant_name="Other", email="A@acme.test")
    assert again.status_code == 400
    assert "already exists" in again.get_data(as_text=True)
    short = auth.signup(tenant_name="Other", email="b@acme.test", password="short")
    assert short.status_code == 400
    assert "at least 10 characters" in short.get_data(as_text=True)
    assert db.session.query(Tenant).count() == 1


def test_login_and_logout(client, auth):
    auth.signup()
    auth.logout()
    assert client.get("/calls").status_code == 302
    assert auth.login(password="wrong-password").status_code == 400
    assert client.get("/calls").status_code == 302
    resp = auth.login()
    assert resp.status_code == 302 and resp.location.endswith("/calls")
    assert client.get("/calls").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/calls").status_code == 302


def test_login_error_does_not_reveal_whether_email_exists(client, auth):
    auth.signup()
    auth.logout()
    unknown = auth.login(email="nobody@acme.test", password="whatever-123").get_data(as_text=True)
    wrong = auth.login(password="whatever-123").get_data(as_text=True)
    assert "Wrong email or password." in unknown and "Wrong email or password." in wrong


def test_login_ignores_offsite_next(client, auth):
    auth.signup()
    auth.logout()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    data = {"email": "owner@acme.test", "password": "correct-horse-1", "csrf_token": token}
    resp = client.post("/login?next=//evil.example/x", data=data)
    assert resp.location.endswith("/calls")


@pytest.mark.parametrize("path", PROTECTED)
def test_pages_require_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert "/login" in resp.location


def test_htmx_request_without_session_gets_401_and_hx_redirect(client):
    resp = client.get("/calls", headers={"HX-Request": "true"})
    assert resp.status_code == 401
    assert resp.headers["HX-Redirect"].startswith("/login")


@pytest.mark.parametrize("path", ["/login", "/signup", "/healthz"])
def test_public_pages_answer_without_login(client, path):
    assert client.get(path).status_code == 200


def test_forms_without_csrf_token_are_refused(client, auth):
    resp = client.post("/signup", data={"tenant_name": "X", "email": "x@x.test", "password": "long-enough-1"})
    assert resp.status_code == 400
    assert db.session.query(User).count() == 0
    auth.signup()
    assert client.post("/logout").status_code == 400
    assert client.post("/agents", data={"agent_id": "a1", "name": "n"}).status_code == 400


def test_logout_is_post_only(client, auth):
    auth.signup()
    assert client.get("/logout").status_code == 405


def test_session_cookie_flags_in_production(migrated, redis_url, monkeypatch):
    app = create_app({"SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://", "REDIS_URL": redis_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_session_cookie_is_httponly_and_lax(client, auth):
    resp = auth.signup()
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_to_start_without_secret_key(redis_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://", "REDIS_URL": redis_url})
