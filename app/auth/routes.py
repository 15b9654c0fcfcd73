"""Signup, login and logout: the pages for visitors, and leaving."""

from __future__ import annotations

import functools

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..ratelimits import login_limits, signup_limit
from ..services import accounts
from ..web.redirects import safe_path
from . import bp
from .forms import LoginForm, SignupForm
from .session import sign_in, sign_out


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the calls list."""
    return safe_path(target) or url_for("dashboard.calls")


def _visitor_form(form_class, template: str):
    """A form page for visitors. A signed-in user goes to the calls list; a valid submission goes to
    the view, `view(form)`, which answers it, or returns None to show the form again with the errors
    it added. The page answers 400 while its form has errors."""

    def wrap(view):
        @functools.wraps(view)
        def page():
            if current_user.is_authenticated:
                return redirect(url_for("dashboard.calls"))
            form = form_class()
            if form.validate_on_submit():
                answer = view(form)
                if answer is not None:
                    return answer
            status = 400 if form.errors else 200
            return render_template(template, form=form), status

        return page

    return wrap


@bp.route("/signup", methods=["GET", "POST"])
@signup_limit
@_visitor_form(SignupForm, "auth/signup.html")
def signup(form):
    try:
        user = accounts.signup(
            form.tenant_name.data, form.email.data, form.password.data, timezone=form.timezone.data
        )
    except accounts.SignupError as exc:
        form.email.errors.append(str(exc))
        return None
    sign_in(user)
    flash(f"Welcome to CallDesk, {user.tenant.name}. Register your first agent to receive calls.", "success")
    return redirect(url_for("dashboard.agents"))


@bp.route("/login", methods=["GET", "POST"])
@login_limits
@_visitor_form(LoginForm, "auth/login.html")
def login(form):
    user = accounts.authenticate(form.email.data, form.password.data)
    if user is None:
        form.password.errors.append("Wrong email or password.")
        return None
    sign_in(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """Ends this session on the server: a saved copy of the cookie opens nothing afterwards."""
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
