"""Every response as a streamed CSV, XLSX or ODS (read back by independent readers): labels,
one column per option, the themes of comments, safe in spreadsheets; and the summary tables."""

from __future__ import annotations

import copy
import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa
from flask import url_for
from odf.opendocument import load as odf_load
from odf.table import Table, TableCell, TableRow

from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.comments import service as comment_service
from portal.consultations.models import ConsultationSnapshot
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.reporting import export, results_index_build
from portal.responses import corrections
from portal.responses.models import Answer
from portal.responses.service import format_reference
from tests.factories import chose, create_user, sign_in, submit_response

SLUG = "bullying-what-parents-think"


def _csv(client) -> list[list[str]]:
    response = client.get(url_for("officer.export_responses", slug=SLUG, export_format="csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_one_row_per_response_with_labels_and_one_column_per_option(app, client):
    first = submit_response(
        SLUG,
        {
            "school_phase": chose("secondary"),
            "bullying_where": {"selected": ["online"], "other": 'On the bus, "mostly"'},
            "comments": {"text": '=HYPERLINK("http://evil")\nand a second line, with a comma'},
        },
    )
    submit_response(SLUG, {"school_phase": chose("primary")})
    sign_in(client, create_user())
    rows = _csv(client)
    header, data = rows[0], rows[1:]
    assert header[:4] == ["Reference", "Sent (UK time)", "How it arrived", "Link it came by"]
    assert len(data) == 2 and all(len(row) == len(header) for row in data)
    row = dict(zip(header, data[0], strict=True))
    # As the respondent was shown it and may quote it: "63SBM-FQWTT".
    assert row["Reference"] == f"{first.reference[:5]}-{first.reference[5:]}"
    assert row["How it arrived"] == "Online"  # words, not the stored key
    assert row["What type of school does your child go to?"] == "Secondary school"
    where = [c for c in header if c.startswith("Where did the bullying happen?")]
    online = next(c for c in where if c.endswith("Online, on social media or by mobile phone"))
    assert row[online] == "Yes"
    assert row[where[-1]] == 'On the bus, "mostly"'
    comment = next(c for c in header if c.startswith("Is there anything else"))
    # Stored as typed; shown so a spreadsheet will not run it as a formula.
    assert row[comment] == '\'=HYPERLINK("http://evil")\nand a second line, with a comma'
    assert (
        dict(zip(header, data[1], strict=True))["What type of school does your child go to?"]
        == "Primary or infant school"
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.subject.not_like("user:%"))
    ).one()
    assert entry.action == "exported responses" and entry.subject == f"consultation:{SLUG}"


def test_rows_are_read_in_chunks(app):
    for _ in range(5):
        submit_response(SLUG, {})
    consultation = consultation_with_questions(SLUG)
    assert len(list(export.rows(consultation, chunk=2))) == 5


def test_only_officers_export(app, client):
    sign_in(client, create_user(Role.SCHOOL))
    assert (
        client.get(url_for("officer.export_responses", slug=SLUG, export_format="csv")).status_code
        == 403
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.subject.not_like("user:%"))
        )
        == 0
    )


def _themed_responses(officer) -> tuple[str, str]:
    """Two responses, one comment with two themes; returns both references."""
    first = submit_response(
        SLUG,
        {
            "bullied_last_year": chose("yes"),
            "comments": {"text": "Snapchat every night, 12 times"},
        },
    )
    second = submit_response(SLUG, {"bullied_last_year": chose("no")})
    found = consultation_with_questions(SLUG)
    online = comment_service.add_theme(found, "Online", "", officer)
    night = comment_service.add_theme(found, "At night", "", officer)
    answer = db.session.scalars(sa.select(Answer).where(Answer.text.like("Snapchat%"))).one()
    comment_service.set_themes(answer, {online.id, night.id}, [online, night], officer)
    # As the exports give them: as the respondents were shown them.
    return format_reference(first.reference), format_reference(second.reference)


def _download(client, fmt: str, summary: bool = False, **args) -> bytes:
    endpoint = "officer.export_summary" if summary else "officer.export_responses"
    response = client.get(url_for(endpoint, slug=SLUG, export_format=fmt, **args))
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"].endswith(f'.{fmt}"')
    return response.get_data()


def _xlsx_rows(data: bytes, sheet: str) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames == [sheet, "About this export"]
    return [
        ["" if cell is None else cell for cell in row]
        for row in workbook[sheet].iter_rows(values_only=True)
    ]


def _ods_rows(data: bytes, sheet: str) -> list[list[str]]:
    document = odf_load(io.BytesIO(data))
    tables = document.spreadsheet.getElementsByType(Table)
    assert [t.getAttribute("name") for t in tables] == [sheet, "About this export"]
    found = []
    for row in tables[0].getElementsByType(TableRow):
        found.append([str(cell) for cell in row.getElementsByType(TableCell)])
    return found


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_spreadsheets_hold_one_row_per_response_with_themes(app, client, fmt):
    officer = create_user()
    first, second = _themed_responses(officer)
    sign_in(client, officer)
    data = _download(client, fmt)
    rows = _xlsx_rows(data, "Responses") if fmt == "xlsx" else _ods_rows(data, "Responses")
    header = rows[0]
    assert header[:4] == ["Reference", "Sent (UK time)", "How it arrived", "Link it came by"]
    assert [row[0] for row in rows[1:]] == [first, second]
    row = dict(zip(header, rows[1], strict=False))
    assert row["In the last 12 months, has your child been bullied?"] == "Yes"
    comment = next(
        c for c in header if c.startswith("Is there anything else") and "themes" not in c
    )
    assert row[comment] == "Snapchat every night, 12 times"
    assert row[f"{comment} (themes)"] == "At night; Online"
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.detail) == ("exported responses", f"{fmt.upper()}, all responses")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_summary_tables_follow_the_filters(app, client, fmt):
    officer = create_user()
    _themed_responses(officer)
    submit_response(SLUG, {"bullied_last_year": chose("yes")})
    sign_in(client, officer)
    data = _download(client, fmt, summary=True, answer="bullied_last_year:yes")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    elif fmt == "xlsx":
        rows = _xlsx_rows(data, "Summary")
    else:
        rows = _ods_rows(data, "Summary")
    assert rows[0] == [
        "Question",
        "Statement",
        "Answer",
        "Count",
        "Percentage",
        "Base (people)",
        "Value",
    ]
    bullied = {
        row[2]: [str(value) for value in row[3:6]]
        for row in rows[1:]
        if row[0] == "In the last 12 months, has your child been bullied?"
    }
    assert bullied == {
        "Yes": ["2", "100.0", "2"],
        "No": ["0", "0.0", "2"],
        "I'm not sure": ["0", "0.0", "2"],
    }
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "exported summary tables"
    assert entry.detail.startswith(f"{fmt.upper()}, Answered")


def test_a_spreadsheet_streams_in_pieces_and_its_rows_are_valid(app):
    for _ in range(450):
        submit_response(SLUG, {"comments": {"text": '<&> "quoted" ]]>'}})
    found = consultation_with_questions(SLUG)
    from portal.reporting.filters import NO_FILTER
    from portal.reporting.spreadsheets import stream_xlsx

    pieces = list(stream_xlsx(export.spreadsheet_sheets(found, NO_FILTER, summary=False)))
    assert len([p for p in pieces if p]) > 3  # sent as it is written, not as one block
    rows = _xlsx_rows(b"".join(pieces), "Responses")
    assert len(rows) == 451
    comment = rows[0].index(next(c for c in rows[0] if c.startswith("Is there anything else")))
    assert rows[1][comment] == '<&> "quoted" ]]>'


def test_every_csv_download_says_its_type_and_charset_once(app, client):
    """Responses, summary, indicators, responses by school and the audit log: each is sent as
    exactly "text/csv; charset=utf-8"."""
    submit_response(SLUG, {})
    admin = create_user(Role.ADMIN)
    sign_in(client, admin)
    for url in (
        url_for("officer.export_responses", slug=SLUG, export_format="csv"),
        url_for("officer.export_summary", slug=SLUG, export_format="csv"),
        url_for("officer.export_indicators", export_format="csv"),
        url_for("officer.distribution_csv", slug=SLUG),
        url_for("admin.export_audit_log"),
    ):
        response = client.get(url)
        response.get_data()  # a streamed download is read to its end before the next
        response.close()
        assert response.status_code == 200, url
        assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"], url


def _sent_cells(workbook_data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_data))
    sheet = workbook["Responses"]
    column = [cell.value for cell in sheet[1]].index("Sent (UK time)") + 1
    return [sheet.cell(row=n, column=column) for n in range(2, sheet.max_row + 1)]


def test_spreadsheet_sent_times_are_dates_in_uk_time(app, client):
    from datetime import datetime

    # 27 April 2026, 14:05:30 BST is 13:05:30 UTC, as stored.
    submit_response(SLUG, {}, at=datetime(2026, 4, 27, 13, 5, 30))
    sign_in(client, create_user())
    (cell,) = _sent_cells(_download(client, "xlsx"))
    assert cell.is_date and cell.value == datetime(2026, 4, 27, 14, 5)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    about = openpyxl.load_workbook(io.BytesIO(_download(client, "xlsx")))["About this export"]
    assert isinstance(about["B5"].value, datetime) and about["A5"].value == "Exported (UK time)"

    document = odf_load(io.BytesIO(_download(client, "ods")))
    table = document.spreadsheet.getElementsByType(Table)[0]
    header, first = table.getElementsByType(TableRow)[:2]
    column = [str(c) for c in header.getElementsByType(TableCell)].index("Sent (UK time)")
    sent = first.getElementsByType(TableCell)[column]
    assert sent.getAttribute("valuetype") == "date"
    assert sent.getAttribute("datevalue") == "2026-04-27T14:05:00"
    assert str(sent) == "2026-04-27 14:05"
    # The CSV keeps the same reading as text.
    rows = list(csv.reader(io.StringIO(_download(client, "csv").decode("utf-8-sig"))))
    assert rows[1][1] == "2026-04-27 14:05"


def test_exports_keep_the_forms_order_of_options(app, client):
    """ "Someone else" comes before "No, nobody else" on the form, and so in both exports."""
    submit_response(
        SLUG,
        {"bullied_last_year": chose("yes"), "other_help": {"selected": [], "other": "An aunt"}},
    )
    sign_in(client, create_user())
    question = (
        "Apart from the school, did you or your child get help from anyone else about the bullying?"
    )
    header = _csv(client)[0]
    columns = [c.removeprefix(f"{question} \u2013 ") for c in header if c.startswith(question)]
    assert columns[-2:] == ["Someone else", "No, nobody else"]
    summary = list(
        csv.reader(io.StringIO(_download(client, "csv", summary=True).decode("utf-8-sig")))
    )
    answers = [row[2] for row in summary if row[0] == question]
    assert answers[0] == "A doctor, school nurse or other health worker"
    assert answers[-2:] == ["Other: Someone else", "No, nobody else"]


def test_the_summary_says_why_a_question_was_not_asked_as_the_results_page_does(app, client):
    """Routed past a question, or answered a version of the consultation without it: the
    summary export tells them apart as the results page does."""
    submit_response(SLUG, {"bullied_last_year": chose("no")})  # routed past "where"
    older = submit_response(SLUG, {"bullied_last_year": chose("no")})
    # The older response answered a version from before "bullied_others" (asked of everyone)
    # was added.
    added = next(
        q for q in consultation_with_questions(SLUG).questions if q.key == "bullied_others"
    )
    content = copy.deepcopy(older.snapshot.content)
    for page in content["pages"]:
        page["questions"] = [q for q in page["questions"] if q["id"] != added.id]
    earlier = ConsultationSnapshot(
        consultation_id=older.consultation_id, content_hash="0" * 64, content=content
    )
    db.session.add(earlier)
    db.session.flush()
    kept = [
        dict(row._mapping)
        for row in db.session.execute(
            sa.select(Answer.question_id, Answer.option_id, Answer.text).where(
                Answer.response_id == older.id, Answer.question_id != added.id
            )
        )
    ]
    corrections.correct_answers(older, kept)  # its answer to the added question goes
    # ...and it is counted under the earlier version, as if it had answered that one.
    corrections._count(older, kept, -1)
    older.snapshot_id = earlier.id
    corrections._count(older, kept, 1)
    results_index_build.mark_stale(older.consultation_id, [older.id])
    db.session.commit()
    sign_in(client, create_user())

    page = client.get_page(url_for("officer.results", slug=SLUG))
    assert (
        "1 not asked (answered a version of the consultation without it)"
        in page.soup.select_one("[id^='result-'][id$='-bullied_others']").get_text(" ", strip=True)
    )
    summary = list(
        csv.reader(io.StringIO(_download(client, "csv", summary=True).decode("utf-8-sig")))
    )
    not_asked = {row[0]: (row[2], row[3]) for row in summary if row[2].startswith("Not asked")}
    assert not_asked[added.text] == (
        "Not asked (answered a version of the consultation without it)",
        "1",
    )
    assert not_asked["Where did the bullying happen?"] == (
        "Not asked (routed past it by their earlier answers)",
        "2",
    )
