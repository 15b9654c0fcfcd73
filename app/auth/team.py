"""The workspace's staff: owners and admins add and remove members; everyone can change their password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..models import User
from ..ratelimits import team_add_limit
from ..services import accounts
from ..tenancy import current_tenant, get_or_404, scoped
from ..web.decorators import admin_required
from ..web.forms import ConfirmForm
from . import bp
from .forms import AddMemberForm, ChangePasswordForm
from .session import current_session_id, end_sessions, live_sessions, sign_out


def _team_page(form: AddMemberForm, status: int = 200):
    members = db.session.execute(scoped(User).order_by(User.created_at)).scalars().all()
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
    try:
        user = accounts.add_member(current_tenant().id, form.email.data, form.role.data, form.password.data)
    except accounts.SignupError as exc:
        form.email.errors.append(str(exc))
        return _team_page(form, 409)
    flash(
        f"{user.email} can now sign in with the password you chose; ask them to change it under Account.",
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
    try:
        accounts.remove_member(current_user, member)
    except accounts.TeamError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{member.email} was removed and can no longer sign in.", "info")
    return redirect(url_for("auth.team"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if accounts.change_password(current_user, form.current_password.data, form.new_password.data):
            end_sessions(current_user, keep_current=True)  # whoever knew the old one is signed out
            flash("Your password was changed. Other sessions were signed out.", "success")
            return redirect(url_for("auth.account"))
        form.current_password.errors.append("This is not your current password.")
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
