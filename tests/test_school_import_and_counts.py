"""The schools import reports every problem on a row, in the README's words; its towns and its
audit entry; a link's weekly counts start at the week it was made; the letter keeps names'
capitals."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import url_for

from portal.audit import COMMAND_LINE, AuditEntry
from portal.clock import utcnow
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.schools import register, service
from portal.schools.models import DistributionChannel, Phase, School
from portal.schools.pages import in_sentence
from tests.factories import create_school, create_user, sign_in, submit_response

SLUG = "bullying-what-parents-think"
HEADER = "name,number,phase,district,pupils\n"
README = Path(__file__).resolve().parent.parent / "README.md"


def _import(text: str, **options: object) -> service.ImportReport:
    return service.import_schools(io.StringIO(text), **options)  # type: ignore[arg-type]


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_every_problem_on_a_row_is_reported_not_only_the_first(app):
    report = _import(
        HEADER + "Good School,937/2300,primary,Rugby,100\n" + ",12,college,Rugby,lots\n"
    )
    assert not report.imported and report.bad_rows == 1
    assert [line for line, _ in report.problems] == [3, 3, 3, 3]
    reasons = [reason for _, reason in report.problems]
    assert reasons[0] == "name is empty"
    assert reasons[1] == "number '12' is not a school number like 937/2001"
    assert reasons[2] == (
        "phase 'college' is not one of: nursery, primary, secondary, all-through, special, "
        "alternative"
    )
    assert reasons[3] == "pupils 'lots' is not a whole number from 0 to 10,000"
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 0


def test_the_command_prints_each_problem_and_counts_bad_rows(app, tmp_path):
    bad = tmp_path / "schools.csv"
    bad.write_text(HEADER + "Good,937/2300,primary,Rugby,1\nBad,937/2301,college,Rugby,-5\n")
    result = app.test_cli_runner().invoke(args=["schools", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, line 3: phase 'college' is not one of" in result.output
    assert f"{bad}, line 3: pupils '-5' is not a whole number" in result.output
    assert "Nothing imported: 1 bad row." in result.output


def test_the_import_and_the_readme_name_the_phases_alike(app):
    readme = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    assert f"the phase one of {register.PHASE_WORDS};" in readme
    assert "all-through" in register.PHASE_WORDS
    report = _import(
        HEADER
        + "A,937/2400,All-through,Rugby,900\nB,937/2401,all_through,Rugby,900\n"
        + "C,937/2402,all through,Rugby,900\n"
    )
    assert report.created == 3
    assert {s.phase for s in db.session.scalars(sa.select(School))} == {Phase.ALL_THROUGH}


def test_a_town_column_is_read_and_a_file_without_one_keeps_the_towns(app):
    _import(
        "name,number,phase,district,pupils,town\nBilton Juniors,937/2101,primary,Rugby,1,Bilton\n"
    )
    assert register.find_school("9372101").town == "Bilton"
    report = _import(HEADER + "Bilton Junior School,937/2101,primary,Rugby,312\n")
    assert report.updated == 1
    school = register.find_school("9372101")
    assert (school.name, school.pupils, school.town) == ("Bilton Junior School", 312, "Bilton")


def test_an_import_is_audited_with_who_and_what(app, tmp_path):
    good = tmp_path / "rugby.csv"
    good.write_text(HEADER + "A,937/2500,primary,Rugby,1\nB,937/2501,primary,Rugby,1\n")
    result = app.test_cli_runner().invoke(args=["schools", "import", str(good)])
    assert result.exit_code == 0, result.output
    officer = create_user()
    _import(HEADER + "A,937/2500,primary,Rugby,2\nC,937/2502,primary,Rugby,1\n", by=officer)
    entries = _audit("imported schools")
    assert [(e.user_email, e.subject, e.detail) for e in entries] == [
        (COMMAND_LINE, "schools", "2 new and 0 updated, from rugby.csv"),
        (officer.email, "schools", "1 new and 1 updated"),
    ]
    _import(HEADER + "Bad,937/2503,primary,Coventry,1\n")
    assert len(_audit("imported schools")) == 2  # nothing imported, nothing recorded


def test_a_closed_school_in_a_file_is_updated_and_stays_closed(app):
    school = create_school(name="Old Name")
    register.close_school(school, None)
    report = _import(HEADER + f"New Name,{school.number},primary,Rugby,5\n")
    assert report.updated == 1
    db.session.expire_all()
    assert school.name == "New Name" and school.closed_at is not None


# Weekly counts --------------------------------------------------------------------------------


def _channel_made(at: datetime) -> DistributionChannel:
    found = consultation_with_questions(SLUG)
    assert found is not None
    channel = service.create_channel(found, create_school())
    channel.created_at = at
    db.session.commit()
    return channel


def test_weekly_counts_start_at_the_week_the_link_was_made(app):
    # Made on Wednesday 10 June 2026; asked on Tuesday 23 June: three weeks, from 8 June.
    channel = _channel_made(datetime(2026, 6, 10, 14))
    submit_response(SLUG, {}, at=datetime(2026, 6, 11, 9), distribution_channel_id=channel.id)
    submit_response(SLUG, {}, at=datetime(2026, 6, 22, 9), distribution_channel_id=channel.id)
    weeks = service.weekly_counts(channel, datetime(2026, 6, 23, 12))
    assert [(f"{start:%d %b}", count) for start, count in weeks] == [
        ("08 Jun", 1),
        ("15 Jun", 0),
        ("22 Jun", 1),
    ]


def test_weekly_counts_are_uk_weeks_and_at_most_the_last_eight(app):
    # Made long ago. 23:30 UTC on Sunday 21 June is already Monday 22 June in the UK (BST).
    channel = _channel_made(datetime(2026, 1, 5, 9))
    submit_response(SLUG, {}, at=datetime(2026, 6, 21, 23, 30), distribution_channel_id=channel.id)
    weeks = service.weekly_counts(channel, datetime(2026, 6, 23, 12))
    assert len(weeks) == 8
    assert f"{weeks[0][0]:%d %b}" == "04 May"
    assert [(f"{start:%d %b}", count) for start, count in weeks[-2:]] == [
        ("15 Jun", 0),
        ("22 Jun", 1),
    ]


def test_the_channel_page_shows_weeks_from_the_links_making(app, client):
    channel = _channel_made(utcnow())
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.channel", channel_code=channel.code))
    rows = page.soup.select("#weekly-responses tbody tr")
    assert len(rows) == 2  # this week, and "All time"
    caption = page.soup.select_one("#weekly-responses caption").get_text(" ", strip=True)
    assert caption.startswith("Responses each week since the link was made on")


# The letter -----------------------------------------------------------------------------------


def test_the_letter_keeps_the_capitals_of_names(app, client):
    found = consultation_with_questions(SLUG)
    assert found is not None
    channel = service.create_channel(found, create_school(name="Bilton Junior School"))
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.letter", channel_code=channel.code))
    assert "is asking parents and carers of children at Warwickshire schools." in page.text


def test_an_audience_is_put_mid_sentence_without_losing_names():
    assert in_sentence("Members of the Warwickshire Panel, Bus User groups") == (
        "members of the Warwickshire Panel, Bus User groups"
    )
    assert in_sentence("Warwickshire residents") == "Warwickshire residents"
    assert in_sentence("Rugby parents") == "Rugby parents"
    assert in_sentence("LGBT+ young people") == "LGBT+ young people"
    assert in_sentence("A group of carers") == "a group of carers"
