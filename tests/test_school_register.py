"""Officers manage schools in the portal (/officer/schools): list and search, add, change, close
after a confirmation page, reopen, and import a CSV file by upload. Every change is audited;
school accounts and signed-out visitors are refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts.models import Role, User
from portal.audit import AuditEntry
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.reporting.distribution import distribution
from portal.schools import register, service
from portal.schools.models import District, Phase, School
from tests.factories import create_school, create_user, sign_in

SLUG = "bullying-what-parents-think"
HEADER = "name,number,phase,district,pupils,town\n"


@pytest.fixture
def officer_client(app, client):
    sign_in(client, create_user(email="schools@council.example"))
    return client


def _audit(action: str) -> list[tuple[str, str, str]]:
    return [
        (e.user_email, e.subject, e.detail)
        for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    ]


def _names(page: Any) -> list[str]:
    return [th.get_text(strip=True) for th in page.soup.select("#schools tbody th")]


def _post(client: Any, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    token = client.get_page(url).csrf_token()
    return client.post_page(url, data={"csrf_token": token, **data}, **kwargs)


def test_the_list_shows_each_school_with_its_links_and_finds_by_name_number_or_town(
    officer_client,
):
    bilton = create_school(name="Bilton Junior School", district=District.RUGBY)
    bilton.town = "Rugby"
    camp_hill = create_school(name="Camp Hill Primary", district=District.NUNEATON_BEDWORTH)
    camp_hill.town = "Nuneaton"
    db.session.commit()
    consultation = consultation_with_questions(SLUG)
    assert consultation is not None
    service.set_channel_active(service.create_channel(consultation, bilton), False)

    page = officer_client.get_page(url_for("officer.schools"))
    assert page.h1 == "Schools"
    assert _names(page) == ["Bilton Junior School", "Camp Hill Primary"]
    row = [td.get_text(strip=True) for td in page.soup.select("#schools tbody tr")[0]("td")]
    assert row == [bilton.shown_number, "Rugby", "Rugby", "Primary", "300", "1 (0 on)", "Open"]
    assert "2 schools" in page.soup.select_one("#schools caption").text
    nav = page.soup.select_one(".govuk-service-navigation__item--active")
    assert nav is not None and nav.get_text(strip=True) == "Schools"

    def found(**args: str) -> list[str]:
        return _names(officer_client.get_page(url_for("officer.schools", **args)))

    assert found(q="camp hill") == ["Camp Hill Primary"]
    assert found(q="nuneaton") == ["Camp Hill Primary"]  # by town
    assert found(q=camp_hill.shown_number) == ["Camp Hill Primary"]  # 937/3002, with its slash
    assert found(q=camp_hill.number) == ["Camp Hill Primary"]
    assert found(district="rugby") == ["Bilton Junior School"]
    assert found(q="Coventry") == []
    assert officer_client.get(url_for("officer.schools", status="gone")).status_code == 404


def test_the_list_is_paginated(officer_client):
    db.session.add_all(
        School(
            name=f"School {n:02}",
            number=f"93750{n:02}",
            phase=Phase.PRIMARY,
            district=District.WARWICK,
            pupils=10,
        )
        for n in range(51)
    )
    db.session.commit()
    first = officer_client.get_page(url_for("officer.schools"))
    assert len(_names(first)) == 50 and "Page 1 of 2" in first.text
    second = officer_client.get_page(url_for("officer.schools", page=2))
    assert _names(second) == ["School 50"]
    assert officer_client.get(url_for("officer.schools", page=3)).status_code == 404


def test_an_officer_adds_a_school_and_sees_every_problem_at_once(officer_client):
    url = url_for("officer.new_school")
    refused = _post(officer_client, url, {"name": "", "number": "12", "pupils": "lots"})
    assert refused.status == 422
    assert refused.error_summary() == [
        "Enter the school's name",
        "Number '12' is not a school number like 937/2001",
        "Select the school's phase",
        "Select the school's district",
        "Pupils 'lots' is not a whole number from 0 to 10,000",
    ]
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 0

    data = {
        "name": "Dunchurch Infant School",
        "number": "937/2200",
        "town": "Dunchurch",
        "phase": "primary",
        "district": "rugby",
        "pupils": "1,150",
    }
    added = _post(officer_client, url, data, follow_redirects=True)
    assert added.h1 == "Dunchurch Infant School"
    assert "Added Dunchurch Infant School" in added.text
    school = register.find_school("9372200")
    assert school is not None
    assert (school.town, school.phase, school.district, school.pupils) == (
        "Dunchurch",
        Phase.PRIMARY,
        District.RUGBY,
        1150,
    )
    assert _audit("added a school") == [
        ("schools@council.example", "school:937/2200", "Dunchurch Infant School")
    ]
    again = _post(officer_client, url, {**data, "name": "Another"})
    assert again.error_summary() == ["Number is already held by another school"]


def test_an_officer_changes_a_school_and_its_links_take_the_new_name(officer_client):
    school = create_school(name="Hillmorton Primary School")
    consultation = consultation_with_questions(SLUG)
    assert consultation is not None
    channel = service.create_channel(consultation, school)
    url = url_for("officer.edit_school", school_number=school.number)
    form = officer_client.get_page(url)
    assert form.soup.find(id="name")["value"] == "Hillmorton Primary School"
    assert form.soup.find(id="number")["value"] == school.shown_number
    data = {
        "name": "Hillmorton Academy",
        "number": school.shown_number,
        "town": "Rugby",
        "phase": "primary",
        "district": "rugby",
        "pupils": "320",
    }
    saved = _post(officer_client, url, data, follow_redirects=True)
    assert saved.h1 == "Hillmorton Academy" and "Saved" in saved.text
    db.session.expire_all()
    assert (school.name, school.pupils, school.town) == ("Hillmorton Academy", 320, "Rugby")
    assert channel.name == "Hillmorton Academy"
    assert _audit("changed a school") == [
        (
            "schools@council.example",
            f"school:{school.shown_number}",
            "name: Hillmorton Primary School to Hillmorton Academy; pupils: 300 to 320; "
            "town: (empty) to Rugby",
        )
    ]
    other = create_school(name="Other")
    clash = _post(officer_client, url, {**data, "number": other.number})
    assert clash.status == 422 and clash.error_summary() == [
        "Number is already held by another school"
    ]


def test_closing_asks_first_then_switches_off_links_and_accounts_and_keeps_counts(
    officer_client,
):
    school = create_school(name="Bilton Junior School")
    consultation = consultation_with_questions(SLUG)
    assert consultation is not None
    channel = service.create_channel(consultation, school)
    staff = create_user(Role.SCHOOL, email="office@bilton.example", school_id=school.id)
    url = url_for("officer.close_school", school_number=school.number)

    confirm = officer_client.get_page(url)
    assert confirm.h1 == "Close Bilton Junior School?"
    effects = confirm.soup.select_one("#closing-effects").get_text(" ", strip=True)
    assert "switches off its link to “Bullying: what parents think”: it will lead nowhere" in (
        effects
    )
    assert "disables its staff account (office@bilton.example), signing it out" in effects
    assert "keeps the responses already made through its links" in effects
    assert school.closed_at is None  # asking changes nothing

    closed = _post(officer_client, url, {}, follow_redirects=True)
    assert "Closed Bilton Junior School: 1 link switched off, 1 staff account disabled" in (
        closed.text
    )
    db.session.expire_all()
    assert school.closed_at is not None and channel.active is False
    assert db.session.get(User, staff.id).disabled is True
    assert _audit("closed a school") == [
        (
            "schools@council.example",
            f"school:{school.shown_number}",
            "1 link switched off, 1 account disabled",
        )
    ]
    assert _audit("disabled account")[-1] == (
        "schools@council.example",
        "user:office@bilton.example",
        "its school was closed",
    )
    assert _names(closed) == []  # the list shows open schools unless asked
    listed = officer_client.get_page(url_for("officer.schools", status="closed"))
    assert _names(listed) == ["Bilton Junior School"]
    assert listed.soup.select_one("#schools tbody tr .govuk-tag").text == "Closed"
    # No new links for it; it stays in the figures by school for the link it had.
    assert service.create_district_channels(consultation, District.RUGBY) == 0
    assert [row.school.name for row in distribution(consultation).schools] == [
        "Bilton Junior School"
    ]

    reopen = url_for("officer.reopen_school", school_number=school.number)
    page = officer_client.get_page(url_for("officer.school", school_number=school.number))
    assert "Closed on" in page.soup.select_one("#school-closed").text
    officer_client.post(reopen, data={"csrf_token": page.csrf_token()})
    db.session.expire_all()
    assert school.closed_at is None and channel.active is False
    assert _audit("reopened a school")[0][1] == f"school:{school.shown_number}"


def _upload(client: Any, text: str | bytes, filename: str = "schools.csv") -> Any:
    url = url_for("officer.import_schools_file")
    body = text if isinstance(text, bytes) else text.encode("utf-8")
    return _post(
        client,
        url,
        {"csv_file": (io.BytesIO(body), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_an_upload_with_problems_lists_each_by_line_and_imports_nothing(officer_client):
    page = _upload(
        officer_client,
        HEADER
        + "Good School,937/2300,primary,Rugby,100,Rugby\n"
        + "Two Problems,12,primary,Coventry,100,\n"
        + "Bad Pupils,937/2302,primary,Rugby,lots,\n",
    )
    assert page.status == 422
    assert page.error_summary() == [
        "The file has problems on 2 rows: nothing was imported. Correct every row listed "
        "below, then upload the file again"
    ]
    rows = {
        row.th.get_text(strip=True): [li.get_text(strip=True) for li in row.select("li")]
        or [row.td.get_text(strip=True)]
        for row in page.soup.select("#import-problems tbody tr")
    }
    assert rows == {
        "3": [
            "number '12' is not a school number like 937/2001",
            "district 'Coventry' is not one of: North Warwickshire, Nuneaton and Bedworth, "
            "Rugby, Stratford-on-Avon, Warwick",
        ],
        "4": ["pupils 'lots' is not a whole number from 0 to 10,000"],
    }
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 0
    assert _audit("imported schools") == []


def test_a_clean_upload_adds_and_updates_schools_and_is_audited(officer_client):
    held = create_school(name="Old Name")
    page = _upload(
        officer_client,
        HEADER
        + f"New Name,{held.shown_number},primary,Rugby,99,Hillmorton\n"
        + 'Kineton High School,937/4102,Secondary,Stratford-on-Avon,"1,020",Kineton\n',
        filename="warwickshire.csv",
    )
    assert page.h1 == "Schools"
    assert "Imported the file: 1 school added, 1 updated" in page.text
    db.session.expire_all()
    assert (held.name, held.pupils, held.town) == ("New Name", 99, "Hillmorton")
    kineton = register.find_school("937/4102")
    assert kineton is not None and kineton.pupils == 1020 and kineton.town == "Kineton"
    # Each school the file added or changed is audited, as the form audits it, and the import.
    assert _audit("added a school") == [
        (
            "schools@council.example",
            "school:937/4102",
            "Kineton High School; imported from warwickshire.csv",
        )
    ]
    assert _audit("changed a school") == [
        (
            "schools@council.example",
            f"school:{held.shown_number}",
            "name: Old Name to New Name; pupils: 300 to 99; town: (empty) to Hillmorton; "
            "imported from warwickshire.csv",
        )
    ]
    assert _audit("imported schools") == [
        ("schools@council.example", "schools", "1 new and 1 updated, from warwickshire.csv")
    ]
    # A file that changes nothing is audited as an import, with no school changed.
    _upload(
        officer_client,
        HEADER + 'Kineton High School,937/4102,Secondary,Stratford-on-Avon,"1,020",Kineton\n',
    )
    assert len(_audit("changed a school")) == 1 and len(_audit("imported schools")) == 2


def test_an_upload_that_is_not_a_schools_file_says_why(officer_client):
    missing = _upload(officer_client, "name,number\nA,937/1000\n")
    assert missing.error_summary() == [
        "The file is not a schools CSV file: the first line must name the columns "
        "name,number,phase,district,pupils (missing: phase, district, pupils)"
    ]
    latin = _upload(
        officer_client,
        HEADER.encode() + "Ysgol Gymraeg,937/1001,primary,Rugby,1,Caf\xe9\n".encode("latin-1"),
    )
    assert latin.error_summary() == [
        "The file must be saved as CSV UTF-8 (in Excel: Save as, then CSV UTF-8)"
    ]
    nothing = _post(officer_client, url_for("officer.import_schools_file"), {})
    assert nothing.status == 422 and nothing.error_summary() == ["Select a CSV file"]


SCHOOL_PAGES = [
    ("GET", "officer.schools"),
    ("GET", "officer.new_school"),
    ("POST", "officer.new_school"),
    ("GET", "officer.edit_school"),
    ("POST", "officer.edit_school"),
    ("GET", "officer.close_school"),
    ("POST", "officer.close_school"),
    ("POST", "officer.reopen_school"),
    ("GET", "officer.import_schools_file"),
    ("POST", "officer.import_schools_file"),
]


@pytest.mark.parametrize("role", [None, Role.SCHOOL], ids=["anonymous", "school"])
def test_school_accounts_and_signed_out_visitors_cannot_manage_schools(app, client, role):
    school = create_school(name="Bilton Junior School")
    if role is not None:
        sign_in(client, create_user(role, school_id=school.id))
    token = client.get_page(url_for("public.start", slug=SLUG)).csrf_token()
    for method, endpoint in SCHOOL_PAGES:
        args = (
            {}
            if endpoint in {"officer.schools", "officer.new_school", "officer.import_schools_file"}
            else {"school_number": school.number}
        )
        url = url_for(endpoint, **args)
        if method == "POST":
            response = client.post(url, data={"csrf_token": token, "name": "X"})
        else:
            response = client.get(url)
        if role is None:
            assert response.status_code == 302, endpoint
            assert response.headers["Location"].startswith(url_for("auth.sign_in"))
        else:
            assert response.status_code == 403, endpoint
    db.session.expire_all()
    assert school.closed_at is None and school.name == "Bilton Junior School"
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 1


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
def test_officers_and_admins_manage_schools(app, client, role):
    school = create_school(name="Bilton Junior School")
    sign_in(client, create_user(role))
    assert client.get_page(url_for("officer.schools")).h1 == "Schools"
    url = url_for("officer.close_school", school_number=school.number)
    _post(client, url, {})
    db.session.expire_all()
    assert school.closed_at is not None
