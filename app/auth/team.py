"""The workspace's staff: owners and admins add and remove members; everyone can change their password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..dashboard.decorators import admin_required
from ..dashboard.forms import ConfirmForm
from ..extensions import db
from ..models import User
from ..passwords import check_password, hash_password
from ..ratelimits import team_add_limit
from ..tenancy import current_tenant, get_or_404
from . import bp
from .forms import AddMemberForm, ChangePasswordForm
from .service import normalize_email
from .session import current_session_id, end_sessions, live_sessions, sign_out


def _team_page(form: AddMemberForm, status: int = 200):
    members = (
        db.session.execute(
            select(User).where(User.tenant_id == current_tenant().id).order_by(User.created_at)
        )
        .scalars()
        .all()
    )
    return render_template("auth/team.html", members=members, form=form, confirm=ConfirmForm()), status


@bp.get("/team")
@login_required
def team():
    return _team_page(AddMemberForm())


@bp.post("/team")
@login_required
@admin_required
@team_add_limit
def add_member():
    form = AddMemberForm()
    if not form.validate_on_submit():
        return _team_page(form, 400)
    email = normalize_email(form.email.data)
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first():
        form.email.errors.append("An account with this email already exists.")
        return _team_page(form, 409)
    db.session.add(
        User(
            tenant_id=current_tenant().id,
            email=email,
            role=form.role.data,
            password_hash=hash_password(form.password.data),
        )
    )
    db.session.commit()
    flash(
        f"{email} can now sign in with the password you chose; ask them to change it under Account.",
        "success",
    )
    return redirect(url_for("auth.team"))


@bp.post("/team/<user_id>/remove")
@login_required
@admin_required
def remove_member(user_id):
    member = get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.team"))
    if member.id == current_user.id:
        flash("You cannot remove yourself.", "error")
    elif member.role == "owner" and current_user.role != "owner":
        flash("Only an owner can remove an owner.", "error")
    else:
        db.session.delete(member)
        db.session.commit()
        flash(f"{member.email} was removed and can no longer sign in.", "info")
    return redirect(url_for("auth.team"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        else:
            current_user.password_hash = hash_password(form.new_password.data)
            db.session.commit()
            end_sessions(current_user, keep_current=True)  # whoever knew the old one is signed out
            flash("Your password was changed. Other sessions were signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html",
        form=form,
        confirm=ConfirmForm(),
        sessions=live_sessions(current_user),
        this_session=current_session_id(),
    ), 400 if form.errors else 200


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of this user, this browser's included (a lost laptop, a shared computer)."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    end_sessions(current_user)
    sign_out()
    flash("You are signed out everywhere, on every device.", "info")
    return redirect(url_for("auth.login"))
