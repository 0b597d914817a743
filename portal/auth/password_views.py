"""A forgotten password reset through an emailed link, a new account's first password set the
same way, and a signed-in user changing their own."""

from __future__ import annotations

import threading
from contextlib import suppress

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts import passwords
from portal.accounts.models import LinkPurpose
from portal.accounts.permissions import Action, allows
from portal.accounts.service import AccountError
from portal.auth import bp
from portal.auth.forms import ChangePasswordForm, ForgottenPasswordForm, NewPasswordForm
from portal.auth.views import SIGNED_IN_AT, finish_sign_in, sign_in_limit
from portal.extensions import limiter
from portal.mail import MailUnavailable
from portal.rendering import render_page

# Session key: the id of the link being used, kept here once the link is opened so that its
# token leaves the address bar, the browser's history and any Referer header. Only the id: the
# session cookie is signed, not encrypted, so a token in it could be read off the cookie.
PASSWORD_LINK = "password_link"  # noqa: S105 (a session key)


# The name of the threads answering reset requests (tests wait for them by it).
SENDING_THREAD = "password-reset-email"


def _reset_in_background(email: str) -> None:
    """Look the address up, store the link and send the email beside the answer rather than
    before it: the answer is then the same work, and takes the same time, whether or not the
    address has an account. (A callback when the response closes was tried first: the
    development server skips it when the browser drops the connection.) The thread has its
    own application context, so its own database session."""

    # A request context of its own, on this request's address (the link in the email may be
    # built on it), not a copy of this one: the copy would share the live request and session
    # with the view still answering, and signing-in state read by the email's template.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    base_url = request.host_url

    def reset() -> None:
        with app.test_request_context(base_url=base_url):
            try:
                message = passwords.request_reset(email)
                if message is not None:
                    with suppress(MailUnavailable):  # mail.py logs the failure
                        message.send()
            except Exception:  # the asker has had their answer: the log is the only place
                app.logger.exception("A forgotten-password request failed")

    threading.Thread(target=reset, name=SENDING_THREAD, daemon=True).start()


@bp.route("/forgotten-password", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@allows(Action.SIGN_IN)
def forgotten_password() -> WerkzeugResponse:
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        _reset_in_background(form.email.data or "")
        return redirect(url_for("auth.reset_link_sent"), code=303)
    return render_page(
        "auth/forgotten-password.html",
        status=422 if form.errors else 200,
        form=form,
        lasts=passwords.lasts(LinkPurpose.RESET),
    )


@bp.get("/forgotten-password/sent")
@allows(Action.SIGN_IN)
def reset_link_sent() -> WerkzeugResponse:
    """The same words whether or not the address has an account."""
    return render_page("auth/reset-link-sent.html", lasts=passwords.lasts(LinkPurpose.RESET))


@bp.get("/password-link/<token>")
@allows(Action.SIGN_IN)
def password_link(token: str) -> WerkzeugResponse:
    """Opening the emailed link uses nothing up (a mail scanner may open it first): it is
    checked, kept in the session and left out of the address."""
    link = passwords.valid_link(token)
    if link is None:
        return render_page("auth/password-link-expired.html", status=404)
    session[PASSWORD_LINK] = link.id
    return redirect(url_for("auth.choose_password"))


@bp.route("/choose-password", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@allows(Action.SIGN_IN)
def choose_password() -> WerkzeugResponse:
    link_id = session.get(PASSWORD_LINK)
    # Checked again on every request, the post too: used, expired or its account disabled
    # since it was opened, it no longer works.
    link = passwords.valid_link_by_id(link_id) if type(link_id) is int else None
    if link is None:
        session.pop(PASSWORD_LINK, None)
        return render_page("auth/password-link-expired.html", status=404)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.set_password_with_link(link.id, form.password.data or "")
        except passwords.LinkNotValid:
            session.pop(PASSWORD_LINK, None)
            return render_page("auth/password-link-expired.html", status=404)
        except AccountError as error:
            form.password.errors = [str(error)]
        else:
            # Whoever was signed in on this browser is signed out: the next sign-in is with
            # the new password (and the code, where the account has two-factor).
            logout_user()
            session.clear()
            flash(_("Your password is set. Sign in with it now."), "success")
            return redirect(url_for("auth.sign_in"), code=303)
    return render_page(
        "auth/choose-password.html",
        status=422 if form.errors else 200,
        form=form,
        link=link,
        new=link.purpose == LinkPurpose.NEW_ACCOUNT,
    )


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@allows(Action.CHANGE_OWN_PASSWORD)
def change_password() -> WerkzeugResponse:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        refused = passwords.change_password(
            current_user,
            form.current_password.data or "",
            form.password.data or "",
            request.remote_addr,
        )
        if refused is None:
            # Every session ended with the old password; this one carries on, on a fresh
            # session, as long as the sign-in it belongs to would have.
            signed_in_at = session.get(SIGNED_IN_AT)
            response = finish_sign_in(
                current_user._get_current_object(), url_for("auth.change_password")
            )
            session[SIGNED_IN_AT] = signed_in_at or session[SIGNED_IN_AT]
            flash(
                _(
                    "Your password is changed. Anywhere else your account was signed in, "
                    "it is signed out."
                ),
                "success",
            )
            return response
        form.current_password.errors = [str(refused)]
    return render_page("auth/change-password.html", status=422 if form.errors else 200, form=form)
