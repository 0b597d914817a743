"""What a link to set a password may and may not do beyond its first use: it dies when its
account is disabled (and stays dead when the account is enabled again), the session carries
only the link's id (never its token), the link is checked again when the password is posted,
and a forgotten-password request does all its work after the answer."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest
from flask import url_for

from portal.accounts import passwords, signing_in
from portal.accounts import service as accounts
from portal.accounts.models import PasswordLink, Role
from portal.auth.password_views import PASSWORD_LINK, SENDING_THREAD
from portal.extensions import db
from portal.schools import register
from tests.factories import PASSWORD, create_school, create_user
from tests.mail import body_of
from tests.test_passwords import LINK, NEW_PASSWORD, emails_sent


def _token(message: passwords.LinkEmail) -> str:
    return message.link.rsplit("/", 1)[1]


def _session_of(app, client) -> dict:
    cookie = client.get_cookie("session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie.value)


@pytest.mark.parametrize("link_from", ["forgotten password", "new account"])
def test_a_link_sent_before_disabling_stays_dead_after_enabling(app, link_from):
    if link_from == "new account":
        user, message = passwords.invite("new@council.example", Role.OFFICER, None, by=None)
    else:
        user = create_user(Role.OFFICER)
        message = passwords.request_reset(user.email)
    token = _token(message)
    assert passwords.valid_link(token) is not None
    accounts.set_disabled(user.email, True)
    accounts.set_disabled(user.email, False)
    assert passwords.valid_link(token) is None
    with pytest.raises(passwords.LinkNotValid):
        passwords.set_password_with_link(
            db.session.query(PasswordLink).one().id, "a password nobody should set"
        )


def test_closing_a_school_kills_the_links_of_its_accounts(app):
    school = create_school()
    user, message = passwords.invite("office@school.example", Role.SCHOOL, school.id, by=None)
    register.close_school(school, by=None)
    register.reopen_school(school, by=None)
    accounts.set_disabled(user.email, False)
    assert passwords.valid_link(_token(message)) is None


def test_the_session_holds_the_links_id_not_its_token(app, client):
    user = create_user(Role.OFFICER)
    token = _token(passwords.request_reset(user.email))
    opened = client.get(url_for("auth.password_link", token=token))
    assert opened.headers["Location"] == url_for("auth.choose_password")
    session = _session_of(app, client)
    link = db.session.query(PasswordLink).one()
    assert session[PASSWORD_LINK] == link.id
    assert token not in repr(session) and token not in client.get_cookie("session").value
    page = client.get_page(url_for("auth.choose_password"))
    assert page.h1 == "Choose a new password"


def test_the_link_is_checked_again_when_the_password_is_posted(app, client):
    user = create_user(Role.OFFICER)
    token = _token(passwords.request_reset(user.email))
    client.get(url_for("auth.password_link", token=token))
    page = client.get_page(url_for("auth.choose_password"))
    # Between opening the link and choosing, the password was set another way.
    accounts.set_password(user.email, "set from the command line")
    refused = client.post_page(
        url_for("auth.choose_password"),
        data={
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
            "csrf_token": page.csrf_token(),
        },
    )
    assert refused.status == 404 and refused.h1 == "This link has expired"
    assert signing_in.authenticate(user.email, NEW_PASSWORD) is None
    assert signing_in.authenticate(user.email, "set from the command line") is not None


def test_a_session_from_before_holding_a_token_is_not_trusted(app, client):
    user = create_user(Role.OFFICER)
    token = _token(passwords.request_reset(user.email))
    with client.session_transaction() as session:
        session[PASSWORD_LINK] = token
    assert client.get(url_for("auth.choose_password")).status_code == 404


def test_a_forgotten_password_is_looked_up_after_the_answer(app, client, inbox, monkeypatch):
    """The request's own thread does no work that depends on the address: the lookup, the
    link and the email all happen beside it, for an address with an account or without."""
    sign_in_page = client.get_page(url_for("auth.forgotten_password"))
    user = create_user(Role.OFFICER, email="ann@council.example")
    looked_up_in: list[str] = []
    request_reset = passwords.request_reset

    def recording(email: str) -> passwords.LinkEmail | None:
        looked_up_in.append(threading.current_thread().name)
        return request_reset(email)

    monkeypatch.setattr(passwords, "request_reset", recording)
    for email in ("ann@council.example", "nobody@council.example"):
        answer = client.post(
            url_for("auth.forgotten_password"),
            data={"email": email, "csrf_token": sign_in_page.csrf_token()},
        )
        assert answer.headers["Location"] == url_for("auth.reset_link_sent")
    emails_sent()
    assert looked_up_in == [SENDING_THREAD, SENDING_THREAD]
    [message] = inbox.messages
    assert message["To"] == user.email
    link = LINK.search(body_of(message)).group(0)
    assert client.get(urlsplit(link).path).status_code == 302
    assert signing_in.authenticate(user.email, PASSWORD) is not None
