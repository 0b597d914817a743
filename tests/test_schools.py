"""Schools hand out their own links and see only how many responded, suppressed."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts.models import Role, User
from portal.consultations.models import ConsultationStatus
from portal.extensions import db
from portal.responses.models import Response
from portal.schools import register, service
from portal.schools.models import DistributionChannel, District, School
from tests.factories import create_school, create_user, sign_in
from tests.journeys import BULLYING_ANSWERS, Respondent, consultation

SLUG = "bullying-what-parents-think"
HEADER = "name,number,phase,district,pupils\n"
DEMO = Path(__file__).resolve().parent.parent / "portal" / "data" / "schools-demo.csv"


def _import(text: str, skip_invalid: bool = False) -> service.ImportReport:
    return service.import_schools(io.StringIO(text), skip_invalid=skip_invalid)


def _school_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(School.id))) or 0


def test_a_good_file_imports_and_a_second_import_updates(app):
    report = _import(
        HEADER
        + '"Bilton Junior School",937/2101,primary,Rugby,312\n'
        + 'Kineton High School,9374102,Secondary,stratford_on_avon,"1,020"\n'
    )
    assert (report.created, report.updated, report.problems) == (2, 0, [])
    school = register.find_school("937/2101")
    assert school is not None and school.district == District.RUGBY and school.pupils == 312
    assert register.find_school("9374102").pupils == 1020
    report = _import(HEADER + "Bilton Junior School,9372101,primary,Rugby,330\n")
    assert (report.created, report.updated) == (0, 1)
    assert register.find_school("9372101").pupils == 330


def test_extra_columns_are_ignored(app):
    report = _import(
        "urn,name,number,phase,district,pupils,head\n"
        "1,Dunchurch Infant School,937/2200,primary,Rugby,150,Ms Jones\n"
    )
    assert report.created == 1


def test_any_bad_row_stops_the_import_and_each_is_reported_with_its_line(app):
    report = _import(
        HEADER
        + "Good School,937/2300,primary,Rugby,100\n"
        + ",937/2301,primary,Rugby,100\n"
        + "Bad District,937/2302,primary,Coventry,100\n"
        + "Bad Pupils,937/2303,primary,Rugby,lots\n"
        + "Bad Phase,937/2304,college,Rugby,100\n"
        + "Bad Number,12,primary,Rugby,100\n"
        + "Twice,937/2300,primary,Rugby,100\n"
    )
    assert not report.imported
    assert [line for line, _ in report.problems] == [3, 4, 5, 6, 7, 8]
    reasons = dict(report.problems)
    assert reasons[3] == "name is empty"
    assert "district 'Coventry' is not one of" in reasons[4]
    assert "pupils 'lots' is not a whole number" in reasons[5]
    assert "phase 'college' is not one of" in reasons[6]
    assert "number '12' is not a school number" in reasons[7]
    assert reasons[8] == "number 9372300 appears twice in the file"
    assert _school_count() == 0


def test_skip_invalid_imports_the_good_rows(app):
    report = _import(
        HEADER + "Good School,937/2300,primary,Rugby,100\nBad,937/2302,primary,Coventry,1\n",
        skip_invalid=True,
    )
    assert report.imported and report.created == 1 and len(report.problems) == 1
    assert _school_count() == 1


def test_a_file_without_the_columns_is_refused(app):
    with pytest.raises(service.ImportFileError, match="missing: district, pupils"):
        _import("name,number,phase\nA,937/1000,primary\n")


def test_the_command_reports_bad_rows_and_imports_nothing(app, tmp_path):
    bad = tmp_path / "schools.csv"
    bad.write_text(HEADER + "Good,937/2300,primary,Rugby,1\nBad,937/2301,primary,Rugby,-5\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["schools", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, line 3: pupils '-5' is not a whole number" in result.output
    assert "Nothing imported: 1 bad row" in result.output
    assert _school_count() == 0
    result = runner.invoke(args=["schools", "import", str(bad), "--skip-invalid"])
    assert result.exit_code == 0
    assert "Imported 1 new and 0 updated schools, skipped 1 bad." in result.output


def test_the_demo_file_has_schools_in_all_five_districts(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["schools", "import", str(DEMO)])
    assert result.exit_code == 0, result.output
    counts = dict(
        db.session.execute(
            sa.select(School.district, sa.func.count(School.id)).group_by(School.district)
        ).all()
    )
    assert counts == {district: 8 for district in District}


def test_a_school_account_is_created_from_the_command_line(app):
    create_school(name="Brownsover Community School")
    number = db.session.scalars(sa.select(School.number)).one()
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "office@brownsover.example",
            "--role",
            "school",
            "--school",
            number,
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(
        sa.select(User).where(User.email == "office@brownsover.example")
    ).one()
    assert user.role == Role.SCHOOL and user.school_id is not None
    refused = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "x@y.example", "--role", "school"],
        input="a long enough password\n",
    )
    assert refused.exit_code == 1
    assert "A school account needs its school" in refused.output


def _rugby_channels() -> tuple[School, School, dict[int, DistributionChannel]]:
    bilton = create_school(name="Bilton Junior School", district=District.RUGBY, pupils=200)
    hillmorton = create_school(name="Hillmorton Primary School", district=District.RUGBY)
    create_school(name="Kineton High School", district=District.STRATFORD_ON_AVON)
    created = service.create_district_channels(consultation(SLUG), District.RUGBY)
    assert created == 2
    assert service.create_district_channels(consultation(SLUG), District.RUGBY) == 0
    channels = {c.school_id: c for c in service.channels_of(consultation(SLUG))}
    return bilton, hillmorton, channels


def _respond_through(client: Any, channel: DistributionChannel) -> None:
    arrived = client.get(url_for("public.channel_link", code=channel.code.lower()))
    assert arrived.status_code == 303
    start = client.get_page(arrived.headers["Location"])
    assert "counts your response in the number of responses through that link" in start.text
    respondent = Respondent(client, SLUG)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    assert respondent.submit().status_code == 303


def test_a_response_through_a_school_link_records_the_channel(app, client):
    bilton, _, channels = _rugby_channels()
    assert len(channels[bilton.id].code) == 8
    _respond_through(client, channels[bilton.id])
    response = db.session.scalars(sa.select(Response)).one()
    assert response.distribution_channel_id == channels[bilton.id].id


def test_a_switched_off_or_unknown_link_leads_nowhere(app, client):
    bilton, _, channels = _rugby_channels()
    channel = channels[bilton.id]
    service.set_channel_active(channel, False)
    assert client.get(url_for("public.channel_link", code=channel.code)).status_code == 404
    assert client.get(url_for("public.channel_link", code="BCDFGHJK")).status_code == 404
    found = consultation(SLUG)
    found.status = ConsultationStatus.DRAFT
    db.session.commit()
    service.set_channel_active(channel, True)
    assert client.get(url_for("public.channel_link", code=channel.code)).status_code == 404


def test_a_school_sees_only_a_suppressed_count_and_never_answers(app, client):
    bilton, hillmorton, channels = _rugby_channels()
    _respond_through(client, channels[bilton.id])
    client.post(url_for("auth.sign_out"), data={})
    school_user = create_user(Role.SCHOOL, school_id=bilton.id)
    sign_in(client, school_user)
    dashboard = client.get_page(url_for("school.dashboard"))
    assert dashboard.status == 200
    row = dashboard.soup.find(id=f"channel-{channels[bilton.id].code}")
    cells = [td.get_text(strip=True) for td in row.select("td")]
    assert cells[1:] == ["fewer than 10", "not shown"]
    page = client.get_page(url_for("school.channel", channel_code=channels[bilton.id].code))
    assert page.soup.find(id="total-responses").get_text(strip=True) == "fewer than 10"
    assert url_for("public.channel_link", code=channels[bilton.id].code) in page.html
    # No answer, no comment, no question appears anywhere a school can see.
    for text in ("At the bus stop", "Please", "What type of school", "Secondary school"):
        assert text not in page.text and text not in dashboard.text
    letter = client.get_page(url_for("school.letter", channel_code=channels[bilton.id].code))
    assert "Dear parent or carer" in letter.text
    svg = client.get(url_for("school.qr", channel_code=channels[bilton.id].code, file_type="svg"))
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    png = client.get(url_for("school.qr", channel_code=channels[bilton.id].code, file_type="png"))
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")

    # Another school's channel, an officer page and an export are all refused.
    other = channels[hillmorton.id].code
    for url in (
        url_for("school.channel", channel_code=other),
        url_for("school.letter", channel_code=other),
        url_for("school.qr", channel_code=other, file_type="png"),
        url_for("officer.results", slug=SLUG),
        url_for("officer.distribution", slug=SLUG),
        url_for("officer.distribution_csv", slug=SLUG),
        url_for("officer.channel", channel_code=channels[bilton.id].code),
    ):
        assert client.get(url).status_code == 403, url


def test_officers_see_exact_counts_by_school_and_district(app, client):
    bilton, _, channels = _rugby_channels()
    _respond_through(client, channels[bilton.id])
    client.post(url_for("auth.sign_out"), data={})
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.distribution", slug=SLUG, sort="responses"))
    assert page.status == 200
    rows = [r.get_text(" ", strip=True) for r in page.soup.select("#by-school tbody tr")]
    assert rows[0].startswith("Bilton Junior School Rugby 1 0.5")
    assert "Hillmorton Primary School Rugby 0 0.0" in rows[1]
    assert "Kineton High School Stratford-on-Avon – – No link" in rows[2]
    rugby = page.soup.find(id="district-rugby").get_text(" ", strip=True)
    assert rugby == "Rugby 2 of 2 500 1 0.2"
    assert "Hillmorton Primary School (Rugby)" in page.soup.find(id="no-responses").get_text()
    export = client.get(url_for("officer.distribution_csv", slug=SLUG))
    assert export.mimetype == "text/csv"
    lines = export.get_data(as_text=True).splitlines()
    # With a byte-order mark, like every other CSV download, so spreadsheets read it as UTF-8.
    assert lines[0] == "\ufeffSchool,Number,District,Phase,Pupils,Responses,Per 100 pupils,Link"
    assert lines[1].startswith(f"Bilton Junior School,{bilton.number},Rugby,Primary,200,1,0.5,http")
    channel = client.get_page(url_for("officer.channel", channel_code=channels[bilton.id].code))
    assert channel.soup.find(id="total-responses").get_text(strip=True) == "1"


def test_a_school_named_like_a_formula_is_text_in_the_csv(app, client):
    """A school name, typed or imported, is never a live formula in a spreadsheet."""
    create_school(name='=HYPERLINK("http://evil.example","Click")', district=District.RUGBY)
    sign_in(client, create_user())
    export = client.get(url_for("officer.distribution_csv", slug=SLUG))
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "School"
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","Click")'


def test_officers_create_links_in_bulk_and_for_outlets_and_switch_them_off(app, client):
    create_school(name="Bilton Junior School", district=District.RUGBY)
    sign_in(client, create_user())
    token = client.get_page(url_for("officer.distribution", slug=SLUG)).csrf_token()
    client.post(
        url_for("officer.create_district_channels", slug=SLUG),
        data={"csrf_token": token, "district": "rugby"},
    )
    channel = db.session.scalars(sa.select(DistributionChannel)).one()
    assert channel.school is not None and channel.active
    outlet = client.post(
        url_for("officer.create_outlet_channel", slug=SLUG),
        data={"csrf_token": token, "kind": "library", "name": "Rugby Library"},
    )
    assert outlet.status_code == 303
    library = db.session.scalars(
        sa.select(DistributionChannel).where(DistributionChannel.name == "Rugby Library")
    ).one()
    assert library.school_id is None
    client.post(
        url_for("officer.switch_channel", channel_code=channel.code), data={"csrf_token": token}
    )
    db.session.expire_all()
    assert channel.active is False
    assert client.get(url_for("public.channel_link", code=channel.code)).status_code == 404
