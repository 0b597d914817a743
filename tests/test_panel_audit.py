"""Every panel member added, changed or removed, by any path, is in the audit log with who (or
which command) did it, and names the member by reference, never by their personal details."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from flask import url_for

from portal.audit import AuditEntry
from portal.consultations.models import PanelLink
from portal.extensions import db
from portal.panel import service
from tests.factories import create_user, sign_in
from tests.journeys import consultation
from tests.test_panel import CONSENT, HEADER, _row
from tests.test_privacy import SLUG, _members_answer

PERSONAL = ("Ann Example", "ann@example.com", "1 High Street", "CV34 4RL", "Bob Example")


def _entries(subject: str | None = None) -> list[tuple[str, str, str, str]]:
    """(who, what, subject, detail) of every entry about panel members or consultations."""
    statement = sa.select(AuditEntry).where(AuditEntry.subject.not_like("user:%"))
    if subject is not None:
        statement = statement.where(AuditEntry.subject == subject)
    return [
        (e.user_email, e.action, e.subject, e.detail)
        for e in db.session.scalars(statement.order_by(AuditEntry.id))
    ]


def _no_personal_details() -> None:
    for entry in db.session.scalars(sa.select(AuditEntry)):
        for detail in PERSONAL:
            assert detail not in entry.detail and detail not in entry.subject, entry.detail


def test_the_import_command_audits_each_member_it_adds_or_changes(app, tmp_path):
    runner = app.test_cli_runner()
    csv_file = tmp_path / "panel.csv"
    csv_file.write_text(
        HEADER
        + _row("WP-001")
        + _row("WP-002", name="Bob Example", email="", address="1 High Street, Rugby"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["panel", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert _entries() == [
        ("flask panel import", "added", "panel_member:WP-001", ""),
        ("flask panel import", "added", "panel_member:WP-002", ""),
    ]

    # Imported again with Bob's address and groups changed and Ann's row as it was: only Bob's
    # change is recorded, by the names of what changed.
    csv_file.write_text(
        HEADER
        + _row("WP-001")
        + _row(
            "WP-002",
            name="Bob Example",
            email="",
            address="2 Market Street, Rugby",
            groups="Warwickshire Panel",
        ),
        encoding="utf-8",
    )
    again = runner.invoke(args=["panel", "import", str(csv_file)])
    assert again.exit_code == 0, again.output
    assert _entries()[2:] == [
        ("flask panel import", "changed", "panel_member:WP-002", "Changed: address, groups")
    ]
    _no_personal_details()


def test_a_bad_import_audits_nothing(app, tmp_path):
    csv_file = tmp_path / "panel.csv"
    csv_file.write_text(HEADER + _row("WP-001") + _row("WP-002", postcode="NOWHERE"))
    result = app.test_cli_runner().invoke(args=["panel", "import", str(csv_file)])
    assert result.exit_code == 1
    assert _entries() == []


def test_an_officers_changes_are_audited_with_what_changed(app, client):
    service.import_members(io.StringIO(HEADER + _row("WP-001")), by="test")
    sign_in(client, create_user(email="panel.officer@council.example"))
    url = url_for("officer.edit_member", member_reference="WP-001")
    form = {
        "csrf_token": client.get_page(url).csrf_token(),
        "reference": "WP-101",
        "name": "Ann Example",
        "email": "ann.new@example.com",
        "address": "",
        "postcode": "CV34 4RL",
        "district": "warwick",
        "age_band": "65_74",
        "gender": "",
        "ethnicity": "",
        "disability": "no",
        "groups": "Warwickshire Panel; Leamington Bus User Group",
        "consent_date-day": "1",
        "consent_date-month": "11",
        "consent_date-year": "2005",
        "consent_wording": CONSENT,
    }
    changed = client.post(url, data=form)
    assert changed.status_code == 303, changed.get_data(as_text=True)[:3000]
    assert _entries("panel_member:WP-101") == [
        (
            "panel.officer@council.example",
            "changed",
            "panel_member:WP-101",
            "Changed: reference, email (the reference was WP-001)",
        )
    ]
    # Saved again as it is: nothing changed, so only the viewing is recorded.
    again_url = url_for("officer.edit_member", member_reference="WP-101")
    client.get_page(again_url)
    assert client.post(again_url, data=form).status_code == 303
    assert [what for _, what, _, _ in _entries("panel_member:WP-101")] == ["changed", "viewed"]
    _no_personal_details()


def test_leaving_by_the_link_is_audited_as_the_member(app, client):
    service.import_members(io.StringIO(HEADER + _row("WP-001")), by="test")
    url = url_for("public.leave_panel", token=service.find_member("WP-001").leave_token)
    page = client.get_page(url)
    client.post(url, data={"csrf_token": page.csrf_token()})
    # Sent twice (a double click): the member left once.
    client.post(url, data={"csrf_token": page.csrf_token()})
    assert _entries("panel_member:WP-001")[1:] == [
        ("the member (leave link)", "left the panel", "panel_member:WP-001", "")
    ]


def test_the_privacy_commands_are_audited_by_name(app):
    _members_answer(PanelLink.MEMBER)
    runner = app.test_cli_runner()
    erased = runner.invoke(args=["privacy", "member-erase", "WP-001", "--yes"])
    assert erased.exit_code == 0, erased.output
    [entry] = [e for e in _entries("panel_member:WP-001") if e[1] == "erased panel member"]
    assert entry[0] == "flask privacy member-erase"

    found = consultation(SLUG)
    found.closes_on, found.retention_months = date(2024, 1, 31), 24
    db.session.commit()
    run = runner.invoke(args=["privacy", "retention", "--today", "2026-01-31"])
    assert run.exit_code == 0, run.output
    [retention] = _entries(f"consultation:{SLUG}")
    assert retention[:2] == ("flask privacy retention", "erased personal data")
    assert "1 invitations" in retention[3]
    _no_personal_details()
