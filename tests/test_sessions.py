"""Server-side sessions: signing out ends the session for whoever holds a copy of its cookie;
"Sign out everywhere" ends them all; old and expired cookies open nothing; a request costs no write."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from helpers import AuthActions, csrf_from
from sqlalchemy import select, update

from app.extensions import db
from app.models import User, UserSession, utcnow


@pytest.fixture
def owner(auth):
    assert auth.signup().status_code == 302
    return auth


def copy_of_cookie(app, client):
    """A second browser holding the same session cookie (a stolen or saved copy)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def sessions_of(email: str = "owner@acme.test") -> list[UserSession]:
    db.session.expire_all()
    user_id = select(User.id).where(User.email == email).scalar_subquery()
    return list(db.session.execute(select(UserSession).where(UserSession.user_id == user_id)).scalars())


def test_a_cookie_saved_before_logout_no_longer_opens_the_app(app, client, owner):
    saved = copy_of_cookie(app, client)
    assert saved.get("/calls").status_code == 200  # the copy works while the session lives
    assert owner.logout().status_code == 302
    assert saved.get("/calls").status_code == 302
    assert client.get("/calls").status_code == 302
    assert sessions_of()[0].revoked_at is not None


def test_signing_out_ends_only_that_session(app, client, owner):
    laptop = AuthActions(app.test_client())
    assert laptop.login().status_code == 302
    owner.logout()
    assert laptop.client.get("/calls").status_code == 200


def test_sign_out_everywhere_ends_every_session_of_that_user_only(app, client, owner):
    laptop = AuthActions(app.test_client())
    laptop.login()
    colleague = AuthActions(app.test_client())
    colleague.signup("Other Co", "boss@other.test")

    page = client.get("/account").get_data(as_text=True)
    assert page.count("<tr data-session") == 2 and page.count("(this browser)") == 1
    assert 'action="/account/sign-out-everywhere"' in page and "data-confirm=" in page
    assert client.post("/account/sign-out-everywhere").status_code == 400  # no CSRF token: refused
    assert laptop.client.get("/calls").status_code == 200

    resp = client.post("/account/sign-out-everywhere", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302 and resp.location.endswith("/login")
    assert client.get("/calls").status_code == 302
    assert laptop.client.get("/calls").status_code == 302
    assert colleague.client.get("/calls").status_code == 200
    assert all(s.revoked_at is not None for s in sessions_of())


def test_a_cookie_from_before_server_sessions_is_signed_out(client, owner):
    """Cookies used to hold "<user id>:<password fingerprint>"; such a cookie now opens nothing."""
    user = db.session.execute(select(User)).scalar_one()
    fingerprint = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
    with client.session_transaction() as cookie:
        cookie["_user_id"] = f"{user.id}:{fingerprint}"
    assert client.get("/calls").status_code == 302


def test_a_session_ends_on_the_server_after_its_lifetime(app, client, owner):
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    db.session.execute(update(UserSession).values(created_at=utcnow() - lifetime + timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/calls").status_code == 200
    db.session.execute(update(UserSession).values(created_at=utcnow() - lifetime - timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/calls").status_code == 302


def test_last_seen_is_written_at_most_every_few_minutes(client, owner):
    first = sessions_of()[0].last_seen_at
    for _ in range(3):
        assert client.get("/calls").status_code == 200
    assert sessions_of()[0].last_seen_at == first  # no write per request
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    client.get("/calls")
    assert sessions_of()[0].last_seen_at > utcnow() - timedelta(minutes=1)


def test_the_cookie_holds_a_token_and_the_database_only_its_hash(client, owner):
    with client.session_transaction() as cookie:
        token = cookie["_user_id"]
    user = db.session.execute(select(User)).scalar_one()
    assert str(user.id) not in token.split(":") and len(token) >= 40
    (row,) = sessions_of()
    assert row.id == hashlib.sha256(token.encode()).hexdigest() and token not in row.id


def test_removing_a_member_deletes_their_sessions(app, owner):
    owner.post_form("/team", {"email": "staff@acme.test", "role": "member", "password": "staff-password-1"})
    AuthActions(app.test_client()).login("staff@acme.test", "staff-password-1")
    assert len(sessions_of("staff@acme.test")) == 1
    staff_id = db.session.execute(select(User.id).where(User.email == "staff@acme.test")).scalar_one()
    owner.post_form(f"/team/{staff_id}/remove", {}, page="/team")
    assert db.session.execute(select(UserSession).where(UserSession.user_id == staff_id)).first() is None


def test_a_password_change_ends_the_other_sessions_rows(app, client, owner):
    AuthActions(app.test_client()).login()
    owner.post_form(
        "/account",
        {
            "current_password": "correct-horse-1",
            "new_password": "new-password-12",
            "confirm": "new-password-12",
        },
    )
    live = [s for s in sessions_of() if s.revoked_at is None]
    assert len(live) == 1 and client.get("/account").status_code == 200
