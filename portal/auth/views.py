from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts import service, signing_in, two_factor
from portal.accounts.models import Role, User
from portal.accounts.permissions import Action, allows
from portal.auth import bp
from portal.auth.forms import SignInForm
from portal.extensions import db, limiter, login_manager
from portal.forms import ConfirmForm
from portal.rendering import render_page
from portal.url_values import whole_number

SIGN_IN_FAILED = _l("Enter a correct email address and password")


# Session keys: when this sign-in began and when the user was last seen (seconds since the
# epoch), for the idle and absolute session limits.
SIGNED_IN_AT, SEEN_AT, SIGNED_OUT_BECAUSE = "signed_in_at", "seen_at", "signed_out_because"
# A sign-in waiting for its two-factor code: who, since when, and where they were going.
PENDING_SIGN_IN = "pending_sign_in"
PENDING_SECONDS = 5 * 60


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user, unless their session has been idle or open too long: then they are
    signed out, and the sign-in page says why."""
    user_part, _, generation_part = user_id.partition(":")
    user_number, generation = whole_number(user_part), whole_number(generation_part)
    if user_number is None or generation is None:
        return None
    now = int(time.time())
    signed_in_at, seen_at = session.get(SIGNED_IN_AT, 0), session.get(SEEN_AT, 0)
    idle = now - seen_at > current_app.config["STAFF_IDLE_MINUTES"] * 60
    too_long = now - signed_in_at > current_app.config["STAFF_SESSION_HOURS"] * 3600
    if idle or too_long:
        session.clear()
        session[SIGNED_OUT_BECAUSE] = "idle" if idle else "too_long"
        return None
    user = db.session.get(User, user_number)
    if user is None or user.session_generation != generation:
        # Signed out since (here or elsewhere), or the password or account changed.
        session.clear()
        return None
    if now - seen_at >= 60:  # rewrite the cookie at most once a minute
        session[SEEN_AT] = now
    return user


def finish_sign_in(user: User, next_url: str | None) -> WerkzeugResponse:
    """Sign `user` in on a fresh session and send them on."""
    session.clear()
    login_user(user)
    session[SIGNED_IN_AT] = session[SEEN_AT] = int(time.time())
    return redirect(next_url or _home_for(user), code=303)


def pending_user() -> User | None:
    """Whoever gave a right password in the last few minutes and has a code still to give."""
    pending = session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict) or int(time.time()) - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING_SIGN_IN, None)
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or user.disabled or user.session_generation != pending.get("generation"):
        session.pop(PENDING_SIGN_IN, None)
        return None
    return user


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


def sign_in_limit() -> str:
    """The limit on password and two-factor attempts, each form counted per client address."""
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@allows(Action.SIGN_IN)
def sign_in() -> WerkzeugResponse:
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = signing_in.authenticate(
            form.email.data or "", form.password.data or "", request.remote_addr
        )
        if user is not None:
            next_url = _safe_next(request.args.get("next"))
            # A fresh session on sign-in: nothing set before it (by anyone) carries over.
            session.clear()
            if two_factor.required_for(user):
                session[PENDING_SIGN_IN] = {
                    "user": user.id,
                    # A new password, a disabled account or a two-factor reset meanwhile
                    # ends this half-finished sign-in too.
                    "generation": user.session_generation,
                    "at": int(time.time()),
                    "next": next_url,
                }
                step = "auth.two_factor_code" if user.has_two_factor else "auth.set_up_two_factor"
                return redirect(url_for(step), code=303)
            return finish_sign_in(user, next_url)
        failed = True
    status = 422 if (form.errors or failed) else 200
    return render_page(
        "auth/sign-in.html",
        status=status,
        form=form,
        failed=failed,
        signed_out_because=session.pop(SIGNED_OUT_BECAUSE, None),
    )


@bp.post("/sign-out")
@allows(Action.SIGN_IN)
def sign_out() -> WerkzeugResponse:
    if ConfirmForm().validate_on_submit():
        if current_user.is_authenticated:
            service.sign_out_everywhere(current_user, "signed out")
        logout_user()
        session.clear()
    return redirect(url_for("auth.sign_in", signed_out="1"), code=303)
