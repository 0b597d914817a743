"""The audit log: sign-ins, account changes; append-only in the database; read and exported
by admins only. And sign-in lockout after repeated wrong passwords."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts import service as accounts
from portal.accounts.models import Role, User
from portal.extensions import db
from portal.panel.models import AuditEntry
from tests.factories import PASSWORD, create_user, sign_in


def _actions() -> list[tuple[str, str, str]]:
    return [
        (e.user_email, e.action, e.detail)
        for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_sign_ins_and_failures_are_recorded(app, client):
    user = create_user(Role.OFFICER, email="ann@council.example")
    sign_in(client, user, "wrong password")
    sign_in(client, create_user(Role.OFFICER, email="bob@council.example"), PASSWORD)
    accounts.authenticate("nobody@council.example", "x" * 12)
    sign_ins = [a for a in _actions() if "sign" in a[1]]
    assert sign_ins == [
        ("ann@council.example", "failed sign-in", "wrong password (1 in a row)"),
        ("bob@council.example", "signed in", ""),
        ("nobody@council.example", "failed sign-in", "no such account"),
    ]
    created = [a for a in _actions() if a[1] == "created account"]
    assert ("command line", "created account", "role officer") in created


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(app, client):
    user = create_user(Role.OFFICER, email="ann@council.example")
    for _ in range(accounts.LOCK_AFTER):
        assert accounts.authenticate(user.email, "wrong password") is None
    locked = db.session.get(User, user.id)
    assert locked.failed_sign_ins == 5
    assert locked.locked_until is not None
    assert accounts.authenticate(user.email, PASSWORD) is None  # locked: refused
    assert _actions()[-1][1] == "refused sign-in"
    # Once the lock has passed, the right password works and resets the count.
    locked.locked_until = accounts.utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert accounts.authenticate(user.email, PASSWORD) is not None
    assert db.session.get(User, user.id).failed_sign_ins == 0


def test_each_further_failure_locks_for_longer():
    assert accounts._lock_for(5) == timedelta(minutes=15)
    assert accounts._lock_for(6) == timedelta(minutes=30)
    assert accounts._lock_for(30) == timedelta(days=1)


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
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == ["When (UTC)", "Who", "Action", "Subject", "Detail"]
    assert [line[2] for line in lines[1:]][-1] == "exported the audit log"
    assert any(line[2] == "signed in" and line[1] == "admin@council.example" for line in lines)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SCHOOL])
def test_only_admins_see_the_log(app, client, role):
    sign_in(client, create_user(role))
    assert client.get(url_for("admin.audit_log")).status_code == 403
    assert client.get(url_for("admin.export_audit_log")).status_code == 403
