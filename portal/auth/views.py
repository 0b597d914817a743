from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts import service
from portal.accounts.models import Role, User
from portal.auth import bp
from portal.auth.forms import SignInForm, SignOutForm
from portal.extensions import db, limiter, login_manager
from portal.rendering import render_page

SIGN_IN_FAILED = "Enter a correct email address and password"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _home_for(user: User) -> str:
    if user.is_staff:
        return url_for("officer.dashboard")
    if user.role == Role.SCHOOL:
        return url_for("school.dashboard")
    return url_for("public.index")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])
def sign_in() -> WerkzeugResponse:
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = service.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            next_url = _safe_next(request.args.get("next"))
            # A fresh session on sign-in: nothing set before it (by anyone) carries over.
            session.clear()
            login_user(user)
            return redirect(next_url or _home_for(user), code=303)
        failed = True
    status = 422 if (form.errors or failed) else 200
    return render_page("auth/sign-in.html", status=status, form=form, failed=failed)


@bp.post("/sign-out")
def sign_out() -> WerkzeugResponse:
    if SignOutForm().validate_on_submit():
        logout_user()
        session.clear()
    return redirect(url_for("auth.sign_in", signed_out="1"), code=303)
