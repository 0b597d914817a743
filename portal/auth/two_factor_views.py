"""The second step of signing in, and officers' own two-factor settings."""

from __future__ import annotations

from flask import redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts import signing_in as sign_in_rules
from portal.accounts import two_factor
from portal.accounts.models import User
from portal.accounts.permissions import Action, allows, may
from portal.auth import bp
from portal.auth.forms import CodeForm
from portal.auth.views import PENDING_SIGN_IN, finish_sign_in, pending_user, sign_in_limit
from portal.extensions import limiter
from portal.rendering import render_page

WRONG_CODE = _l("Enter a correct code")
# Session keys: the secret being set up (not stored on the account until a code proves the
# app holds it), and recovery codes waiting to be shown once.
SETUP_SECRET, CODES_TO_SHOW = "two_factor_setup_secret", "recovery_codes_to_show"


@bp.before_app_request
def _admins_set_up_two_factor_first() -> WerkzeugResponse | None:
    """An admin without two-factor (an account from before it was required, or one whose
    codes were reset) sees nothing but the set-up page until it is done."""
    if (
        current_user.is_authenticated
        and two_factor.mandatory_for(current_user)
        and not current_user.has_two_factor
        and request.blueprint not in ("auth", None)
    ):
        return redirect(url_for("auth.set_up_two_factor"))
    return None


def _status(form: CodeForm, failed: bool) -> int:
    """422 for a code left out or wrong (said beside the box and in the error summary)."""
    if failed:
        form.code.errors = [str(WRONG_CODE)]
    return 422 if form.code.errors else 200


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@allows(Action.SIGN_IN)
def two_factor_code() -> WerkzeugResponse:
    user = pending_user()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if not user.has_two_factor:
        return redirect(url_for("auth.set_up_two_factor"))
    form = CodeForm()
    failed = False
    if form.validate_on_submit():
        if sign_in_rules.check_second_factor(user, form.code.data or "", request.remote_addr):
            return finish_sign_in(user, session.get(PENDING_SIGN_IN, {}).get("next"))
        failed = True
    return render_page("auth/two-factor-code.html", status=_status(form, failed), form=form)


def _who_is_setting_up() -> tuple[User | None, bool]:
    """The account being given two-factor, and whether it is still signing in: a signed-in
    officer or admin without it, or someone between password and code who has none yet."""
    if current_user.is_authenticated:
        if may(current_user.role, Action.MANAGE_TWO_FACTOR) and not current_user.has_two_factor:
            return current_user, False
        return None, False
    user = pending_user()
    if user is not None and not user.has_two_factor:
        return user, True
    return None, True


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@allows(Action.SIGN_IN)
def set_up_two_factor() -> WerkzeugResponse:
    user, signing_in = _who_is_setting_up()
    if user is None:
        return redirect(url_for("auth.sign_in" if signing_in else "auth.two_factor_settings"))
    secret = session.get(SETUP_SECRET) or two_factor.new_secret()
    session[SETUP_SECRET] = secret
    form = CodeForm()
    failed = False
    if form.validate_on_submit():
        codes = two_factor.confirm_setup(user, secret, form.code.data or "")
        if codes is not None:
            session.pop(SETUP_SECRET, None)
            if signing_in:
                sign_in_rules.complete_sign_in(
                    user, "after setting up two-factor authentication", request.remote_addr
                )
                finish_sign_in(user, None)
            session[CODES_TO_SHOW] = codes
            return redirect(url_for("auth.recovery_codes"), code=303)
        failed = True
    return render_page(
        "auth/two-factor-set-up.html",
        status=_status(form, failed),
        form=form,
        user=user,
        required=two_factor.mandatory_for(user),
        secret=two_factor.grouped(secret),
        qr_svg=two_factor.setup_qr_svg(user, secret),
    )


@bp.get("/two-factor/recovery-codes")
@allows(Action.MANAGE_TWO_FACTOR)
def recovery_codes() -> WerkzeugResponse:
    codes = session.pop(CODES_TO_SHOW, None)
    if not codes:
        return redirect(url_for("auth.two_factor_settings"))
    response = render_page("auth/recovery-codes.html", codes=codes)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/two-factor")
@allows(Action.MANAGE_TWO_FACTOR)
def two_factor_settings() -> WerkzeugResponse:
    return _settings_page(CodeForm())


def _settings_page(form: CodeForm, failed: bool = False) -> WerkzeugResponse:
    return render_page(
        "auth/two-factor.html",
        status=_status(form, failed),
        form=form,
        codes_left=two_factor.recovery_codes_left(current_user),
        required=two_factor.mandatory_for(current_user),
    )


@bp.post("/two-factor/recovery-codes")
@limiter.limit(sign_in_limit)
@allows(Action.MANAGE_TWO_FACTOR)
def new_recovery_codes() -> WerkzeugResponse:
    form = CodeForm()
    if not current_user.has_two_factor:
        return redirect(url_for("auth.two_factor_settings"), code=303)
    if not form.validate_on_submit():
        return _settings_page(form)
    if not sign_in_rules.confirm_with_code(
        current_user, form.code.data or "", "new recovery codes", request.remote_addr
    ):
        return _settings_page(form, failed=True)
    session[CODES_TO_SHOW] = two_factor.new_recovery_codes(current_user)
    return redirect(url_for("auth.recovery_codes"), code=303)


@bp.post("/two-factor/turn-off")
@limiter.limit(sign_in_limit)
@allows(Action.MANAGE_TWO_FACTOR)
def turn_off_two_factor() -> WerkzeugResponse:
    form = CodeForm()
    if not current_user.has_two_factor or two_factor.mandatory_for(current_user):
        # Admins must keep it: the page says so and offers no button.
        return redirect(url_for("auth.two_factor_settings"), code=303)
    if not form.validate_on_submit():
        return _settings_page(form)
    if not sign_in_rules.confirm_with_code(
        current_user, form.code.data or "", "turning it off", request.remote_addr
    ):
        return _settings_page(form, failed=True)
    two_factor.turn_off(current_user, by=current_user)
    return redirect(url_for("auth.two_factor_settings", turned_off="1"), code=303)
