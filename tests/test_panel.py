"""The panel register: import, add, change, remove, leave, and the audit log."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import url_for

from portal.audit import AuditEntry
from portal.extensions import db
from portal.panel import service
from portal.panel.models import AgeBand, MemberStatus, PanelGroup, PanelMember
from portal.schools.models import District
from tests.factories import create_user, sign_in

HEADER = (
    "reference,name,email,address,postcode,district,age_band,gender,ethnicity,disability,"
    "groups,consent_date,consent_wording\n"
)
CONSENT = "I agree to be contacted about council consultations"


def _row(reference: str = "WP-001", **values: str) -> str:
    row = {
        "name": "Ann Example",
        "email": "ann@example.com",
        "address": "",
        "postcode": "CV34 4RL",
        "district": "Warwick",
        "age_band": "65 to 74",
        "gender": "",
        "ethnicity": "",
        "disability": "no",
        "groups": "Warwickshire Panel; Leamington Bus User Group",
        "consent_date": "2005-11-01",
        "consent_wording": CONSENT,
        **values,
    }
    cells = [reference, *row.values()]
    return ",".join(f'"{c}"' for c in cells) + "\n"


def _import(text: str, skip_invalid: bool = False) -> service.ImportReport:
    return service.import_members(io.StringIO(text), skip_invalid=skip_invalid)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(PanelMember.id))) or 0


def test_members_import_with_their_groups_and_consent(app):
    report = _import(
        HEADER
        + _row()
        + _row(
            "WP-002",
            name="Bob Example",
            email="",
            address="1 High Street, Rugby",
            district="rugby",
            age_band="75_plus",
            groups="Rugby Older People's Forum",
            consent_date="02/12/2005",
        )
    )
    assert (report.created, report.problems) == (2, [])
    ann = service.find_member("WP-001")
    assert ann.district == District.WARWICK and ann.age_band == AgeBand.FROM_65_TO_74
    assert [g.name for g in ann.groups] == ["Leamington Bus User Group", "Warwickshire Panel"]
    assert ann.consent_given_on.isoformat() == "2005-11-01" and ann.consent_wording == CONSENT
    assert ann.status == MemberStatus.ACTIVE and len(ann.leave_token) >= 40
    bob = service.find_member("WP-002")
    assert bob.email is None and bob.consent_given_on.isoformat() == "2005-12-02"
    kinds = {g.name: g.kind.value for g in db.session.scalars(sa.select(PanelGroup))}
    assert kinds["Rugby Older People's Forum"] == "older_peoples_forum"
    assert kinds["Leamington Bus User Group"] == "bus_user_group"
    # Importing again updates, matched by reference.
    report = _import(HEADER + _row(name="Ann Updated"))
    assert (report.created, report.updated) == (0, 1)
    assert service.find_member("WP-001").name == "Ann Updated"


def test_any_bad_row_stops_the_import_with_line_numbers(app):
    report = _import(
        HEADER
        + _row()
        + _row("WP-002", email="", address="")
        + _row("WP-003", email="not an email")
        + _row("WP-004", district="Coventry")
        + _row("WP-005", age_band="90")
        + _row("WP-006", consent_date="yesterday")
        + _row("WP-007", consent_wording="")
        + _row("WP-001")
    )
    assert not report.imported
    assert [line for line, _ in report.problems] == [3, 4, 5, 6, 7, 8, 9]
    reasons = dict(report.problems)
    assert reasons[3] == "give an email address or a postal address, or both"
    assert reasons[4] == "email 'not an email' is not an email address"
    assert "district 'Coventry' is not one of" in reasons[5]
    assert "age band '90' is not one of" in reasons[6]
    assert "consent date 'yesterday' is not a date" in reasons[7]
    assert reasons[8] == "the consent wording is empty"
    assert reasons[9] == "reference WP-001 appears twice in the file"
    assert _count() == 0
    report = _import(HEADER + _row() + _row("WP-002", email="", address=""), skip_invalid=True)
    assert report.imported and report.created == 1 and _count() == 1


def test_the_command_imports_or_reports(app, tmp_path):
    good = tmp_path / "panel.csv"
    good.write_text(HEADER + _row())
    result = app.test_cli_runner().invoke(args=["panel", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 new and 0 updated members." in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + _row("WP-009", postcode="nowhere"))
    result = app.test_cli_runner().invoke(args=["panel", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, line 2: postcode 'NOWHERE' is not a UK postcode" in result.output


def _officer(client):
    officer = create_user(email="panel.officer@council.example")
    sign_in(client, officer)
    return officer


def test_officers_add_view_change_and_remove_a_member_and_each_is_audited(app, client):
    _officer(client)
    token = client.get_page(url_for("officer.new_member")).csrf_token()
    form = {
        "csrf_token": token,
        "reference": "WP-100",
        "name": "Cath Example",
        "email": "cath@example.com",
        "address": "",
        "postcode": "",
        "district": "rugby",
        "age_band": "45_64",
        "gender": "",
        "ethnicity": "",
        "disability": "",
        "groups": "Warwickshire Panel",
        "consent_date-day": "1",
        "consent_date-month": "3",
        "consent_date-year": "2006",
        "consent_wording": CONSENT,
    }
    added = client.post(url_for("officer.new_member"), data=form)
    assert added.status_code == 303
    page = client.get_page(added.headers["Location"])
    assert page.h1 == "Cath Example"
    assert "cath@example.com" in page.text

    changed = client.post(
        url_for("officer.edit_member", member_reference="WP-100"),
        data={**form, "email": "", "address": "2 Market Street, Rugby"},
    )
    assert changed.status_code == 303
    member = service.find_member("WP-100")
    db.session.refresh(member)
    assert member.email is None and member.address == "2 Market Street, Rugby"

    bad = client.post_page(
        url_for("officer.edit_member", member_reference="WP-100"),
        data={**form, "email": "nope"},
    )
    assert bad.status == 422
    assert bad.error_summary() == ["Email 'nope' is not an email address"]

    client.post(
        url_for("officer.remove_member", member_reference="WP-100"), data={"csrf_token": token}
    )
    assert service.find_member("WP-100") is None
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.subject == "panel_member:WP-100")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["added", "viewed", "changed", "erased panel member"]
    assert all(
        e.user_email == "panel.officer@council.example"
        for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.subject.not_like("user:%"))
        )
    )


def test_the_list_shows_no_personal_details(app, client):
    _import(HEADER + _row())
    _officer(client)
    page = client.get_page(url_for("officer.panel"))
    assert "WP-001" in page.text
    assert "Ann Example" not in page.text and "ann@example.com" not in page.text
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "viewed")
        )
        == 0
    )
    record = client.get_page(url_for("officer.member", member_reference="WP-001"))
    assert "Ann Example" in record.text
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "viewed")
        )
        == 1
    )


def test_other_roles_never_see_members(app, client):
    _import(HEADER + _row())
    from portal.accounts.models import Role

    sign_in(client, create_user(Role.SCHOOL))
    for url in (url_for("officer.panel"), url_for("officer.member", member_reference="WP-001")):
        assert client.get(url).status_code == 403
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "viewed")
        )
        == 0
    )


def test_a_member_leaves_through_their_own_link(app, client):
    _import(HEADER + _row())
    member = service.find_member("WP-001")
    url = url_for("public.leave_panel", token=member.leave_token)
    page = client.get_page(url)
    assert page.h1 == "Leave the panel"
    assert service.find_member("WP-001").status == MemberStatus.ACTIVE  # a GET changes nothing
    left = client.post_page(url, data={"csrf_token": page.csrf_token()})
    assert "You have left the panel" in left.text
    db.session.expire_all()
    member = service.find_member("WP-001")
    assert member.status == MemberStatus.LEFT and member.left_on is not None
    assert client.get(url_for("public.leave_panel", token="x" * 43)).status_code == 404
