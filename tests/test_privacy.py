"""Retention periods, and a panel member's rights of access and erasure, by `flask privacy`."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for

from portal.audit import AuditEntry
from portal.clock import utcnow
from portal.consultations.models import PanelLink
from portal.extensions import db
from portal.panel import invitations, service
from portal.panel.models import Invitation
from portal.privacy.service import ERASED, ERASED_ON_REQUEST, months_after
from portal.responses import tallies
from portal.responses.models import Answer, Response, ResponseDraft
from portal.responses.service import start_draft
from tests.factories import create_user, sign_in, submit_response
from tests.journeys import consultation
from tests.test_panel import HEADER, _row

SLUG = "warwickshire-panel-liveability"
BULLYING = "bullying-what-parents-think"


def _members_answer(panel_link: PanelLink) -> list[Response]:
    """Two members invited and answering, a comment each; the comments question is personal."""
    service.import_members(
        io.StringIO(
            HEADER
            + _row("WP-001", name="Ann Example", email="ann@example.com", groups="Rugby BUG")
            + _row("WP-002", name="Bob Example", email="bob@example.com", groups="Rugby BUG")
        )
    )
    found = consultation(SLUG)
    found.panel_link = panel_link
    next(q for q in found.questions if q.key == "comments").personal = True
    db.session.commit()
    invitations.invite(found, None, utcnow())
    sent = []
    for invitation in db.session.scalars(sa.select(Invitation).order_by(Invitation.id)):
        sent.append(
            submit_response(
                SLUG,
                {"comments": {"text": f"I am {invitation.member.name}, call me"}},
                invitation_id=invitation.id,
            )
        )
    # And someone part-way through, whose saved answers are kept for them to come back to.
    start_draft(found, utcnow(), timedelta(days=30))
    return sent


def _comments() -> list[str]:
    return sorted(
        db.session.scalars(
            sa.select(Answer.text)
            .join(Response)
            .where(
                Response.consultation_id == consultation(SLUG).id,
                Answer.question_id
                == next(q.id for q in consultation(SLUG).questions if q.key == "comments"),
            )
        )
    )


def test_months_after_keeps_to_the_end_of_a_short_month():
    assert months_after(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_after(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert months_after(date(2024, 2, 29), 24) == date(2026, 2, 28)
    assert months_after(date(2026, 5, 15), 24) == date(2028, 5, 15)


def test_retention_erases_personal_details_once_and_keeps_the_answers(app):
    _members_answer(PanelLink.MEMBER)
    found = consultation(SLUG)
    found.closes_on, found.retention_months = date(2024, 1, 31), 24
    db.session.commit()
    counts_before = tallies.fresh_counts()
    total_before = db.session.scalar(sa.select(sa.func.count(Response.id)))
    runner = app.test_cli_runner()

    early = runner.invoke(args=["privacy", "retention", "--today", "2026-01-30"])
    assert "Nothing is past its retention period on 30 January 2026." in early.output

    dry = runner.invoke(args=["privacy", "retention", "--dry-run", "--today", "2026-01-31"])
    assert dry.exit_code == 0, dry.output
    assert (
        f"Would erase from {SLUG}: 2 panel links, 2 invitations, 2 personal answers, "
        "0 quotes, 3 drafts, 0 feedback comments." in dry.output
    )
    assert _comments() == ["I am Ann Example, call me", "I am Bob Example, call me"]

    run = runner.invoke(args=["privacy", "retention", "--today", "2026-01-31"])
    assert f"Erased from {SLUG}: 2 panel links, 2 invitations, 2 personal answers" in run.output
    db.session.expire_all()
    assert _comments() == [ERASED, ERASED]
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Response.id)).where(Response.invitation_id.is_not(None))
        )
        == 0
    )
    assert db.session.scalar(sa.select(sa.func.count(ResponseDraft.id))) == 0
    # The anonymous answers, and every figure, stay.
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == total_before
    assert tallies.fresh_counts() == counts_before == tallies.stored_counts()
    assert consultation(SLUG).personal_data_erased_on == date(2026, 1, 31)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "erased personal data")
    ).one()
    assert entry.subject == f"consultation:{SLUG}" and "Ann" not in entry.detail
    # The bullying consultation (no closing date passed) is untouched; a second run does nothing.
    again = runner.invoke(args=["privacy", "retention", "--today", "2026-02-01"])
    assert "Nothing is past its retention period" in again.output


def test_a_member_gets_everything_held_about_them(app, tmp_path):
    _members_answer(PanelLink.MEMBER)
    out = tmp_path / "wp-001.json"
    result = app.test_cli_runner().invoke(
        args=["privacy", "member-export", "WP-001", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["name"] == "Ann Example" and record["email"] == "ann@example.com"
    assert record["groups"] == ["Rugby BUG"]
    (invited,) = record["invitations"]
    assert invited["consultation"] == "Warwickshire Panel: liveability survey"
    answers = {a["question"]: a["answer"] for a in invited["response"]["answers"]}
    assert "I am Ann Example, call me" in answers.values()
    assert "Bob" not in out.read_text(encoding="utf-8")


def test_an_anonymous_members_response_is_not_in_their_export(app):
    _members_answer(PanelLink.CELLS)
    result = app.test_cli_runner().invoke(args=["privacy", "member-export", "WP-002"])
    record = json.loads(result.output)
    assert record["invitations"][0]["response"].startswith("kept without a link to you")
    assert "call me" not in result.output


def test_erasing_a_member_keeps_their_answers_anonymously(app):
    sent = _members_answer(PanelLink.MEMBER)
    counts_before = tallies.fresh_counts()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["privacy", "member-erase", "WP-404", "--yes"]).exit_code == 1
    result = runner.invoke(args=["privacy", "member-erase", "WP-001", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Erased WP-001: 1 invitations, 1 responses unlinked, 1 personal answers erased." in (
        result.output
    )
    db.session.expire_all()
    assert service.find_member("WP-001") is None
    assert service.find_member("WP-002") is not None
    ann = db.session.get(Response, sent[0].id)
    assert ann is not None and ann.invitation_id is None
    assert _comments() == ["I am Bob Example, call me", ERASED_ON_REQUEST]
    assert tallies.fresh_counts() == counts_before
    assert (
        db.session.scalar(
            sa.select(AuditEntry.detail).where(AuditEntry.action == "erased panel member")
        )
        == "1 invitations, 1 responses unlinked, 1 personal answers erased"
    )


def test_officers_set_the_retention_period_and_mark_personal_questions(client):
    sign_in(client, create_user())
    found = consultation(BULLYING)
    url = url_for("officer.edit_details", slug=BULLYING)
    page = client.get_page(url)
    assert page.soup.select_one("#retention_months")["value"] == "24"
    fields = {
        tag["name"]: tag.get("value", "")
        for tag in page.soup.select("form[action$='/details'] input[name]")
        if tag.get("type") not in ("radio", "checkbox")
    }
    fields.update(
        {
            tag["name"]: tag.get_text()
            for tag in page.soup.select("form[action$='/details'] textarea")
        }
    )
    bad = client.post_page(url, data={**fields, "panel_link": "cells", "retention_months": "0"})
    assert bad.error_summary() == ["Enter a number of months from 1 to 120"]
    good = client.post(url, data={**fields, "panel_link": "cells", "retention_months": "36"})
    assert good.status_code == 303
    db.session.expire_all()
    assert consultation(BULLYING).retention_months == 36

    key = next(q.key for q in found.questions if q.key == "comments")
    question_url = url_for("officer.edit_question", slug=BULLYING, key=key)
    question_page = client.get_page(question_url)
    assert "Answers may hold personal details" in question_page.text
    client.post(
        question_url,
        data={
            "csrf_token": question_page.csrf_token(),
            "text": "Anything else?",
            "personal": "y",
        },
    )
    db.session.expire_all()
    assert next(q for q in consultation(BULLYING).questions if q.key == key).personal
