"""Signing in and out, and the users command."""

import time

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts import service as accounts
from portal.accounts import signing_in, two_factor
from portal.accounts.models import Role, User
from portal.extensions import db
from tests.factories import PASSWORD, create_user, sign_in


def test_officer_signs_in_and_lands_on_the_dashboard(client):
    officer = create_user(Role.OFFICER, email="Jo.Smith@Council.Example")
    response = sign_in(client, officer)
    assert response.status_code == 303
    assert response.headers["Location"] == url_for("officer.dashboard")
    page = client.get_page(url_for("officer.dashboard"))
    assert page.h1 == "Consultations"
    assert "Signed in as jo.smith@council.example" in page.text
    assert db.session.get(User, officer.id).last_signed_in_at is not None


def test_email_is_not_case_sensitive(client):
    officer = create_user(Role.OFFICER, email="case@council.example")
    page = client.get_page(url_for("auth.sign_in"))
    response = client.post(
        url_for("auth.sign_in"),
        data={
            "email": "  CASE@Council.Example ",
            "password": PASSWORD,
            "csrf_token": page.csrf_token(),
        },
    )
    assert response.headers["Location"] == url_for("officer.dashboard")
    assert officer.email == "case@council.example"


@pytest.mark.parametrize("which", ["wrong password", "unknown email", "disabled account"])
def test_failed_sign_in_gets_one_generic_message(client, which):
    user = create_user(Role.OFFICER, email="someone@council.example")
    email, password = user.email, PASSWORD
    if which == "wrong password":
        password = "not the password"
    elif which == "unknown email":
        email = "nobody@council.example"
    else:
        user.disabled = True
        db.session.commit()
    token = client.get_page(url_for("auth.sign_in")).csrf_token()
    page = client.post_page(
        url_for("auth.sign_in"), data={"email": email, "password": password, "csrf_token": token}
    )
    assert page.status == 422
    assert page.error_summary() == ["Enter a correct email address and password"]
    assert client.get(url_for("officer.dashboard")).status_code == 302


def test_sign_in_form_errors(client):
    token = client.get_page(url_for("auth.sign_in")).csrf_token()
    page = client.post_page(url_for("auth.sign_in"), data={"csrf_token": token})
    assert page.error_summary() == ["Enter your email address", "Enter your password"]


def test_sign_in_is_rate_limited(app, client):
    create_user(Role.OFFICER, email="target@council.example")
    app.config["SIGN_IN_RATE_LIMIT"] = "3/minute"
    try:
        token = client.get_page(url_for("auth.sign_in")).csrf_token()
        statuses = [
            client.post(
                url_for("auth.sign_in"),
                data={"email": "target@council.example", "password": "guess", "csrf_token": token},
            ).status_code
            for _ in range(4)
        ]
        refused = client.post_page(
            url_for("auth.sign_in"),
            data={"email": "target@council.example", "password": "guess", "csrf_token": token},
        )
    finally:
        app.config["SIGN_IN_RATE_LIMIT"] = "10/minute"
    assert statuses == [422, 422, 422, 429]
    assert "Wait a minute and try again." in refused.text  # a minute's limit


def test_sign_in_rotates_the_session(client):
    officer = create_user(Role.OFFICER)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, officer)
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("/officer/strategy", "/officer/strategy"),
        ("https://evil.example/", "/officer/"),
        ("//evil.example/", "/officer/"),
        ("javascript:alert(1)", "/officer/"),
    ],
)
def test_next_goes_only_to_this_site(client, target, lands_on):
    officer = create_user(Role.OFFICER)
    token = client.get_page(url_for("auth.sign_in")).csrf_token()
    response = client.post(
        url_for("auth.sign_in", next=target),
        data={"email": officer.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == lands_on


def test_sign_out(client):
    sign_in(client, create_user(Role.OFFICER))
    token = client.get_page(url_for("officer.dashboard")).csrf_token()
    response = client.post(url_for("auth.sign_out"), data={"csrf_token": token})
    assert response.headers["Location"] == url_for("auth.sign_in", signed_out="1")
    assert client.get(url_for("officer.dashboard")).status_code == 302


def test_disabling_an_account_signs_it_out(client):
    officer = create_user(Role.OFFICER)
    sign_in(client, officer)
    officer.disabled = True
    db.session.commit()
    assert client.get(url_for("officer.dashboard")).status_code == 302


def test_passwords_are_hashed_each_with_a_salt_of_its_own(app):
    # Through the service itself: the factory's users share one hash, to save time.
    first = accounts.create_user("first@council.example", PASSWORD, Role.OFFICER)
    second = accounts.create_user("second@council.example", PASSWORD, Role.OFFICER)
    db.session.commit()
    stored = db.session.scalars(
        sa.select(User.password_hash).where(User.id.in_([first.id, second.id]))
    ).all()
    assert all(PASSWORD not in each and each.startswith("scrypt:") for each in stored)
    assert len(set(stored)) == 2


def test_users_create_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "New@Council.Example", "--role", "officer"],
        input="a-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created officer account new@council.example" in result.output
    listed = runner.invoke(args=["users", "list"])
    assert "new@council.example\tofficer\tactive" in listed.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["--email", "a@council.example", "--role", "officer"],
            "short\n",
            "at least 12 characters",
        ),
        (
            ["--email", "not-an-email", "--role", "officer"],
            "a-long-enough-password\n",
            "is not an email address",
        ),
        (
            ["--email", "a@council.example", "--role", "mayor"],
            "a-long-enough-password\n",
            "Invalid value",
        ),
    ],
)
def test_users_create_refuses_bad_input(app, args, stdin, message):
    result = app.test_cli_runner().invoke(args=["users", "create", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_users_create_refuses_a_duplicate(app):
    create_user(Role.OFFICER, email="dup@council.example")
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "DUP@council.example", "--role", "admin"],
        input="a-long-enough-password\n",
    )
    assert result.exit_code != 0 and "already exists" in result.output


def test_users_disable(app):
    create_user(Role.OFFICER, email="leaver@council.example")
    result = app.test_cli_runner().invoke(
        args=["users", "disable", "--email", "leaver@council.example"]
    )
    assert result.exit_code == 0
    assert db.session.scalars(sa.select(User)).one().disabled


def test_seed_creates_the_demo_officer_once_and_prints_its_password(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--demo-officer"])
    assert "demo.officer@warwickshire.example" in first.output and "password:" in first.output
    second = runner.invoke(args=["seed", "--demo-officer"])
    assert "password:" not in second.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


@pytest.mark.parametrize(
    ("idle_seconds", "signed_in_seconds", "message"),
    [
        (31 * 60, 31 * 60, "had done nothing for 30 minutes"),
        (60, 13 * 3600, "had been signed in for 12 hours"),
    ],
)
def test_idle_and_long_sessions_are_signed_out(client, idle_seconds, signed_in_seconds, message):
    officer = create_user(Role.OFFICER)
    sign_in(client, officer)
    assert client.get(url_for("officer.dashboard")).status_code == 200
    now = int(time.time())
    with client.session_transaction() as session:
        session["seen_at"] = now - idle_seconds
        session["signed_in_at"] = now - signed_in_seconds
    response = client.get(url_for("officer.dashboard"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for("auth.sign_in"))
    page = client.get_page(response.headers["Location"])
    assert message in page.text
    # Said once; and the user is signed out, not merely redirected.
    assert message not in client.get_page(url_for("auth.sign_in")).text
    assert client.get(url_for("officer.dashboard")).status_code == 302


def test_an_active_session_stays_signed_in(client):
    sign_in(client, create_user(Role.OFFICER))
    now = int(time.time())
    with client.session_transaction() as session:
        session["seen_at"] = now - 29 * 60
        session["signed_in_at"] = now - 11 * 3600
    assert client.get(url_for("officer.dashboard")).status_code == 200
    with client.session_transaction() as session:
        assert session["seen_at"] >= now  # the visit counts as activity


def _copy_of_the_session(app, client):
    """Another browser holding a copy of the signed-in session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, client):
    sign_in(client, create_user(Role.OFFICER))
    thief = _copy_of_the_session(app, client)
    export = url_for(
        "officer.export_responses", slug="bullying-what-parents-think", export_format="csv"
    )
    assert thief.get(url_for("officer.dashboard")).status_code == 200  # the copy works...
    assert thief.get(export).status_code == 200
    token = client.get_page(url_for("officer.dashboard")).csrf_token()
    client.post(url_for("auth.sign_out"), data={"csrf_token": token})
    # ... until its owner signs out: then it opens nothing, downloads included.
    assert thief.get(url_for("officer.dashboard")).status_code == 302
    assert thief.get(export).status_code == 302


@pytest.mark.parametrize(
    "change",
    [
        lambda user: accounts.set_disabled(user.email),
        lambda user: accounts.set_password(user.email, "a-new-password-of-length"),
        lambda user: two_factor.turn_off(user, by=None),  # `flask users reset-two-factor`
    ],
    ids=["disabled", "password changed", "two-factor reset"],
)
def test_a_change_to_the_account_ends_every_session(app, client, change):
    officer = create_user(Role.OFFICER)
    sign_in(client, officer)
    thief = _copy_of_the_session(app, client)
    assert thief.get(url_for("officer.dashboard")).status_code == 200
    change(db.session.get(User, officer.id))
    assert client.get(url_for("officer.dashboard")).status_code == 302
    assert thief.get(url_for("officer.dashboard")).status_code == 302


def test_users_set_password(app):
    officer = create_user(Role.OFFICER)
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", "--email", officer.email], input="a-new-password-here\n"
    )
    assert result.exit_code == 0, result.output
    assert "every earlier session is signed out" in result.output
    assert signing_in.authenticate(officer.email, "a-new-password-here") is not None
    short = app.test_cli_runner().invoke(
        args=["users", "set-password", "--email", officer.email], input="short\n"
    )
    assert short.exit_code != 0 and "at least" in short.output
