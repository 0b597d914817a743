"""Administrators create, disable and re-enable staff accounts in the portal; a new account's
owner chooses their password through an emailed link; the command line does the same."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts import service as accounts
from portal.accounts import signing_in
from portal.accounts.models import PasswordLink, Role, User
from portal.audit import AuditEntry
from portal.extensions import db
from tests.factories import PASSWORD, create_school, create_user, sign_in
from tests.mail import body_of

ROOT = Path(__file__).resolve().parent.parent

LINK = re.compile(r"https?://\S+/staff/password-link/\S+")


def _admin(client) -> User:
    admin = create_user(Role.ADMIN, email="admin@council.example")
    sign_in(client, admin)
    return admin


def _create(client, **data: str):
    page = client.get_page(url_for("admin.new_user"))
    return client.post_page(
        url_for("admin.new_user"), data={"csrf_token": page.csrf_token(), **data}
    )


def _actions(email: str) -> list[tuple[str, str, str]]:
    return [
        (entry.user_email, entry.action, entry.detail)
        for entry in db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.subject == f"user:{email}")
            .order_by(AuditEntry.id)
        )
    ]


def test_an_admin_creates_an_officer_who_chooses_their_password_by_email(app, client, inbox):
    _admin(client)
    listing = client.get_page(url_for("admin.users"))
    assert "flask" not in listing.text  # no command line needed
    assert listing.soup.find("a", string="Create an account")["href"] == url_for("admin.new_user")

    created = _create(client, email="New.Officer@Council.example", role="officer")
    assert created.status == 303
    user = accounts.find_user("new.officer@council.example")
    assert user is not None and user.role == Role.OFFICER and user.school_id is None
    page = client.get_page(url_for("admin.user", user_id=user.id))
    assert page.h1 == "new.officer@council.example"
    assert (
        "Account created. We have emailed new.officer@council.example a link to choose a password."
        in page.text
    )
    assert "Last signed in Never" in page.soup.select_one(".govuk-summary-list").get_text(
        " ", strip=True
    )

    [message] = inbox.messages
    assert message["To"] == "new.officer@council.example"
    assert message["Subject"] == "Set your password for Have your say"
    body = body_of(message)
    assert "has been made for you, as an officer" in body
    assert "The link works once, for 3 days." in body
    assert "password:" not in body.lower()  # a link, never a password

    # Nobody knows the password it was made with: only the link lets its owner in.
    assert signing_in.authenticate(user.email, PASSWORD) is None
    link = LINK.search(body).group(0)
    owner = app.test_client()
    assert owner.get(urlsplit(link).path).status_code == 302
    form = owner.get_page(url_for("auth.choose_password"))
    assert form.h1 == "Create your password"
    owner.post(
        url_for("auth.choose_password"),
        data={
            "password": "my own new password",
            "password_again": "my own new password",
            "csrf_token": form.csrf_token(),
        },
    )
    assert signing_in.authenticate(user.email, "my own new password") is not None
    assert [action for _, action, _ in _actions(user.email)][:2] == [
        "created account",
        "sent a link to set a password",
    ]
    assert _actions(user.email)[0][0] == "admin@council.example"


def test_a_school_account_names_its_school(app, client, inbox):
    _admin(client)
    school = create_school(name="Bilton Junior School")
    page = client.get_page(url_for("admin.new_user"))
    assert [o.get_text() for o in page.soup.select("#school option")] == [
        "Choose the school",
        f"Bilton Junior School ({school.shown_number})",  # as 937/2031 is written
    ]
    assert "/" in school.shown_number
    missing = _create(client, email="office@bilton.example", role="school")
    assert missing.status == 422
    assert missing.error_summary() == ["Choose the school the account is for"]
    # Two problems at once are both reported, not the second only once the first is fixed.
    both = _create(client, email="not-an-email", role="school")
    assert both.error_summary() == [
        "Enter an email address in the correct format, like name@example.com",
        "Choose the school the account is for",
    ]
    assert accounts.find_user("office@bilton.example") is None
    made = _create(client, email="office@bilton.example", role="school", school=str(school.id))
    assert made.status == 303
    user = accounts.find_user("office@bilton.example")
    assert user.role == Role.SCHOOL and user.school_id == school.id
    assert "as a member of school staff" in body_of(inbox.messages[0])
    listing = client.get_page(url_for("admin.users"))
    row = next(r for r in listing.soup.select("tbody tr") if "office@bilton.example" in r.text)
    assert "Bilton Junior School" in row.get_text()


def test_an_officer_or_admin_account_ignores_a_school_chosen(app, client, inbox):
    _admin(client)
    school = create_school()
    _create(client, email="officer@council.example", role="officer", school=str(school.id))
    assert accounts.find_user("officer@council.example").school_id is None


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, ["Enter their email address", "Select what the account is for"]),
        (
            {"email": "not an address", "role": "officer"},
            ["Enter an email address in the correct format, like name@example.com"],
        ),
        (
            {"email": "admin@council.example", "role": "admin"},
            ["An account for admin@council.example already exists"],
        ),
        (
            {"email": "x@council.example", "role": "superuser"},
            ["Select what the account is for"],
        ),
    ],
)
def test_bad_input_makes_no_account(app, client, data, errors):
    _admin(client)
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    refused = _create(client, **data)
    assert refused.status == 422 and refused.error_summary() == errors
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before
    assert db.session.scalar(sa.select(sa.func.count(PasswordLink.id))) == 0


def test_without_email_the_account_is_made_and_the_admin_is_told(app, client):
    _admin(client)
    assert not app.config["SMTP_HOST"]
    _create(client, email="someone@council.example", role="officer")
    user = accounts.find_user("someone@council.example")
    page = client.get_page(url_for("admin.user", user_id=user.id))
    assert "the email to someone@council.example could not be sent" in page.text


def test_a_new_link_replaces_the_earlier_one(app, client, inbox):
    _admin(client)
    _create(client, email="slow@council.example", role="officer")
    user = accounts.find_user("slow@council.example")
    page = client.get_page(url_for("admin.user", user_id=user.id))
    client.post(
        url_for("admin.send_password_link", user_id=user.id), data={"csrf_token": page.csrf_token()}
    )
    first, second = (LINK.search(body_of(m)).group(0) for m in inbox.messages)
    assert (
        "a link to choose a password"
        in client.get_page(url_for("admin.user", user_id=user.id)).text
    )
    assert client.get(urlsplit(first).path).status_code == 404
    assert client.get(urlsplit(second).path).status_code == 302


def test_disabling_asks_first_then_signs_the_account_out(app, client):
    leaver = create_user(Role.OFFICER, email="leaver@council.example")
    theirs = app.test_client()
    sign_in(theirs, leaver)
    assert theirs.get(url_for("officer.dashboard")).status_code == 200
    _admin(client)
    page = client.get_page(url_for("admin.user", user_id=leaver.id))
    disable = page.soup.find("a", string="Disable account")
    confirm = client.get_page(disable["href"])
    assert confirm.h1 == "Disable leaver@council.example?"
    assert "signed out at once" in confirm.text
    assert not db.session.get(User, leaver.id).disabled  # nothing yet
    done = client.post(disable["href"], data={"csrf_token": confirm.csrf_token()})
    assert done.headers["Location"] == url_for("admin.user", user_id=leaver.id)
    after = client.get_page(url_for("admin.user", user_id=leaver.id))
    assert "leaver@council.example is disabled and signed out everywhere." in after.text
    db.session.expire_all()
    assert db.session.get(User, leaver.id).disabled
    assert theirs.get(url_for("officer.dashboard")).status_code == 302
    assert signing_in.authenticate(leaver.email, PASSWORD) is None

    client.post(
        url_for("admin.enable_user", user_id=leaver.id), data={"csrf_token": after.csrf_token()}
    )
    assert "can sign in again" in client.get_page(url_for("admin.user", user_id=leaver.id)).text
    assert signing_in.authenticate(leaver.email, PASSWORD) is not None
    assert [(who, action) for who, action, _ in _actions(leaver.email) if "abled" in action] == [
        ("admin@council.example", "disabled account"),
        ("admin@council.example", "enabled account"),
    ]


def test_an_admin_cannot_disable_themselves(app, client):
    admin = _admin(client)
    page = client.get_page(url_for("admin.user", user_id=admin.id))
    assert page.soup.find("a", string="Disable account") is None
    assert "You cannot disable it" in page.text
    refused = client.post(
        url_for("admin.disable_user", user_id=admin.id), data={"csrf_token": page.csrf_token()}
    )
    assert refused.status_code == 303
    assert (
        "You cannot disable your own account" in client.get_page(refused.headers["Location"]).text
    )
    db.session.expire_all()
    assert not db.session.get(User, admin.id).disabled


def test_an_unknown_account_is_not_found(client):
    _admin(client)
    assert client.get(url_for("admin.user", user_id=999999)).status_code == 404


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SCHOOL])
def test_only_admins_manage_accounts(app, client, role):
    target = create_user(Role.OFFICER, email="target@council.example")
    sign_in(client, create_user(role))
    token = client.get_page(url_for("auth.change_password")).csrf_token()
    for url in (
        url_for("admin.users"),
        url_for("admin.new_user"),
        url_for("admin.user", user_id=target.id),
        url_for("admin.disable_user", user_id=target.id),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        url_for("admin.new_user"),
        url_for("admin.disable_user", user_id=target.id),
        url_for("admin.enable_user", user_id=target.id),
        url_for("admin.send_password_link", user_id=target.id),
    ):
        response = client.post(
            url, data={"csrf_token": token, "email": "x@council.example", "role": "admin"}
        )
        assert response.status_code == 403, url
    assert accounts.find_user("x@council.example") is None
    assert not db.session.get(User, target.id).disabled


def test_an_officer_makes_a_school_account_that_gets_a_link(app, client, inbox):
    school = create_school(name="Bilton Junior School")
    sign_in(client, create_user())
    url = url_for("officer.school", school_number=school.number)
    page = client.get_page(url)
    created = client.post_page(
        url, data={"csrf_token": page.csrf_token(), "email": "Office@Bilton.example"}
    )
    assert created.status == 200
    assert "We have emailed them a link to choose their password." in created.text
    assert created.soup.find(id="new-password") is None  # no password on screen
    user = accounts.find_user("office@bilton.example")
    assert user.role == Role.SCHOOL and user.school_id == school.id
    assert [m["To"] for m in inbox.messages] == ["office@bilton.example"]
    again = client.post_page(
        url, data={"csrf_token": page.csrf_token(), "email": "office@bilton.example"}
    )
    assert again.status == 422
    assert again.error_summary() == ["An account for office@bilton.example already exists"]


# The command line -------------------------------------------------------------------------


def test_users_reset_password_emails_the_link(app, inbox):
    officer = create_user(Role.OFFICER, email="ann@council.example")
    signing_in.complete_sign_in(officer)  # signed in before: the forgotten-password wording
    app.config["BASE_URL"] = "https://haveyoursay.example"
    try:
        result = app.test_cli_runner().invoke(
            args=["users", "reset-password", "Ann@council.example"]
        )
    finally:
        app.config["BASE_URL"] = None
    assert result.exit_code == 0, result.output
    assert "Emailed ann@council.example a link to choose a new password." in result.output
    [message] = inbox.messages
    assert message["Subject"] == "Reset your password for Have your say"
    assert "https://haveyoursay.example/staff/password-link/" in body_of(message)
    assert ("command line", "sent a link to set a password", "reset") in _actions(officer.email)


def test_users_reset_password_prints_the_link_without_email(app):
    officer = create_user(Role.OFFICER, email="ann@council.example")
    runner = app.test_cli_runner()
    no_site = runner.invoke(args=["users", "reset-password", officer.email])
    assert no_site.exit_code != 0 and "PORTAL_BASE_URL is not set" in no_site.output
    app.config["BASE_URL"] = "https://haveyoursay.example"
    try:
        result = runner.invoke(args=["users", "reset-password", officer.email])
        unknown = runner.invoke(args=["users", "reset-password", "nobody@council.example"])
        accounts.set_disabled(officer.email)
        disabled = runner.invoke(args=["users", "reset-password", officer.email])
    finally:
        app.config["BASE_URL"] = None
    assert result.exit_code == 0, result.output
    assert "no SMTP server is configured, so nothing was emailed" in result.output
    link = LINK.search(result.output).group(0)
    assert link.startswith("https://haveyoursay.example/staff/password-link/")
    assert (
        unknown.exit_code != 0
        and "There is no account for nobody@council.example" in unknown.output
    )
    assert disabled.exit_code != 0 and "is disabled: enable it first" in disabled.output


def test_users_set_password_can_make_one_up(app):
    officer = create_user(Role.OFFICER)
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", "--email", officer.email, "--generate"]
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"password: (\S+)", result.output).group(1)
    assert signing_in.authenticate(officer.email, password) is not None


def test_seed_says_on_every_run_which_demo_account_there_is_and_how_to_reset_it(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--demo-officer"])
    assert "password: " in first.output
    second = runner.invoke(args=["seed", "--demo-officer"])
    assert "password: " not in second.output
    assert "Demo officer account: demo.officer@warwickshire.example" in second.output
    for output in (first.output, second.output):
        assert "make demo-password" in output
        assert (
            "flask users set-password --email demo.officer@warwickshire.example --generate"
            in output
        )


def test_the_real_reset_password_command_prints_a_link(tmp_path):
    """The command as an operator runs it, with no request around it: the email it renders
    must not ask who is signed in (it did, and crashed)."""
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "SECRET_KEY": "reset-password-command",
        "PORTAL_BASE_URL": "https://haveyoursay.example",
    }
    env.pop("PORTAL_SMTP_HOST", None)

    def flask(*args: str, given: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=env,
            input=given,
            capture_output=True,
            text=True,
            check=False,
        )

    assert flask("db", "upgrade").returncode == 0
    made = flask(
        "users", "create", "--email", "ann@council.example", "--role", "officer", given=PASSWORD
    )
    assert made.returncode == 0, made.stdout + made.stderr
    result = flask("users", "reset-password", "--print-link", "ann@council.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "https://haveyoursay.example/staff/password-link/" in result.stdout
