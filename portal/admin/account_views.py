"""Staff accounts: administrators create them (the owner is emailed a link to choose a
password), send a new link, disable (after a confirmation page) and enable them again."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts import passwords
from portal.accounts import service as accounts
from portal.accounts.models import LinkPurpose, User
from portal.accounts.permissions import Action, allows
from portal.admin import bp
from portal.admin.forms import ROLE_ACCOUNTS, ROLE_HINTS, ROLE_NAMES, NewAccountForm
from portal.extensions import db
from portal.forms import ConfirmForm
from portal.mail import MailUnavailable
from portal.rendering import render_page
from portal.schools.service import schools_in


@bp.context_processor
def _role_words() -> dict[str, object]:
    return {"role_names": ROLE_NAMES, "role_accounts": ROLE_ACCOUNTS, "role_hints": ROLE_HINTS}


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _send(message: passwords.LinkEmail, created: bool) -> None:
    """Send the link, and say on the next page whether it went: after creating the account, or
    after making a new link."""
    try:
        message.send()
    except MailUnavailable:
        if created:
            text = _(
                "Account created, but the email to %(email)s could not be sent: email is not "
                "set up or the mail server refused it. Try \u201cSend a new link\u201d later.",
                email=message.to,
            )
        else:
            text = _(
                "A new link is made and earlier ones no longer work, but the email to %(email)s "
                "could not be sent: email is not set up or the mail server refused it. Try "
                "\u201cSend a new link\u201d later.",
                email=message.to,
            )
        flash(text, "error")
        return
    if created:
        flash(
            _(
                "Account created. We have emailed %(email)s a link to choose a password.",
                email=message.to,
            ),
            "success",
        )
    else:
        flash(
            _(
                "A new link is made and earlier ones no longer work. We have emailed %(email)s a "
                "link to choose a password.",
                email=message.to,
            ),
            "success",
        )


@bp.get("/users")
@allows(Action.MANAGE_USERS)
def users() -> WerkzeugResponse:
    return render_page("admin/users.html", users=accounts.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@allows(Action.MANAGE_USERS)
def new_user() -> WerkzeugResponse:
    # A closed school gets no new accounts (its page says so too): only open ones are offered,
    # so a closed school's id, posted anyway, is refused as no choice.
    by_name = sorted(schools_in(open_only=True), key=lambda school: school.name.casefold())
    schools = [(str(school.id), f"{school.name} ({school.shown_number})") for school in by_name]
    form = NewAccountForm(schools)
    if form.validate_on_submit():
        try:
            created, message = passwords.invite(
                form.email.data or "", form.role.data or "", form.school_id, by=current_user
            )
        except accounts.AccountError as error:
            form.email.errors = [str(error)]
        else:
            _send(message, created=True)
            return redirect(url_for("admin.user", user_id=created.id), code=303)
    return render_page(
        "admin/new-user.html",
        status=422 if form.errors else 200,
        form=form,
        lasts=passwords.lasts(LinkPurpose.NEW_ACCOUNT),
    )


@bp.get("/users/<int:user_id>")
@allows(Action.MANAGE_USERS)
def user(user_id: int) -> WerkzeugResponse:
    return render_page(
        "admin/user.html",
        account=_account(user_id),
        form=ConfirmForm(),
        lasts=passwords.lasts,
        purposes=LinkPurpose,
    )


@bp.post("/users/<int:user_id>/password-link")
@allows(Action.MANAGE_USERS)
def send_password_link(user_id: int) -> WerkzeugResponse:
    account = _account(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            message = passwords.send_again(account, by=current_user)
        except accounts.AccountError as error:
            flash(str(error), "error")
        else:
            _send(message, created=False)
    return redirect(url_for("admin.user", user_id=account.id), code=303)


@bp.route("/users/<int:user_id>/disable", methods=["GET", "POST"])
@allows(Action.MANAGE_USERS)
def disable_user(user_id: int) -> WerkzeugResponse:
    """A confirmation page first: disabling signs the person out at once, wherever they are."""
    account = _account(user_id)
    if account.id == current_user.id:
        flash(_("You cannot disable your own account. Ask another administrator."), "error")
        return redirect(url_for("admin.user", user_id=account.id), code=303)
    if account.disabled:
        return redirect(url_for("admin.user", user_id=account.id), code=303)
    form = ConfirmForm()
    if form.validate_on_submit():
        accounts.set_disabled(account.email, True, by=current_user)
        flash(_("%(email)s is disabled and signed out everywhere.", email=account.email), "success")
        return redirect(url_for("admin.user", user_id=account.id), code=303)
    return render_page("admin/disable-user.html", account=account, form=form)


@bp.post("/users/<int:user_id>/enable")
@allows(Action.MANAGE_USERS)
def enable_user(user_id: int) -> WerkzeugResponse:
    account = _account(user_id)
    if not (ConfirmForm().validate_on_submit() and account.disabled):
        return redirect(url_for("admin.user", user_id=account.id), code=303)
    if account.school is not None and not account.school.is_open:
        # Closing the school disabled the account; reopening it first keeps them in step.
        flash(
            _(
                "%(school)s is closed, so its accounts stay disabled. An officer reopens the "
                "school first.",
                school=account.school.name,
            ),
            "error",
        )
    else:
        accounts.set_disabled(account.email, False, by=current_user)
        flash(
            _("%(email)s can sign in again, with the password they had.", email=account.email),
            "success",
        )
    return redirect(url_for("admin.user", user_id=account.id), code=303)
