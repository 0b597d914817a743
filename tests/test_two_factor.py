"""Two-factor authentication: required for admins, optional for officers, with recovery codes."""

from __future__ import annotations

import re
import time

import pyotp
import sqlalchemy as sa
from flask import url_for

from portal.accounts import service as accounts
from portal.accounts import signing_in, two_factor
from portal.accounts.models import RecoveryCode, Role, SignInLock, User
from portal.accounts.signing_in import LOCK_AFTER
from portal.audit import AuditEntry
from portal.extensions import db
from tests.factories import PASSWORD, TOTP_SECRET, create_user, sign_in, totp_now
from tests.mail import body_of


def _password_step(client, user: User):
    page = client.get_page(url_for("auth.sign_in"))
    return client.post(
        url_for("auth.sign_in"),
        data={"email": user.email, "password": PASSWORD, "csrf_token": page.csrf_token()},
    )


def _post_code(client, endpoint: str, code: str):
    page = client.get_page(url_for(endpoint))
    return client.post_page(url_for(endpoint), data={"code": code, "csrf_token": page.csrf_token()})


def _shown_secret(client) -> str:
    page = client.get_page(url_for("auth.set_up_two_factor"))
    assert page.soup.select_one("svg[role=img] title"), "the QR code has a text alternative"
    return "".join(page.soup.select_one(".app-setup-key code").get_text().split())


def _recovery_codes(client) -> list[str]:
    page = client.get_page(url_for("auth.recovery_codes"))
    assert page.h1 == "Two-factor authentication is on"
    return [li.get_text(strip=True) for li in page.soup.select(".app-recovery-codes li")]


def _signed_in(client) -> bool:
    return client.get(url_for("officer.dashboard")).status_code == 200


def _actions(user: User) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.subject == f"user:{user.email}")
            .order_by(AuditEntry.id)
        )
    )


def test_an_admin_without_it_must_set_it_up_before_signing_in(client):
    admin = create_user(Role.ADMIN, email="admin@council.example", totp_secret=None)
    response = _password_step(client, admin)
    assert response.headers["Location"] == url_for("auth.set_up_two_factor")
    assert not _signed_in(client)  # the password alone signs nobody in

    secret = _shown_secret(client)
    wrong = _post_code(client, "auth.set_up_two_factor", "000000")
    assert wrong.status == 422
    assert wrong.error_summary() == ["Enter a correct code"]
    assert db.session.get(User, admin.id).totp_secret is None

    right = _post_code(client, "auth.set_up_two_factor", pyotp.TOTP(secret).now())
    assert right.status == 303
    codes = _recovery_codes(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    # Shown once: the page does not give them again.
    assert client.get(url_for("auth.recovery_codes")).status_code == 302
    assert client.get(url_for("admin.users")).status_code == 200
    stored = db.session.get(User, admin.id)
    assert stored.totp_secret == secret
    hashes = set(db.session.scalars(sa.select(RecoveryCode.code_hash)))
    assert len(hashes) == 10 and not {c.replace("-", "") for c in codes} & hashes
    assert _actions(admin)[-3:] == [
        "password accepted",
        "turned on two-factor authentication",
        "signed in",
    ]


def test_an_admin_whose_two_factor_is_reset_is_signed_out_and_sees_only_the_set_up_page(client):
    admin = create_user(Role.ADMIN)
    sign_in(client, admin)
    assert client.get(url_for("admin.users")).status_code == 200
    app_runner = client.application.test_cli_runner()
    result = app_runner.invoke(args=["users", "reset-two-factor", "--email", admin.email])
    assert result.exit_code == 0, result.output
    assert "Two-factor authentication is off" in result.output
    # The reset signs out every session (whoever has the lost phone may be signed in)...
    assert (
        client.get(url_for("admin.users")).headers["Location"].startswith(url_for("auth.sign_in"))
    )
    # ...and signing in again leads only to setting it up afresh: until then, no staff page.
    response = sign_in(client, admin)
    assert response.headers["Location"] == url_for("auth.set_up_two_factor")
    for endpoint in ("admin.users", "officer.dashboard"):
        response = client.get(url_for(endpoint))
        assert response.headers["Location"].startswith(url_for("auth.sign_in")), endpoint
    assert "Set up two-factor authentication" in client.get(url_for("auth.set_up_two_factor")).text
    assert "turned off two-factor authentication" in _actions(admin)


def test_an_officer_with_it_needs_a_right_code_that_works_once(client):
    officer = create_user(Role.OFFICER, totp_secret=TOTP_SECRET)
    response = _password_step(client, officer)
    assert response.headers["Location"] == url_for("auth.two_factor_code")
    assert not _signed_in(client)

    far_off = _post_code(client, "auth.two_factor_code", totp_now(offset_steps=-3))
    assert far_off.status == 422 and far_off.error_summary() == ["Enter a correct code"]
    # A phone clock a step behind is allowed for.
    assert _post_code(client, "auth.two_factor_code", totp_now(offset_steps=-1)).status == 303
    assert _signed_in(client)

    # The same code again (someone watching over a shoulder) does not sign in a second time.
    client.post(url_for("auth.sign_out"), data={"csrf_token": _token(client)})
    _password_step(client, officer)
    replay = _post_code(client, "auth.two_factor_code", totp_now(offset_steps=-1))
    assert replay.status == 422
    assert not _signed_in(client)


def _token(client) -> str:
    return client.get_page(url_for("officer.dashboard")).csrf_token()


def test_wrong_codes_lock_the_account_like_wrong_passwords(client):
    officer = create_user(Role.OFFICER, totp_secret=TOTP_SECRET)
    _password_step(client, officer)
    for _ in range(LOCK_AFTER):
        assert _post_code(client, "auth.two_factor_code", "123456").status == 422
    lock = db.session.scalars(sa.select(SignInLock).where(SignInLock.user_id == officer.id)).one()
    assert lock.failures == LOCK_AFTER and lock.locked_until is not None
    # Locked: even the right code is refused.
    assert _post_code(client, "auth.two_factor_code", totp_now()).status == 422
    assert not _signed_in(client)
    assert "wrong two-factor code (5 in a row for the account)" in " ".join(
        db.session.scalars(sa.select(AuditEntry.detail))
    )
    # Counted for the account, not the address: the password again from elsewhere, and the
    # right code is still refused (whoever guesses has the password; no fresh five codes).
    client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    _password_step(client, officer)
    assert _post_code(client, "auth.two_factor_code", totp_now()).status == 422
    assert not _signed_in(client)


def test_a_recovery_code_signs_in_once(client):
    officer = create_user(Role.OFFICER, totp_secret=TOTP_SECRET)
    codes = two_factor.new_recovery_codes(officer)
    _password_step(client, officer)
    # Typed with capitals and spaces, as people do.
    typed = codes[0].upper().replace("-", " ")
    assert _post_code(client, "auth.two_factor_code", typed).status == 303
    assert _signed_in(client)
    client.post(url_for("auth.sign_out"), data={"csrf_token": _token(client)})
    _password_step(client, officer)
    assert _post_code(client, "auth.two_factor_code", codes[0]).status == 422
    assert two_factor.recovery_codes_left(db.session.get(User, officer.id)) == 9
    assert "with a recovery code" in " ".join(db.session.scalars(sa.select(AuditEntry.detail)))


def test_the_code_step_needs_a_recent_right_password(client, app):
    assert client.get(url_for("auth.two_factor_code")).headers["Location"] == url_for(
        "auth.sign_in"
    )
    officer = create_user(Role.OFFICER, totp_secret=TOTP_SECRET)
    _password_step(client, officer)
    assert client.get(url_for("auth.two_factor_code")).status_code == 200
    with client.session_transaction() as session:
        session["pending_sign_in"] = {**session["pending_sign_in"], "at": int(time.time()) - 360}
    response = client.get(url_for("auth.two_factor_code"))
    assert response.headers["Location"] == url_for("auth.sign_in")


def test_an_officer_turns_it_on_makes_new_codes_and_turns_it_off(client):
    officer = create_user(Role.OFFICER)
    sign_in(client, officer)
    page = client.get_page(url_for("auth.two_factor_settings"))
    assert "Two-factor authentication is off" in page.text
    assert "Sign-in security" in page.text  # in the navigation

    secret = _shown_secret(client)
    assert _post_code(client, "auth.set_up_two_factor", pyotp.TOTP(secret).now()).status == 303
    first = _recovery_codes(client)
    page = client.get_page(url_for("auth.two_factor_settings"))
    assert "Two-factor authentication is on" in page.text
    assert "You have 10 unused recovery codes" in page.text

    # New codes need a code from the app; the old ones stop working.
    refused = _post_code(client, "auth.two_factor_settings", "000000")
    assert refused.status == 405  # the settings page itself takes no post
    wrong = client.post_page(
        url_for("auth.new_recovery_codes"),
        data={"code": "000000", "csrf_token": page.csrf_token()},
    )
    assert wrong.status == 422 and wrong.error_summary() == ["Enter a correct code"]
    made = client.post(
        url_for("auth.new_recovery_codes"),
        data={"code": pyotp.TOTP(secret).at(time.time() + 30), "csrf_token": page.csrf_token()},
    )
    assert made.headers["Location"] == url_for("auth.recovery_codes")
    second = _recovery_codes(client)
    assert not set(first) & set(second)
    stored = db.session.get(User, officer.id)
    assert two_factor.check_code(stored, first[0]) is None

    # Half a minute later, the app shows a code not used yet.
    stored.totp_last_step = None
    db.session.commit()
    off = client.post(
        url_for("auth.turn_off_two_factor"),
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": page.csrf_token()},
    )
    assert off.status_code == 303
    assert db.session.get(User, officer.id).totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
    assert _actions(officer)[-4:] == [
        "turned on two-factor authentication",
        "wrong two-factor code",
        "made new recovery codes",
        "turned off two-factor authentication",
    ]


def test_an_admin_cannot_turn_it_off(client):
    admin = create_user(Role.ADMIN)
    sign_in(client, admin)
    page = client.get_page(url_for("auth.two_factor_settings"))
    assert "Administrators cannot turn two-factor authentication off" in page.text
    assert not page.soup.find("button", string=re.compile("Turn off"))
    client.post(
        url_for("auth.turn_off_two_factor"),
        data={"code": totp_now(offset_steps=1), "csrf_token": page.csrf_token()},
    )
    assert db.session.get(User, admin.id).totp_secret == TOTP_SECRET


def test_school_users_have_no_two_factor_settings(client):
    sign_in(client, create_user(Role.SCHOOL))
    assert client.get(url_for("auth.two_factor_settings")).status_code == 403
    # And cannot give themselves two-factor through the set-up page either.
    assert client.get(url_for("auth.set_up_two_factor")).status_code == 302


def test_wrong_codes_for_a_change_lock_it_and_send_one_email(app, client, inbox):
    """With a signed-in session (someone else's, perhaps), codes asked before turning two-factor
    off are counted too: after five, even the right one is refused, and the owner is told once."""
    officer = create_user(Role.OFFICER, totp_secret=TOTP_SECRET)
    sign_in(client, officer)
    page = client.get_page(url_for("auth.two_factor_settings"))
    statuses = [
        client.post(
            url_for("auth.turn_off_two_factor"),
            data={"code": "000000", "csrf_token": page.csrf_token()},
        ).status_code
        for _ in range(8)
    ]
    assert statuses == [422] * 8
    assert len(inbox.messages) == 1
    body = body_of(inbox.messages[0])
    # Said as it is: the whole account, by someone who knew the password.
    assert "5 wrong two-factor codes in a row" in body
    assert "sign-in to your account is locked" in body and "change it now" in body
    assert "anywhere else still works" not in body
    right = client.post(
        url_for("auth.turn_off_two_factor"),
        data={"code": totp_now(), "csrf_token": page.csrf_token()},
    )
    assert right.status_code == 422
    assert db.session.get(User, officer.id).totp_secret == TOTP_SECRET


def test_a_half_finished_sign_in_ends_when_the_password_changes(client):
    officer = create_user(Role.OFFICER, totp_secret=TOTP_SECRET)
    assert _password_step(client, officer).headers["Location"] == url_for("auth.two_factor_code")
    accounts.set_password(officer.email, "a-new-password-of-length")
    response = client.post(
        url_for("auth.two_factor_code"),
        data={
            "code": totp_now(),
            "csrf_token": client.get_page(url_for("auth.sign_in")).csrf_token(),
        },
    )
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith(url_for("auth.sign_in"))
    assert not _signed_in(client)


def test_a_right_code_ends_a_run_of_wrong_ones(client):
    """Typos now and then, each followed by the right code, never add up to a lock."""
    officer = create_user(Role.OFFICER, totp_secret=TOTP_SECRET)
    sign_in(client, officer)
    for _ in range(3):
        for _ in range(LOCK_AFTER - 1):
            assert not signing_in.confirm_with_code(officer, "000000", "making new recovery codes")
        stored = db.session.get(User, officer.id)
        stored.totp_last_step = None  # the app's next code
        db.session.commit()
        assert signing_in.confirm_with_code(stored, totp_now(), "making new recovery codes")
    assert db.session.scalars(sa.select(SignInLock)).all() == []
