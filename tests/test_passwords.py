"""Forgotten passwords reset through an emailed single-use link, and staff changing their own
password: links kept as hashes, used once, expiring; the same answer whether or not an address
has an account; sessions ended and sign-in locks lifted; two-factor still asked for after."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts import passwords, signing_in
from portal.accounts import service as accounts
from portal.accounts.models import PasswordLink, Role, SignInLock
from portal.audit import AuditEntry
from portal.auth.password_views import SENDING_THREAD
from portal.clock import utcnow
from portal.extensions import db
from tests.factories import PASSWORD, create_user, sign_in
from tests.mail import body_of

NEW_PASSWORD = "a brand new password"
LINK = re.compile(r"https?://\S+/staff/password-link/\S+")


def _ask_for_reset(client, email: str):
    page = client.get_page(url_for("auth.forgotten_password"))
    response = client.post(
        url_for("auth.forgotten_password"), data={"email": email, "csrf_token": page.csrf_token()}
    )
    emails_sent()
    return response


def emails_sent() -> None:
    """Wait for the reset emails being sent beside the answers."""
    for thread in threading.enumerate():
        if thread.name == SENDING_THREAD:
            thread.join(timeout=10)


def _link_in(message) -> str:
    found = LINK.search(body_of(message))
    assert found, body_of(message)
    return found.group(0)


def _choose(client, link: str, password: str = NEW_PASSWORD, again: str | None = None):
    """Open the emailed link and choose a password on the page it leads to."""
    opened = client.get(urlsplit(link).path)
    assert opened.status_code == 302, opened.status_code
    page = client.get_page(opened.headers["Location"])
    return client.post_page(
        url_for("auth.choose_password"),
        data={
            "password": password,
            "password_again": password if again is None else again,
            "csrf_token": page.csrf_token(),
        },
    )


def _link_id(token: str) -> int:
    """The stored link the emailed token belongs to (the session carries only its id)."""
    link_id = db.session.scalar(
        sa.select(PasswordLink.id).where(PasswordLink.token_hash == passwords.token_hash(token))
    )
    assert link_id is not None
    return link_id


def _actions(email: str) -> list[tuple[str, str]]:
    return [
        (entry.action, entry.detail)
        for entry in db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.subject == f"user:{email}")
            .order_by(AuditEntry.id)
        )
    ]


def test_the_sign_in_page_offers_a_reset(client):
    page = client.get_page(url_for("auth.sign_in"))
    link = page.soup.find("a", string="Forgotten your password?")
    assert link["href"] == url_for("auth.forgotten_password")


def test_the_answer_does_not_wait_for_the_email(app, client, inbox, monkeypatch):
    """So an address with an account takes no longer to answer than one without."""
    create_user(Role.OFFICER, email="ann@council.example")
    mail_server_slow = threading.Event()
    send = passwords.LinkEmail.send

    def slow_send(message: passwords.LinkEmail) -> None:
        mail_server_slow.wait(timeout=10)
        send(message)

    monkeypatch.setattr(passwords.LinkEmail, "send", slow_send)
    page = client.get_page(url_for("auth.forgotten_password"))
    response = client.post(
        url_for("auth.forgotten_password"),
        data={"email": "ann@council.example", "csrf_token": page.csrf_token()},
    )
    assert response.status_code == 303 and inbox.messages == []
    mail_server_slow.set()
    emails_sent()
    assert [m["To"] for m in inbox.messages] == ["ann@council.example"]


def test_a_forgotten_password_is_reset_through_the_emailed_link(app, client, inbox):
    officer = create_user(Role.OFFICER, email="ann@council.example")
    response = _ask_for_reset(client, "Ann@Council.example ")
    assert response.status_code == 303
    sent = client.get_page(response.headers["Location"])
    assert sent.h1 == "Check your email"
    assert "The link works once, for 1 hour." in sent.text

    [message] = inbox.messages
    assert message["To"] == "ann@council.example"
    assert message["Subject"] == "Reset your password for Have your say"
    body = body_of(message)
    assert "Someone asked to reset the password for your Have your say account" in body
    assert "The link works once, for 1 hour." in body
    assert "If you did not ask, you can ignore this email" in body
    link = _link_in(message)

    # The token leaves the address bar at once: the form is on a page without it.
    opened = client.get(urlsplit(link).path)
    assert opened.headers["Location"] == url_for("auth.choose_password")
    page = client.get_page(url_for("auth.choose_password"))
    assert page.h1 == "Choose a new password"
    assert "ann@council.example" in page.text

    mismatch = _choose(client, link, again="something else entirely")
    assert mismatch.status == 422 and mismatch.error_summary() == ["The passwords do not match"]
    short = _choose(client, link, password="short")
    assert short.error_summary() == ["Your password must be at least 12 characters"]

    done = _choose(client, link)
    assert done.status == 303
    signed_in = client.get_page(url_for("auth.sign_in"))
    assert "Your password is set. Sign in with it now." in signed_in.text
    assert signing_in.authenticate(officer.email, PASSWORD) is None
    assert signing_in.authenticate(officer.email, NEW_PASSWORD) is not None

    # Used once: the same link now says it has expired.
    again = client.get_page(urlsplit(link).path)
    assert again.status == 404 and again.h1 == "This link has expired"
    assert (
        "set a password with an emailed link",
        "forgotten password; every session ended, sign-in locks lifted",
    ) in _actions(officer.email)


def test_only_a_hash_of_the_link_is_stored(app, inbox):
    officer = create_user(Role.OFFICER)
    message = passwords.request_reset(officer.email)
    assert message is not None
    token = message.link.rsplit("/", 1)[1]
    stored = db.session.scalars(sa.select(PasswordLink)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = db.session.execute(sa.select(PasswordLink.__table__)).one()
    assert not any(token in str(value) for value in row)
    assert len(token) >= 40  # 32 random bytes


def test_a_link_works_once(app):
    officer = create_user(Role.OFFICER)
    message = passwords.request_reset(officer.email)
    token = message.link.rsplit("/", 1)[1]
    passwords.set_password_with_link(_link_id(token), NEW_PASSWORD)
    with pytest.raises(passwords.LinkNotValid):
        passwords.set_password_with_link(_link_id(token), "yet another password")
    assert signing_in.authenticate(officer.email, NEW_PASSWORD) is not None


def test_a_reset_link_expires_after_an_hour(app, monkeypatch):
    officer = create_user(Role.OFFICER)
    token = passwords.request_reset(officer.email).link.rsplit("/", 1)[1]
    link = db.session.scalars(sa.select(PasswordLink)).one()
    assert link.expires_at - link.created_at == timedelta(hours=1)
    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(passwords, "utcnow", lambda: later)
    assert passwords.valid_link(token) is None
    with pytest.raises(passwords.LinkNotValid):
        passwords.set_password_with_link(_link_id(token), NEW_PASSWORD)
    assert signing_in.authenticate(officer.email, PASSWORD) is not None


def test_a_link_stops_working_when_the_password_changes_another_way(app):
    officer = create_user(Role.OFFICER)
    token = passwords.request_reset(officer.email).link.rsplit("/", 1)[1]
    accounts.set_password(officer.email, "changed by the command line")
    assert passwords.valid_link(token) is None


def test_a_link_for_a_disabled_account_does_nothing(app):
    officer = create_user(Role.OFFICER)
    token = passwords.request_reset(officer.email).link.rsplit("/", 1)[1]
    accounts.set_disabled(officer.email)
    with pytest.raises(passwords.LinkNotValid):
        passwords.set_password_with_link(_link_id(token), NEW_PASSWORD)


def test_a_new_password_from_a_link_ends_every_session_and_lifts_locks(app, client):
    officer = create_user(Role.OFFICER)
    sign_in(client, officer)
    assert client.get(url_for("officer.dashboard")).status_code == 200
    for _ in range(signing_in.LOCK_AFTER):
        signing_in.authenticate(officer.email, "a wrong guess", "203.0.113.9")
    assert signing_in.authenticate(officer.email, PASSWORD, "203.0.113.9") is None  # locked there
    token = passwords.request_reset(officer.email).link.rsplit("/", 1)[1]
    passwords.set_password_with_link(_link_id(token), NEW_PASSWORD)
    assert client.get(url_for("officer.dashboard")).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInLock)) == 0
    assert signing_in.authenticate(officer.email, NEW_PASSWORD, "203.0.113.9") is not None


def test_two_factor_is_still_asked_for_after_a_reset(app, client, inbox):
    admin = create_user(Role.ADMIN, email="boss@council.example")
    _ask_for_reset(client, admin.email)
    body = body_of(inbox.messages[0])
    assert "You will still need a code from your authenticator app to sign in." in body
    _choose(client, _link_in(inbox.messages[0]))
    page = client.get_page(url_for("auth.sign_in"))
    response = client.post(
        url_for("auth.sign_in"),
        data={"email": admin.email, "password": NEW_PASSWORD, "csrf_token": page.csrf_token()},
    )
    assert response.headers["Location"] == url_for("auth.two_factor_code")
    assert client.get(url_for("officer.dashboard")).status_code == 302


@pytest.mark.parametrize("which", ["no such account", "disabled account"])
def test_the_request_page_says_the_same_whether_or_not_the_address_has_an_account(
    app, client, inbox, which
):
    create_user(Role.OFFICER, email="real@council.example")
    email = "nobody@council.example"
    if which == "disabled account":
        email = create_user(Role.OFFICER, email="gone@council.example", disabled=True).email
    real = _ask_for_reset(client, "real@council.example")
    other = _ask_for_reset(client, email)
    assert real.status_code == other.status_code == 303
    assert real.headers["Location"] == other.headers["Location"]
    assert [m["To"] for m in inbox.messages] == ["real@council.example"]
    # The audit log says which it was, for an administrator looking into it.
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.user_email == email)).one()
    assert entry.action == "asked for a password reset link"
    assert entry.detail.startswith(
        "no such account" if which == "no such account" else "account disabled"
    )


def test_at_most_three_reset_emails_an_hour_for_one_account(app, client, inbox):
    create_user(Role.OFFICER, email="ann@council.example")
    for _ in range(passwords.RESETS_PER_HOUR + 2):
        assert _ask_for_reset(client, "ann@council.example").status_code == 303
    assert len(inbox.messages) == passwords.RESETS_PER_HOUR
    assert _actions("ann@council.example")[-1] == (
        "asked for a password reset link",
        "3 sent this hour: no more",
    )


def test_asking_for_a_reset_is_rate_limited_like_sign_in(app, client):
    app.config["SIGN_IN_RATE_LIMIT"] = "3/minute"
    try:
        statuses = [_ask_for_reset(client, "x@council.example").status_code for _ in range(4)]
    finally:
        app.config["SIGN_IN_RATE_LIMIT"] = "10/minute"
    assert statuses == [303, 303, 303, 429]


def test_the_request_form_needs_an_address(client):
    page = client.get_page(url_for("auth.forgotten_password"))
    refused = client.post_page(
        url_for("auth.forgotten_password"), data={"csrf_token": page.csrf_token()}
    )
    assert refused.status == 422 and refused.error_summary() == ["Enter your email address"]


def test_an_unknown_link_says_it_has_expired(client):
    page = client.get_page(url_for("auth.password_link", token="not-a-real-token"))
    assert page.status == 404 and page.h1 == "This link has expired"
    assert client.get_page(url_for("auth.choose_password")).h1 == "This link has expired"


# Changing one's own password ---------------------------------------------------------------


def _change(client, current: str, new: str = NEW_PASSWORD, again: str | None = None):
    page = client.get_page(url_for("auth.change_password"))
    return client.post_page(
        url_for("auth.change_password"),
        data={
            "current_password": current,
            "password": new,
            "password_again": new if again is None else again,
            "csrf_token": page.csrf_token(),
        },
    )


@pytest.mark.parametrize("role", [Role.SCHOOL, Role.OFFICER, Role.ADMIN])
def test_every_member_of_staff_changes_their_own_password(app, client, role):
    user = create_user(role)
    sign_in(client, user)
    elsewhere = app.test_client()
    elsewhere.set_cookie("session", client.get_cookie("session").value)
    home = url_for("school.dashboard" if role == Role.SCHOOL else "officer.dashboard")
    assert elsewhere.get(home).status_code == 200

    page = client.get_page(home)
    assert page.soup.find("a", string="change your password")["href"] == url_for(
        "auth.change_password"
    )
    changed = _change(client, PASSWORD)
    assert changed.status == 303
    after = client.get_page(url_for("auth.change_password"))
    assert "Your password is changed." in after.text
    assert client.get(home).status_code == 200  # this session carries on
    assert elsewhere.get(home).status_code == 302  # every other one has ended
    assert signing_in.authenticate(user.email, NEW_PASSWORD) is not None
    assert ("changed password", "their own; sessions ended") in _actions(user.email)


def test_a_wrong_current_password_is_refused_and_counted(app, client):
    officer = create_user(Role.OFFICER)
    sign_in(client, officer)
    wrong = _change(client, "not my password")
    assert wrong.status == 422
    assert wrong.error_summary() == ["Enter your current password correctly"]
    lock = db.session.scalars(sa.select(SignInLock)).one()
    assert lock.failures == 1
    for _ in range(signing_in.LOCK_AFTER - 1):
        _change(client, "not my password")
    locked = _change(client, PASSWORD)
    assert "too many wrong passwords" in locked.error_summary()[0]
    assert signing_in.authenticate(officer.email, PASSWORD) is not None  # unchanged


def test_the_new_password_follows_the_rule(client):
    sign_in(client, create_user(Role.OFFICER))
    short = _change(client, PASSWORD, new="too short")
    assert short.error_summary() == ["Your password must be at least 12 characters"]
    mismatch = _change(client, PASSWORD, again="not the same at all")
    assert mismatch.error_summary() == ["The passwords do not match"]
    blank = _change(client, "", new="", again="")
    assert blank.error_summary() == [
        "Enter your current password",
        "Enter a new password",
        "Enter the new password again",
    ]
