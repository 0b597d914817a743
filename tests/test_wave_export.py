"""Downloads of a survey series: every wave's responses in one file, lined up by question and
answer, and the change between waves with its intervals and test (issue 26)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import render_template_string, url_for
from odf.opendocument import load as odf_load
from odf.table import Table, TableCell, TableRow

from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.clock import uk_today
from portal.consultations import builder, copies
from portal.consultations.models import Consultation, OptionKind, QuestionType
from portal.extensions import db
from portal.reporting import panel_report, wave_export
from portal.reporting.panel_report import WeightedOption, WeightedQuestion
from portal.reporting.spreadsheets import cell_text
from portal.reporting.waves import published_waves
from portal.reporting.weighting import wilson
from portal.schools.service import copy_links
from tests.factories import chose, closed_yesterday, create_user, sign_in, submit_response
from tests.html_checker import checker as html_checker
from tests.journeys import consultation as load
from tests.test_waves import AFTER_DARK, LIVEABILITY

AFTER_DARK_TEXT = "How safe do you feel walking alone in your area after dark?"
DROPPED = "In the last 12 months, has anyone broken into your home, or tried to?"
ADDED = "I know how to contact my neighbourhood police team."
SPACES = "Which of these places have you used in the last 12 months?"
LIGHTING = "How good is the street lighting in your street?"
FORMATS = ["csv", "xlsx", "ods"]


def _answer(slug: str, counts: dict[str, int], first: dict[str, Any]) -> None:
    """The after-dark answers of one wave, the first response also giving `first`."""
    extra = dict(first)
    for value, count in counts.items():
        for _ in range(count):
            submit_response(slug, {"safe_after_dark": chose(value), **extra})
            extra = {}


# A few answers after dark, for tests that need responses in each wave but not the example.
FEW = {
    1: {"very_safe": 1, "fairly_safe": 1, "a_bit_unsafe": 2},
    2: {"very_safe": 1, "fairly_safe": 3},
}


def _two_waves(after_dark: dict[int, dict[str, int]]) -> tuple[Consultation, Consultation]:
    """Two waves answered after dark as given; wave 2 drops the burglary question, adds an
    agreement question, offers allotments in place of play areas, and rewords the question
    about street lighting."""
    first = load(LIVEABILITY)
    _answer(first.slug, after_dark[1], {"public_spaces_used": chose("parks", "play_areas")})
    closed_yesterday(first)
    wave = copies.new_wave(
        first, first.title, uk_today(), uk_today() + timedelta(days=30), uk_today()
    )
    copy_links(first, wave)
    db.session.commit()
    questions = {q.key: q for q in wave.questions}
    builder.delete_question(questions["burglary_experience"], answered=False)
    builder.add_question(questions["burglary_worry"].page, QuestionType.AGREEMENT_SCALE, ADDED)
    spaces = questions["public_spaces_used"]
    builder.save_question(
        spaces,
        {},
        [o.id for o in spaces.outcomes],
        [i.id for i in spaces.indicators],
        builder.OptionEdits(
            added=[(OptionKind.CHOICE, "Allotments", False)],
            remove=next(o for o in spaces.options if o.value == "play_areas"),
        ),
        answered=False,
    )
    lighting = questions["street_lighting"]
    builder.save_question(
        lighting,
        {"text": LIGHTING},
        [o.id for o in lighting.outcomes],
        [i.id for i in lighting.indicators],
        answered=False,
    )
    builder.publish(wave, uk_today())
    _answer(wave.slug, after_dark[2], {"public_spaces_used": chose("parks", "allotments")})
    return first, wave


def _get(client: Any, endpoint: str, slug: str, fmt: str) -> Any:
    response = client.get(url_for(endpoint, slug=slug, export_format=fmt))
    response.get_data()  # a streamed download holds its request context until read
    return response


def _download(client: Any, endpoint: str, slug: str, fmt: str) -> bytes:
    response = client.get(url_for(endpoint, slug=slug, export_format=fmt))
    assert response.status_code == 200
    assert response.is_streamed  # sent as it is written
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="series-')
    assert disposition.endswith(
        f'-warwickshire-panel-liveability-survey-{uk_today().isoformat()}.{fmt}"'
    )
    return response.get_data()


def _csv(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _last_audit() -> AuditEntry:
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    return entry


def test_every_waves_responses_line_up_by_question_and_answer(app, client):
    _, wave = _two_waves(FEW)
    officer = create_user()
    sign_in(client, officer)
    data = _download(client, "officer.export_series_responses", wave.slug, "csv")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:6] == [
        "Wave",
        "Consultation",
        "Reference",
        "Sent (UK time)",
        "How it arrived",
        "Link it came by",
    ]
    # The latest wave's questions in its order, the one it dropped after them.
    assert header.index(ADDED) < header.index(DROPPED) == len(header) - 1
    assert f"{SPACES} \u2013 Allotments" in header
    assert LIGHTING in header  # worded as the latest wave words it
    assert "How good is the street lighting near where you live?" not in header
    rows = _csv(data)
    assert all(len(row) == len(header) and None not in row for row in rows)
    by_wave = {number: [r for r in rows if r["Wave"] == number] for number in ("1", "2")}
    assert [len(by_wave["1"]), len(by_wave["2"])] == [4, 4]
    assert {r["Consultation"] for r in rows} == {"Warwickshire Panel: liveability survey"}
    assert {r[DROPPED] for r in by_wave["1"]} == {"Yes"}  # filled in with the first option
    assert {r[DROPPED] for r in by_wave["2"]} == {""}
    assert {r[ADDED] for r in by_wave["1"]} == {""}
    assert {r[ADDED] for r in by_wave["2"]} == {"Strongly agree"}
    assert {r[LIGHTING] for r in rows} == {"Very good"}  # both waves, under one heading
    fairly = [r for r in by_wave["2"] if r[AFTER_DARK_TEXT] == "Fairly safe"]
    assert len(fairly) == 3
    # Options line up by value: play areas, no longer offered, keeps wave 1's answer.
    play = f"{SPACES} \u2013 Children's play areas (no longer offered)"
    firsts = (by_wave["1"][0], by_wave["2"][0])
    assert [(r[f"{SPACES} \u2013 Parks, green spaces or country parks"]) for r in firsts] == [
        "Yes",
        "Yes",
    ]
    assert [r[play] for r in firsts] == ["Yes", ""]
    assert [r[f"{SPACES} \u2013 Allotments"] for r in firsts] == ["", "Yes"]
    # Read a few responses at a time, wave after wave, the rows are the same.
    waves = published_waves(load(wave.slug))
    exported = wave_export._as_exported(waves)
    in_threes = [[cell_text(c) for c in r] for r in wave_export.responses_rows(exported, chunk=3)]
    assert in_threes == [list(row.values()) for row in rows]
    entry = _last_audit()
    assert (entry.user_email, entry.action, entry.subject, entry.detail) == (
        officer.email,
        "exported responses of every wave",
        f"consultation:{wave.slug}",
        "CSV, Warwickshire Panel: liveability survey, waves 1, 2",
    )


def test_the_change_between_waves_gives_the_hand_worked_example(app, client, monkeypatch):
    _, wave = _two_waves(AFTER_DARK)
    sign_in(client, create_user())
    rows = _csv(_download(client, "officer.export_series_change", wave.slug, "csv"))
    fairly = next(
        r for r in rows if r["Question"] == AFTER_DARK_TEXT and r["Answer"] == "Fairly safe"
    )
    assert fairly == {
        "Question": AFTER_DARK_TEXT,
        "Answer": "Fairly safe",
        "Earlier wave": "1",
        "Earlier count": "10",
        "Earlier answered": "40",
        "Earlier % (net agreement: points)": "25.0",
        "Earlier 95% low": "14.2",
        "Earlier 95% high": "40.2",
        "Later wave": "2",
        "Later count": "22",
        "Later answered": "40",
        "Later % (net agreement: points)": "55.0",
        "Later 95% low": "39.8",
        "Later 95% high": "69.3",
        "Change (points)": "30.0",
        "Change 95% low": "8.5",
        "Change 95% high": "47.9",
        "z": "2.74",
        "p value": "0.006",
        "Verdict": "Larger than sampling error would explain",
        **{heading: "" for heading in list(fairly)[20:]},  # no panel weighting here
    }
    very = next(r for r in rows if r["Question"] == AFTER_DARK_TEXT and r["Answer"] == "Very safe")
    # A fall is a negative number, not text defused with an apostrophe.
    assert (very["Change (points)"], very["z"]) == (
        "-5.0",
        "-0.59",
    )
    assert very["Verdict"] == "Within sampling error: could be chance"
    net = [r for r in rows if r["Answer"] == "Net agreement (agree minus disagree)"]
    net_questions = [r["Question"] for r in net]
    assert "I feel comfortable using my nearest town centre in the evening." in net_questions
    assert ADDED not in net_questions  # asked in wave 2 only
    assert (
        net[0]["Earlier % (net agreement: points)"],
        net[0]["Later % (net agreement: points)"],
        net[0]["Earlier count"],
    ) == (
        "100.0",
        "100.0",
        "",
    )
    assert DROPPED not in {r["Question"] for r in rows}  # asked in one wave: nothing to compare
    entry = _last_audit()
    assert (entry.action, entry.detail) == (
        "exported the change between waves",
        "CSV, Warwickshire Panel: liveability survey, waves 1, 2",
    )

    # Weighted by the panel with half the effective number, the same 30 points could be chance:
    # Wilson 5 of 20 is 11.2 to 46.9%, 11 of 20 is 34.2 to 74.2%, so Newcombe's interval runs
    # from 30 - sqrt(20.8^2 + 21.9^2) = -0.2 to 30 + sqrt(19.2^2 + 13.8^2) = 53.6 points.
    monkeypatch.setattr(panel_report, "weighted_results", _half_as_many_effectively)
    rows = _csv(_download(client, "officer.export_series_change", wave.slug, "csv"))
    fairly = next(
        r for r in rows if r["Question"] == AFTER_DARK_TEXT and r["Answer"] == "Fairly safe"
    )
    assert [fairly[h] for h in list(fairly)[20:]] == [
        "25.0", "11.2", "46.9", "20.0",
        "55.0", "34.2", "74.2", "20.0",
        "30.0", "-0.2", "53.6", "Within sampling error: could be chance",
    ]  # fmt: skip


def _half_as_many_effectively(consultation: Consultation) -> dict[int, WeightedQuestion]:
    """The after-dark question weighted to its own shares, but with an effective number of
    20 of the 40 who answered, as uneven weights would give."""
    question = next(q for q in consultation.questions if q.key == "safe_after_dark")
    counts = AFTER_DARK[consultation.wave_number or 0]
    weighted = WeightedQuestion(answered=40, effective=20.0)
    for option in question.choices:
        share = counts.get(option.value, 0) / 40
        weighted.options[option.id] = WeightedOption(
            option.id, share, wilson(share * 40, 40), share, wilson(share * 20, 20)
        )
    return {question.id: weighted}


def _xlsx(data: bytes) -> dict[str, list[list[Any]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {
        name: [list(row) for row in workbook[name].iter_rows(values_only=True)]
        for name in workbook.sheetnames
    }


def _ods(data: bytes) -> dict[str, list[list[Any]]]:
    """Each sheet's cells as values: a float where the cell is a number, else its text."""
    document = odf_load(io.BytesIO(data))
    return {
        table.getAttribute("name"): [
            [
                float(cell.getAttribute("value"))
                if cell.getAttribute("valuetype") == "float"
                else str(cell)
                for cell in row.getElementsByType(TableCell)
            ]
            for row in table.getElementsByType(TableRow)
        ]
        for table in document.spreadsheet.getElementsByType(Table)
    }


# Fairly safe after dark in FEW: 1 of 4, then 3 of 4. Wilson: 4.6 to 69.9%, and 30.1 to
# 95.4%; Newcombe: 50 - sqrt(44.9^2 + 44.9^2) = -13.5 to 50 + sqrt(20.4^2 + 20.4^2) = 78.9
# points; pooled 4 of 8, so z = 0.5 / sqrt(0.25 x 0.5) = 1.41, p = 0.157.
FEW_FAIRLY_SAFE = [
    1, 1, 4, 25, 4.6, 69.9, 2, 3, 4, 75, 30.1, 95.4, 50, -13.5, 78.9, 1.41, 0.157,
    "Within sampling error: could be chance",
]  # fmt: skip


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_spreadsheets_hold_numbers_as_numbers(app, client, fmt):
    _, wave = _two_waves(FEW)
    sign_in(client, create_user())
    responses = _download(client, "officer.export_series_responses", wave.slug, fmt)
    change = _download(client, "officer.export_series_change", wave.slug, fmt)
    for data in (responses, change):
        assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    read = _xlsx if fmt == "xlsx" else _ods
    sheets = read(change)
    assert list(sheets) == ["Change between waves", "About this export"]
    fairly = next(
        r for r in sheets["Change between waves"] if r[:2] == [AFTER_DARK_TEXT, "Fairly safe"]
    )
    # Numbers read back as numbers: "25" (text) would not equal 25.
    assert fairly[2:20] == FEW_FAIRLY_SAFE
    assert [row[0] for row in read(responses)["Responses"]] == ["Wave", 1, 1, 1, 1, 2, 2, 2, 2]
    about = {row[0]: row[-1] for row in sheets["About this export"]}
    assert about["Waves"] == "Wave 1 (4 responses), Wave 2 (4 responses)"
    assert about["Method"].startswith(
        "Each wave's percentage has a 95% Wilson interval; the change"
    )
    assert "Newcombe" in about["Method"] and "two-proportion z test" in about["Method"]
    assert about["No longer asked in Wave 2"] == DROPPED
    assert about["New in Wave 2"] == ADDED
    entry = _last_audit()
    assert entry.detail == f"{fmt.upper()}, Warwickshire Panel: liveability survey, waves 1, 2"


@pytest.mark.parametrize("role", ["school account", "signed out"])
def test_only_officers_may_download_a_series(app, client, role):
    first = load(LIVEABILITY)
    submit_response(first.slug, {})
    closed_yesterday(first)
    wave = copies.new_wave(first, first.title, uk_today(), None, uk_today())
    db.session.commit()
    builder.publish(wave, uk_today())
    submit_response(wave.slug, {})
    if role == "school account":
        sign_in(client, create_user(Role.SCHOOL))
    for endpoint in ("officer.export_series_responses", "officer.export_series_change"):
        for fmt in FORMATS:
            response = _get(client, endpoint, wave.slug, fmt)
            if role == "school account":
                assert response.status_code == 403, (endpoint, fmt)
                assert "You do not have permission to see this page" in response.get_data(
                    as_text=True
                )
            else:
                assert response.status_code == 302, (endpoint, fmt)
                assert response.headers["Location"].startswith(url_for("auth.sign_in"))
    exported = sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action.like("exported%"))
    assert db.session.scalar(exported) == 0
    # The same files, for an officer: so the refusals above are the role's, not the files'.
    if role == "signed out":
        sign_in(client, create_user())
        for endpoint in ("officer.export_series_responses", "officer.export_series_change"):
            assert _get(client, endpoint, wave.slug, "csv").status_code == 200


def test_a_consultation_in_no_series_or_not_yet_compared_is_not_found(app, client):
    sign_in(client, create_user())
    for endpoint in ("officer.export_series_responses", "officer.export_series_change"):
        assert _get(client, endpoint, LIVEABILITY, "csv").status_code == 404
    first = load(LIVEABILITY)
    submit_response(first.slug, {})
    closed_yesterday(first)
    wave = copies.new_wave(first, first.title, uk_today(), None, uk_today())
    db.session.commit()
    builder.add_question(wave.pages[0], QuestionType.SHORT_TEXT, "Only in the draft")
    # Wave 2 is still a draft: the responses are wave 1's, and there is no change yet.
    rows = _csv(_download(client, "officer.export_series_responses", wave.slug, "csv"))
    assert [r["Wave"] for r in rows] == ["1"]
    assert "Only in the draft" not in rows[0]
    assert _get(client, "officer.export_series_change", wave.slug, "csv").status_code == 404


def test_the_downloads_macro_links_both_files_in_each_format(app):
    first = load(LIVEABILITY)
    template = (
        '{% from "officer/waves/downloads.html" import series_downloads %}'
        "<ul>{{ series_downloads(consultation, compared=compared) }}</ul>"
    )

    def rendered(compared: bool = True) -> BeautifulSoup:
        html = render_template_string(template, consultation=first, compared=compared)
        assert html_checker.errors(_PAGE.format(html)) == []
        return BeautifulSoup(html, "html.parser")

    assert rendered().find("li") is None  # run once: nothing to download as a series
    closed_yesterday(first)
    copies.new_wave(first, first.title, uk_today(), None, uk_today())
    db.session.commit()
    soup = rendered()
    items = [item.get_text(" ", strip=True) for item in soup.find_all("li")]
    assert items[0].startswith(
        "Download every response of every wave of Warwickshire Panel: liveability survey in "
        "one file, one row each with its wave: CSV"
    )
    assert items[1].startswith("Download the change between waves (each answer's percentage")
    links = [(a.get_text(), a["href"]) for a in soup.find_all("a")]
    expected = [
        (f"{label} of {what}", url_for(endpoint, slug=LIVEABILITY, export_format=fmt))
        for endpoint, what in (
            ("officer.export_series_responses", "every wave's responses"),
            ("officer.export_series_change", "the change between waves"),
        )
        for fmt, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("ods", "OpenDocument (ODS)"))
    ]
    assert links == expected
    assert "change between waves" not in rendered(compared=False).get_text()


# A page around the macro's list, for the HTML checker.
_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>Downloads</title></head>'
    "<body><main>{}</main></body></html>"
)
