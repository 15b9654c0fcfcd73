"""Team: owners and admins add and remove staff of their own workspace; anyone changes their password."""

from __future__ import annotations

import pytest
from helpers import AuthActions, deliver, gen_workspace, sample_payload, second_workspace
from sqlalchemy import select

from app.extensions import db
from app.models import User


@pytest.fixture
def owner(auth):
    gen_workspace(auth)
    return auth


def _add(owner, email="staff@acme.test", role="member", password="staff-password-1"):
    return owner.post_form("/team", {"email": email, "role": role, "password": password})


def test_added_member_signs_in_to_the_same_workspace_and_only_reads(owner, client, app):
    call_id = deliver(client, sample_payload()).json["call_id"]
    assert _add(owner).status_code == 302
    member = AuthActions(app.test_client())
    assert member.login("staff@acme.test", "staff-password-1").status_code == 302
    assert member.client.get(f"/calls/{call_id}").status_code == 200
    assert member.post_form("/agents", {"agent_id": "agent_x", "name": "X"}).status_code == 403
    assert (
        member.post_form("/team", {"email": "x@acme.test", "role": "admin", "password": "p" * 12}).status_code
        == 403
    )


def test_add_member_validation(owner):
    assert _add(owner, email="not-an-email").status_code == 400
    assert _add(owner, password="short").status_code == 400
    assert _add(owner, role="superuser").status_code == 400
    assert _add(owner, email="owner@acme.test").status_code == 409
    assert db.session.query(User).count() == 1


def test_removed_member_loses_access_at_once(owner, app):
    _add(owner)
    member = AuthActions(app.test_client())
    member.login("staff@acme.test", "staff-password-1")
    staff_id = db.session.execute(select(User.id).where(User.email == "staff@acme.test")).scalar_one()
    assert owner.post_form(f"/team/{staff_id}/remove", {}, page="/team").status_code == 302
    assert member.client.get("/calls").status_code == 302  # session no longer maps to a user


def test_cannot_remove_yourself_or_another_tenants_user(owner, app):
    me = db.session.execute(select(User.id)).scalar_one()
    page = owner.post_form(f"/team/{me}/remove", {}, page="/team")
    assert "cannot remove yourself" in owner.client.get(page.location).get_data(as_text=True)
    other = second_workspace(app)
    theirs = db.session.execute(select(User.id).where(User.email == "b@beta.test")).scalar_one()
    assert owner.post_form(f"/team/{theirs}/remove", {}, page="/team").status_code == 404
    assert db.session.get(User, theirs) is not None
    assert other.get("/team").status_code == 200


def test_admin_cannot_remove_the_owner(owner, app):
    _add(owner, email="admin@acme.test", role="admin")
    admin = AuthActions(app.test_client())
    admin.login("admin@acme.test", "staff-password-1")
    owner_id = db.session.execute(select(User.id).where(User.role == "owner")).scalar_one()
    page = admin.client.get("/team").get_data(as_text=True)
    assert f"/team/{owner_id}/remove" not in page  # no button for what the server would refuse
    resp = admin.post_form(f"/team/{owner_id}/remove", {}, page="/team")
    assert "Only an owner can remove an owner" in admin.client.get(resp.location).get_data(as_text=True)
    assert db.session.get(User, owner_id) is not None


def test_change_password(owner):
    wrong = owner.post_form(
        "/account",
        {"current_password": "nope", "new_password": "new-password-12", "confirm": "new-password-12"},
    )
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    differ = owner.post_form(
        "/account",
        {
            "current_password": "correct-horse-1",
            "new_password": "new-password-12",
            "confirm": "other-password-1",
        },
    )
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
    ok = owner.post_form(
        "/account",
        {
            "current_password": "correct-horse-1",
            "new_password": "new-password-12",
            "confirm": "new-password-12",
        },
    )
    assert ok.status_code == 302
    owner.logout()
    assert owner.login(password="correct-horse-1").status_code == 400
    assert owner.login(password="new-password-12").status_code == 302


def test_changing_the_password_signs_out_other_sessions_but_not_this_one(owner, app):
    laptop = AuthActions(app.test_client())
    assert laptop.login().status_code == 302
    assert laptop.client.get("/calls").status_code == 200
    resp = owner.post_form(
        "/account",
        {
            "current_password": "correct-horse-1",
            "new_password": "new-password-12",
            "confirm": "new-password-12",
        },
    )
    assert resp.status_code == 302
    assert owner.client.get("/calls").status_code == 200
    assert laptop.client.get("/calls").status_code == 302
