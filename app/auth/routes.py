from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..ratelimits import login_limits, signup_limit
from ..services import accounts
from . import bp
from .forms import LoginForm, SignupForm
from .session import sign_in, sign_out


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the calls list."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.calls")


@bp.route("/signup", methods=["GET", "POST"])
@signup_limit
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.calls"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.signup(form.tenant_name.data, form.email.data, form.password.data)
        except accounts.SignupError as exc:
            form.email.errors.append(str(exc))
        else:
            sign_in(user)
            flash(
                f"Welcome to CallDesk, {user.tenant.name}. Register your first agent to receive calls.",
                "success",
            )
            return redirect(url_for("dashboard.agents"))
    status = 400 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.calls"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong email or password.")
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Ends this session on the server: a saved copy of the cookie opens nothing afterwards."""
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
