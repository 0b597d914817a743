"""The bot trap: a box people never see; a form that comes back with it filled stores nothing."""

from __future__ import annotations

from flask import url_for

from tests.journeys import BULLYING_ANSWERS, Respondent, only_draft, response_count

BULLYING = "bullying-what-parents-think"


def _drafts() -> int:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.responses.models import ResponseDraft

    return db.session.scalar(select(func.count()).select_from(ResponseDraft)) or 0


def test_the_trap_is_hidden_from_people(client):
    page = client.get_page(url_for("public.start", slug=BULLYING))
    trap = page.soup.select_one(".app-honeypot")
    assert trap["aria-hidden"] == "true"
    field = trap.select_one("input[name=leave_this_empty]")
    assert field["tabindex"] == "-1" and field["autocomplete"] == "off" and field["value"] == ""


def test_a_filled_trap_starts_nothing(client):
    token = client.get_page(url_for("public.start", slug=BULLYING)).csrf_token()
    response = client.post(
        url_for("public.begin", slug=BULLYING),
        data={"csrf_token": token, "leave_this_empty": "http://spam.example"},
    )
    assert response.status_code == 400
    assert _drafts() == 0


def test_a_filled_trap_sends_nothing(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    # The box's name as the check-answers page renders it: the submission reads the posted
    # data by that name (honeypot_filled), so a renamed field must still be caught.
    page = client.get_page(url_for("public.check_answers", slug=BULLYING))
    trap = page.soup.select_one(".app-honeypot input")["name"]
    refused = client.post(
        url_for("public.submit", slug=BULLYING),
        data={"csrf_token": respondent.token, trap: "buy now"},
    )
    assert refused.status_code == 400
    assert response_count() == 0
    assert only_draft().response_id is None  # the person's answers are still there
    assert respondent.submit().status_code == 303  # sent properly, it goes through
    assert response_count() == 1
