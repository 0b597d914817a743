"""Officers publish, close, reopen and duplicate consultations, and change them once people
have responded, through the builder's forms."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.consultations.models import (
    ConsultationSnapshot,
    ConsultationStatus,
    Option,
    Question,
    QuestionType,
)
from portal.extensions import db
from portal.responses.models import Response, ResponseChannel
from portal.strategy.models import Outcome
from tests.builder_client import Builder, saved_consultation
from tests.factories import submit_response
from tests.journeys import Respondent


def test_publish_close_reopen_and_duplicate(client):
    builder = Builder(client)
    builder.create()
    builder.post("officer.publish")
    assert saved_consultation(builder.slug).status == ConsultationStatus.DRAFT  # nothing to answer

    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    builder.add_option(question, "Yes")
    builder.add_option(question, "No")
    response = builder.post("officer.publish")
    assert response.status_code == 303
    consultation = saved_consultation(builder.slug)
    assert consultation.status == ConsultationStatus.OPEN
    assert consultation.opens_on is not None
    assert consultation.title in client.get_page(url_for("public.index")).text

    builder.post("officer.close")
    assert saved_consultation(builder.slug).status == ConsultationStatus.CLOSED
    assert client.get(url_for("public.start", slug=builder.slug)).status_code == 200
    respondent = Respondent(client, builder.slug)
    start = client.get_page(url_for("public.start", slug=builder.slug))
    assert "closed" in start.text.lower()

    builder.post(
        "officer.reopen", {"closes_on-day": "1", "closes_on-month": "1", "closes_on-year": "2100"}
    )
    assert saved_consultation(builder.slug).status == ConsultationStatus.OPEN
    respondent.start()

    builder.post("officer.duplicate")
    copy = saved_consultation(f"{builder.slug}-copy")
    assert copy.status == ConsultationStatus.DRAFT
    assert [o.label for o in copy.questions[0].options] == ["Yes", "No"]
    assert copy.questions[0].key == question.key


@pytest.mark.parametrize("slug", ["bullying-what-parents-think", "warwickshire-panel-liveability"])
def test_the_seeded_consultation_duplicates_with_its_routing_and_outcomes(client, slug):
    builder = Builder(client)
    builder.slug = slug
    builder.post("officer.duplicate")
    original = saved_consultation(slug)
    copy = saved_consultation(f"{slug}-copy")
    assert [q.key for q in copy.questions] == [q.key for q in original.questions]
    assert [[o.code for o in q.outcomes] for q in copy.questions] == [
        [o.code for o in q.outcomes] for q in original.questions
    ]
    assert [[i.code for i in q.indicators] for q in copy.questions] == [
        [i.code for i in q.indicators] for q in original.questions
    ]
    if slug == "warwickshire-panel-liveability":
        assert any(q.indicators for q in copy.questions)


def test_edits_that_would_change_stored_answers_are_refused_once_people_respond(client):
    slug = "bullying-what-parents-think"
    submit_response(slug, {})
    builder = Builder(client)
    builder.slug = slug
    questions_before = db.session.scalar(sa.select(sa.func.count(Question.id)))
    options_before = db.session.scalar(sa.select(sa.func.count(Option.id)))

    response = builder.post("officer.delete_question", key="school_phase")
    page = client.get_page(response.headers["Location"])
    assert "You cannot delete a question because people have already responded" in page.text
    refused = builder.edit_question("school_phase", button=("remove", "special"))
    assert refused.status_code == 422
    assert "You cannot delete an option because people have already responded" in (
        refused.get_data(as_text=True)
    )
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == questions_before
    assert db.session.scalar(sa.select(sa.func.count(Option.id))) == options_before
    # The builder no longer offers the buttons.
    assert (
        "Delete"
        not in builder.page("officer.build").soup.select_one("#question-school_phase").get_text()
    )


def test_results_show_answers_against_the_wording_respondents_saw(client):
    slug = "bullying-what-parents-think"
    submit_response(slug, {"school_phase": {"selected": ["primary"]}})
    builder = Builder(client)
    builder.slug = slug
    outcome = db.session.scalars(sa.select(Outcome).where(Outcome.code == "2.2.1")).one()
    builder.post(
        "officer.edit_question",
        {
            "text": "Which type of school is your child at?",
            "required": "y",
            "outcomes": [str(outcome.id)],
        },
        key="school_phase",
    )
    builder.edit_question(
        "school_phase",
        {f"{builder.row('school_phase', 'primary')}-label": "Primary, infant or junior school"},
    )
    submit_response(slug, {"school_phase": {"selected": ["primary"]}})

    responses = db.session.scalars(sa.select(Response).order_by(Response.id)).all()
    assert responses[0].snapshot_id != responses[1].snapshot_id
    first = db.session.get(ConsultationSnapshot, responses[0].snapshot_id)
    assert first.content["pages"][0]["questions"][0]["text"] == (
        "What type of school does your child go to?"
    )

    results = builder.page("officer.results")
    section = results.soup.find(id="result-2.2.1-school_phase").get_text(" ", strip=True)
    earlier = "What type of school does your child go to?"
    assert f"1 response answered earlier wording: \u201c{earlier}\u201d" in section
    assert (
        "\u201cPrimary, infant or junior school\u201d read \u201cPrimary or infant school\u201d"
        in section
    )
    assert "Primary, infant or junior school 2 100.0%" in section


def test_a_respondent_mid_journey_gets_the_new_wording_at_once(client):
    slug = "bullying-what-parents-think"
    respondent = Respondent(client, slug)
    respondent.start()
    officer_client = client.application.test_client()
    builder = Builder(officer_client)
    builder.slug = slug
    builder.post(
        "officer.edit_question",
        {"text": "Which kind of school does your child attend?", "required": "y"},
        key="school_phase",
    )
    page = client.get_page(url_for("public.question_page", slug=slug, number=1))
    assert page.h1 == "Which kind of school does your child attend?"


def test_preview_shows_and_checks_every_page_and_saves_nothing(client):
    slug = "bullying-what-parents-think"
    builder = Builder(client)
    builder.slug = slug
    page = builder.page("officer.preview", number=1)
    assert page.status == 200
    assert "This is what respondents see. Nothing you enter is saved." in page.text
    assert page.h1 == "What type of school does your child go to?"
    invalid = client.post_page(
        url_for("officer.preview", slug=slug, number=1), data={"csrf_token": builder.token}
    )
    assert invalid.status == 422
    assert invalid.error_summary() == ["Select the type of school your child goes to"]
    valid = builder.post("officer.preview", {"school_phase": "primary"}, number=1)
    assert valid.headers["Location"].endswith(url_for("officer.preview", slug=slug, number=2))
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0


@pytest.mark.parametrize("channel", [ResponseChannel.PAPER, ResponseChannel.PHONE])
def test_an_officer_keys_in_a_paper_or_phone_response(client, channel):
    from tests.journeys import BULLYING_ANSWERS

    slug = "bullying-what-parents-think"
    builder = Builder(client)
    builder.slug = slug
    refused = client.post_page(
        url_for("officer.assisted_start", slug=slug), data={"csrf_token": builder.token}
    )
    assert refused.error_summary() == ["Select how the response reached the council"]
    response = builder.post("officer.assisted_start", {"channel": channel.value})
    assert response.headers["Location"].endswith(
        url_for("public.question_page", slug=slug, number=1)
    )
    respondent = Respondent(client, slug)
    respondent.token = builder.token
    respondent.answer_all(BULLYING_ANSWERS)
    sent = respondent.submit()
    confirmation = client.get_page(sent.headers["Location"])
    assert "Enter another paper or phone response" in confirmation.text
    stored = db.session.scalars(sa.select(Response)).one()
    assert stored.channel == channel
    assert stored.entered_by_id is not None
    dashboard = builder.page("officer.dashboard")
    row = dashboard.soup.select_one("#consultation-bullying-what-parents-think")
    assert row.select("td")[-2].get_text(strip=True) == "1"


def test_a_published_consultation_opens_and_closes_by_its_dates(client):
    from datetime import timedelta

    from portal.clock import uk_today

    builder = Builder(client)
    tomorrow = uk_today() + timedelta(days=1)
    builder.create(
        **{
            "opens_on-day": str(tomorrow.day),
            "opens_on-month": str(tomorrow.month),
            "opens_on-year": str(tomorrow.year),
        }
    )
    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    builder.add_option(question, "Yes")
    builder.post("officer.publish")
    assert builder.page("officer.build").soup.find(id="consultation-status").get_text() == (
        "Scheduled"
    )
    assert "Is the shelter clean" not in client.get_page(url_for("public.index")).text
    start = client.get_page(url_for("public.start", slug=builder.slug))
    assert not start.soup.select("form[action$='/start']")  # no Start button before it opens

    consultation = saved_consultation(builder.slug)
    consultation.opens_on = uk_today() - timedelta(days=10)
    consultation.closes_on = uk_today() - timedelta(days=1)
    db.session.commit()
    assert builder.page("officer.build").soup.find(id="consultation-status").get_text() == "Closed"
    start = client.get_page(url_for("public.start", slug=builder.slug))
    assert not start.soup.select("form[action$='/start']")
