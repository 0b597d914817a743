"""The audit log: sign-ins, account changes; append-only in the database; read and exported
by admins only. And sign-in lockout after repeated wrong passwords."""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts import service as accounts
from portal.accounts import signing_in
from portal.accounts.models import Role, SignInLock, User
from portal.audit import AuditEntry
from portal.extensions import db
from tests.factories import PASSWORD, create_user, sign_in
from tests.mail import body_of


def _actions() -> list[tuple[str, str, str]]:
    return [
        (e.user_email, e.action, e.detail)
        for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_sign_ins_and_failures_are_recorded(app, client):
    user = create_user(Role.OFFICER, email="ann@council.example")
    sign_in(client, user, "wrong password")
    sign_in(client, create_user(Role.OFFICER, email="bob@council.example"), PASSWORD)
    signing_in.authenticate("nobody@council.example", "x" * 12)
    sign_ins = [a for a in _actions() if "sign" in a[1]]
    assert sign_ins == [
        ("ann@council.example", "failed sign-in", "wrong password (1 in a row from one place)"),
        ("bob@council.example", "signed in", ""),
        ("nobody@council.example", "failed sign-in", "no such account"),
    ]
    created = [a for a in _actions() if a[1] == "created account"]
    assert ("command line", "created account", "role officer") in created


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(app, client):
    user = create_user(Role.OFFICER, email="ann@council.example")
    for _ in range(signing_in.LOCK_AFTER):
        assert signing_in.authenticate(user.email, "wrong password", "203.0.113.9") is None
    lock = db.session.scalars(sa.select(SignInLock)).one()
    assert lock.failures == 5 and lock.locked_until is not None
    assert "203.0.113.9" not in lock.place  # a keyed hash, never the address
    # Locked from there: refused even the right password.
    assert signing_in.authenticate(user.email, PASSWORD, "203.0.113.9") is None
    assert _actions()[-1][1] == "refused sign-in"
    # From the officer's own desk, the right password still works.
    assert signing_in.authenticate(user.email, PASSWORD, "198.51.100.20") is not None
    # Once the lock has passed, the right password works there too and clears the count.
    lock.locked_until = accounts.utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert signing_in.authenticate(user.email, PASSWORD, "203.0.113.9") is not None
    assert db.session.scalars(sa.select(SignInLock)).all() == []


def test_each_further_failure_locks_for_longer():
    assert signing_in._lock_for(5) == timedelta(minutes=15)
    assert signing_in._lock_for(6) == timedelta(minutes=30)
    assert signing_in._lock_for(30) == timedelta(days=1)


def test_the_database_refuses_to_change_or_delete_an_entry(app):
    create_user(Role.OFFICER, email="ann@council.example")
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.update(AuditEntry).values(detail="rewritten"))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.delete(AuditEntry))
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 1


def test_admins_read_search_and_export_the_log(app, client):
    admin = create_user(Role.ADMIN, email="admin@council.example")
    create_user(Role.OFFICER, email="ann@council.example")
    sign_in(client, admin)
    page = client.get_page(url_for("admin.audit_log", q="ann@"))
    rows = [r.get_text(" ", strip=True) for r in page.soup.select("tbody tr")]
    assert len(rows) == 1 and "created account" in rows[0]
    assert "1 entry matching" in page.soup.select_one("caption").get_text()
    response = client.get(url_for("admin.export_audit_log"))
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # UTF-8 for spreadsheets, as every CSV download
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0] == ["When (UK time)", "Who", "Action", "Subject", "Detail"]
    assert [line[2] for line in lines[1:]][-1] == "exported the audit log"
    assert any(line[2] == "signed in" and line[1] == "admin@council.example" for line in lines)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SCHOOL])
def test_only_admins_see_the_log(app, client, role):
    sign_in(client, create_user(role))
    assert client.get(url_for("admin.audit_log")).status_code == 403
    assert client.get(url_for("admin.export_audit_log")).status_code == 403


def test_the_officer_is_told_by_email_when_a_lock_begins(app, inbox):
    user = create_user(Role.OFFICER, email="ann@council.example")
    for _ in range(signing_in.LOCK_AFTER):
        signing_in.authenticate(user.email, "wrong password", "203.0.113.9")
    assert len(inbox.messages) == 1  # once, when the lock begins
    message = inbox.messages[0]
    assert message["To"] == "ann@council.example"
    assert "account was locked after wrong passwords" in message["Subject"]
    body = body_of(message)
    assert "5 wrong passwords or codes in a row" in body
    assert "Signing in from anywhere else still works." in body
    assert "203.0.113.9" not in body


def test_the_sign_in_form_counts_wrong_passwords_by_the_address_they_come_from(app, client):
    user = create_user(Role.OFFICER, email="ann@council.example")
    token = client.get_page(url_for("auth.sign_in")).csrf_token()

    def attempt(password: str, address: str) -> int:
        return client.post(
            url_for("auth.sign_in"),
            data={"email": user.email, "password": password, "csrf_token": token},
            environ_base={"REMOTE_ADDR": address},
        ).status_code

    assert [attempt("wrong", "203.0.113.9") for _ in range(5)] == [422] * 5
    assert attempt(PASSWORD, "203.0.113.9") == 422  # locked there
    assert attempt(PASSWORD, "198.51.100.20") == 303  # the officer's own desk


def test_wrong_passwords_at_the_same_moment_are_each_counted(app):
    """Eight attempts at once from two places: four each, no clash and no count lost."""
    user = create_user(Role.OFFICER, email="ann@council.example")
    user_id = user.id
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def attempt(address: str) -> None:
        with app.app_context():
            try:
                start.wait()
                signing_in.record_failure(
                    db.session.get(User, user_id),
                    signing_in.place_of(address),
                    accounts.utcnow(),
                    "x",
                )
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(f"203.0.113.{n % 2}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = sorted(db.session.scalars(sa.select(SignInLock.failures)))
    assert counts == [4, 4]


def test_an_ipv6_address_counts_by_its_64_block(app):
    with app.test_request_context():
        home = signing_in.place_of("2001:db8:1:2::1")
        assert signing_in.place_of("2001:db8:1:2:ffff::9") == home
        assert signing_in.place_of("2001:db8:1:3::1") != home
        assert signing_in.place_of("203.0.113.9") != signing_in.place_of("203.0.113.10")
        # An IPv4 client through a dual-stack socket is still its own IPv4 address.
        assert signing_in.place_of("::ffff:203.0.113.9") == signing_in.place_of("203.0.113.9")
        assert signing_in.place_of("::ffff:203.0.113.9") != signing_in.place_of(
            "::ffff:198.51.100.2"
        )


def test_old_counts_of_wrong_passwords_are_deleted_by_retention(app):
    user = create_user(Role.OFFICER, email="ann@council.example")
    now = accounts.utcnow()
    signing_in.record_failure(
        user, signing_in.place_of("203.0.113.9"), now - timedelta(days=31), "x"
    )
    signing_in.record_failure(user, signing_in.place_of("203.0.113.10"), now, "x")
    result = app.test_cli_runner().invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 counts of wrong passwords older than 30 days." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInLock)) == 1


def test_attempts_at_the_same_moment_past_the_limit_begin_one_lock_and_send_one_email(app, inbox):
    user = create_user(Role.OFFICER, email="ann@council.example")
    user_id, place = user.id, None
    with app.test_request_context():
        place = signing_in.place_of("203.0.113.9")
    start = threading.Barrier(8)

    def attempt() -> None:
        with app.app_context():
            try:
                start.wait()
                signing_in.record_failure(
                    db.session.get(User, user_id), place, accounts.utcnow(), "wrong password"
                )
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lock = db.session.scalars(sa.select(SignInLock)).one()
    assert lock.failures == 8 and lock.locked_until is not None
    assert len(inbox.messages) == 1


def test_an_administrator_lifts_a_lock_and_a_new_password_does_too(app, client):
    user = create_user(Role.OFFICER, email="ann@council.example")
    for _ in range(signing_in.LOCK_AFTER):
        signing_in.authenticate(user.email, "wrong password", "203.0.113.9")
    assert signing_in.authenticate(user.email, PASSWORD, "203.0.113.9") is None
    result = app.test_cli_runner().invoke(args=["users", "unlock", "--email", user.email])
    assert result.exit_code == 0 and "Sign-in locks lifted" in result.output
    assert signing_in.authenticate(user.email, PASSWORD, "203.0.113.9") is not None
    for _ in range(signing_in.LOCK_AFTER):
        signing_in.authenticate(user.email, "wrong password", "203.0.113.9")
    accounts.set_password(user.email, "a-new-password-of-length")
    assert signing_in.authenticate(user.email, "a-new-password-of-length", "203.0.113.9")
    assert ("command line", "lifted sign-in locks", "") in _actions()


def test_the_log_gives_times_in_uk_time(app, client):
    """Stored in UTC; shown and exported as the UK clock read, summer time included."""
    admin = create_user(Role.ADMIN)
    db.session.add_all(
        [
            AuditEntry(
                at=datetime(2026, 7, 1, 12, 0, 5), user_email="x", action="summer", subject="s"
            ),
            AuditEntry(
                at=datetime(2026, 1, 9, 12, 0, 5), user_email="x", action="winter", subject="s"
            ),
        ]
    )
    db.session.commit()
    sign_in(client, admin)
    page = client.get_page(url_for("admin.audit_log", q="mer"))
    assert page.soup.select_one("thead th").get_text() == "When (UK time)"
    assert page.soup.select_one("tbody td").get_text() == "2026-07-01 13:00:05"
    text = client.get(url_for("admin.export_audit_log", q="winter")).get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[1][0] == "2026-01-09 12:00:05" and lines[1][2] == "winter"
