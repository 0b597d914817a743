"""Every response as a streamed CSV: labels, one column per option, safe in spreadsheets."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import url_for

from portal.accounts.models import Role
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.panel.models import AuditEntry
from portal.reporting import export
from tests.factories import chose, create_user, sign_in, submit_response

SLUG = "bullying-what-parents-think"


def _csv(client) -> list[list[str]]:
    response = client.get(url_for("officer.export_csv", slug=SLUG))
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
    assert row["Reference"] == first.reference
    assert row["How it arrived"] == "online"
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
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert entry.action == "exported responses" and entry.subject == f"consultation:{SLUG}"


def test_rows_are_read_in_chunks(app):
    for _ in range(5):
        submit_response(SLUG, {})
    consultation = consultation_with_questions(SLUG)
    assert len(list(export.rows(consultation, chunk=2))) == 5


def test_only_officers_export(app, client):
    sign_in(client, create_user(Role.SCHOOL))
    assert client.get(url_for("officer.export_csv", slug=SLUG)).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0
