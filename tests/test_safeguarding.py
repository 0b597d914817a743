"""Comments with a consultation's safeguarding words are flagged for an officer; nothing else
happens automatically; every confirmation page signposts help."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from portal.audit import AuditEntry
from portal.extensions import db
from portal.safeguarding.models import SafeguardingFlag
from portal.safeguarding.terms import matches, segments
from tests.factories import submit_response
from tests.journeys import BULLYING_ANSWERS, LIVEABILITY_ANSWERS, Respondent

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"
TERMS = "self harm\nscared to go home\nabuse"


def test_words_match_whole_any_capitals_and_spacing():
    assert matches(TERMS, "She talked about SELF  HARM last week") == ["self harm"]
    assert matches(TERMS, "He is scared to go home; abuse, again abuse.") == [
        "scared to go home",
        "abuse",
    ]
    assert matches(TERMS, "The teachers disabused us of that") == []
    assert matches("", "self harm") == []
    parts = segments(TERMS, "I fear self harm <b>now</b>")
    assert [(p.text, p.matched) for p in parts] == [
        ("I fear ", False),
        ("self harm", True),
        (" <b>now</b>", False),
    ]


def test_a_comment_with_a_safeguarding_word_is_flagged_in_the_same_transaction(app):
    flagged = submit_response(BULLYING, {"comments": {"text": "My son talks about Self-Harm"}})
    submit_response(BULLYING, {"comments": {"text": "The school was helpful"}})
    submit_response(BULLYING, {})
    flags = db.session.scalars(sa.select(SafeguardingFlag)).all()
    assert len(flags) == 1
    assert flags[0].answer.response_id == flagged.id
    assert flags[0].matched == "self-harm"
    assert flags[0].reviewed_at is None


def test_a_consultation_without_words_flags_nothing(app):
    submit_response(LIVEABILITY, {"comments": {"text": "self-harm"}})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SafeguardingFlag)) == 0


def test_officer_reads_the_queue_and_records_what_they_did(app, officer_client):
    submit_response(BULLYING, {"comments": {"text": "He is <script>x</script> scared to go home"}})
    answer_id = db.session.scalars(sa.select(SafeguardingFlag.answer_id)).one()
    page = officer_client.get_page(url_for("officer.safeguarding_queue"))
    assert "Safeguarding (1 to read)" in page.soup.select_one("#navigation").get_text()
    assert (
        page.soup.select_one("#flag-count").get_text(strip=True) == "1 comment waiting to be read"
    )
    comment = page.soup.select_one(f"#flag-{answer_id} .app-answer")
    assert comment.select_one("mark").get_text() == "scared to go home"
    assert "<script>x</script>" in comment.get_text()  # shown as text, never run
    assert page.soup.select_one(f"#flag-{answer_id} script") is None

    url = url_for("officer.safeguarding_flag", answer_id=answer_id)
    form = officer_client.get_page(url)
    empty = officer_client.post_page(url, {"note": " ", "csrf_token": form.csrf_token()})
    assert empty.status == 422
    assert empty.error_summary() == ["Enter what you did about this comment"]
    done = officer_client.post(
        url, data={"note": "Passed to the safeguarding lead", "csrf_token": form.csrf_token()}
    )
    assert done.status_code == 303
    flag = db.session.get(SafeguardingFlag, answer_id)
    assert flag.note == "Passed to the safeguarding lead" and flag.reviewed_by_email
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.subject.not_like("user:%"))
    ).one()
    assert (entry.action, entry.subject, entry.detail) == (
        "reviewed a safeguarding flag",
        f"comment:{answer_id}",
        "",
    )
    waiting = officer_client.get_page(url_for("officer.safeguarding_queue"))
    assert "Safeguarding (" not in waiting.soup.select_one("#navigation").get_text()
    reviewed = officer_client.get_page(url_for("officer.safeguarding_queue", show="reviewed"))
    assert "Passed to the safeguarding lead" in reviewed.text


def test_every_confirmation_page_signposts_help(app, client):
    for slug, pages, expected in [
        (BULLYING, BULLYING_ANSWERS, "Childline free on 0800 1111"),
        (LIVEABILITY, LIVEABILITY_ANSWERS, "If you or someone else is in danger now, call 999."),
    ]:
        respondent = Respondent(client, slug)
        respondent.start()
        respondent.answer_all(pages)
        sent = respondent.submit()
        page = client.get_page(sent.headers["Location"])
        assert page.h1 == "Response sent"
        assert "If you need help now" in page.text and expected in page.text


def test_officers_set_the_words_on_the_details_page(app, officer_client):
    url = url_for("officer.edit_details", slug=BULLYING)
    page = officer_client.get_page(url)
    assert "suicide" in page.soup.select_one("#safeguarding_terms").get_text()
