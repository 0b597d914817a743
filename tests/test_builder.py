"""Officers build, publish, change and close consultations through the builder's forms."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.consultations.models import (
    Consultation,
    ConsultationSnapshot,
    ConsultationStatus,
    DisplayCondition,
    Option,
    Question,
    QuestionType,
)
from portal.extensions import db
from portal.responses.models import Response, ResponseChannel
from portal.strategy.models import Indicator, Outcome
from tests.builder_client import DETAILS, Builder
from tests.factories import submit_response
from tests.journeys import Respondent


def _question(key: str) -> Question:
    db.session.expire_all()
    return db.session.scalars(sa.select(Question).where(Question.key == key)).one()


def _consultation(slug: str) -> Consultation:
    db.session.expire_all()
    return db.session.scalars(sa.select(Consultation).where(Consultation.slug == slug)).one()


def test_an_officer_creates_a_draft_consultation(client):
    builder = Builder(client)
    consultation = builder.create()
    assert consultation.slug == "bus-shelters-what-users-think"
    assert consultation.status == ConsultationStatus.DRAFT
    assert consultation.closes_on.isoformat() == "2099-12-31"
    assert [p.position for p in consultation.pages] == [1]
    page = builder.page("officer.build")
    assert page.status == 200
    assert page.h1 == "Bus shelters: what users think"
    assert "Add at least one question" in page.text  # why it cannot be published yet
    # A draft is not shown to the public.
    assert client.get(url_for("public.start", slug=consultation.slug)).status_code == 404


def test_bad_details_are_refused_with_errors_and_nothing_is_created(client):
    builder = Builder(client)
    before = db.session.scalar(sa.select(sa.func.count(Consultation.id)))
    page = client.post_page(
        url_for("officer.new_consultation"),
        data={
            "csrf_token": builder.token,
            **DETAILS,
            "title": "",
            "closes_on-day": "31",
            "closes_on-month": "2",
        },
    )
    assert page.status == 422
    assert page.error_summary() == ["Enter a title", "Closing date must be a real date"]
    assert page.soup.select_one(".govuk-error-summary a[href='#closes_on-day']")
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == before


def test_every_question_type_can_be_added_with_its_settings(client):
    builder = Builder(client)
    builder.create()
    for question_type in QuestionType:
        question = builder.add_question(1, question_type, f"A {question_type.value} question")
        assert question.type == question_type
    rating = _question("a_rating_question")
    assert [o.value for o in rating.options] == [str(n) for n in range(11)]
    scale = _question("a_agreement_scale_question")
    assert [o.label for o in scale.options][:2] == ["Strongly agree", "Agree"]
    assert _question("a_information_question").required is False

    number = _question("a_number_question")
    outcome = db.session.scalars(sa.select(Outcome).where(Outcome.code == "3.3")).one()
    accidents = db.session.scalars(
        sa.select(Indicator).where(Indicator.code == "road-traffic-accidents")
    ).one()
    form = client.get_page(url_for("officer.edit_question", slug=builder.slug, key=number.key))
    assert "Road traffic accidents (section 3.5)" in form.text
    response = builder.post(
        "officer.edit_question",
        {
            "text": "How many times a week do you catch a bus?",
            "hint": "Count each journey",
            "required": "y",
            "error_required": "Enter how many times",
            "min_value": "0",
            "max_value": "70",
            "decimal_places": "0",
            "outcomes": [str(outcome.id)],
            "indicators": [str(accidents.id)],
        },
        key=number.key,
    )
    assert response.status_code == 303
    number = _question(number.key)
    assert number.text == "How many times a week do you catch a bus?"
    assert (number.min_value, number.max_value, number.decimal_places) == (0, 70, 0)
    assert [o.code for o in number.outcomes] == ["3.3"]
    assert [i.code for i in number.indicators] == ["road-traffic-accidents"]
    again = client.get_page(url_for("officer.edit_question", slug=builder.slug, key=number.key))
    ticked = [box["value"] for box in again.soup.select("input[name=indicators][checked]")]
    assert ticked == [str(accidents.id)]

    bad = client.post_page(
        url_for("officer.edit_question", slug=builder.slug, key=number.key),
        data={"csrf_token": builder.token, "text": "x", "min_value": "10", "max_value": "5"},
    )
    assert bad.status == 422
    assert "The largest number must be the same as or more than the smallest" in bad.error_summary()


def test_options_and_statements_are_added_edited_reordered_and_deleted(client):
    builder = Builder(client)
    builder.create()
    matrix = builder.add_question(1, QuestionType.MATRIX, "How do you feel at the shelter?")
    builder.add_option(matrix, "In the day", "statement")
    builder.add_option(matrix, "After dark", "statement")
    matrix = _question(matrix.key)
    assert [s.label for s in matrix.statements] == ["In the day", "After dark"]

    moved = builder.edit_question(matrix.key, button=("move_up", "after_dark"))
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith("#statements-0-label")
    assert [s.value for s in _question(matrix.key).statements] == ["after_dark", "in_the_day"]
    builder.edit_question(
        matrix.key, {f"{builder.row(matrix.key, 'after_dark')}-label": "At night"}
    )
    assert _question(matrix.key).statements[0].label == "At night"
    removed = builder.edit_question(matrix.key, button=("remove", "dont_know"))
    assert "dont_know" not in [o.value for o in _question(matrix.key).choices]
    page = client.get_page(removed.headers["Location"])
    assert page.soup.select_one(".app-flash-message").get_text() == "\u201cDon't know\u201d removed"
    edit = builder.page("officer.edit_question", key=matrix.key)
    assert edit.status == 200
    assert "Statements" in edit.text
    assert edit.soup.select_one("#statements-0-label")["value"] == "At night"


def test_a_rename_and_a_new_option_are_saved_together_by_add_another(client):
    """The bug this form replaced: typing a rename, then pressing Add, lost the rename."""
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.MULTIPLE_CHOICE, "Which shelters do you use?")
    builder.add_option(question, "Market Place")
    data = builder.question_form(question.key)
    assert [data["choices-0-label"], data["choices-1-label"]] == ["Market Place", ""]
    data.update(
        {
            "choices-0-label": "Market Square",
            "choices-1-label": "None of these",
            "choices-1-exclusive": "y",
            "add_another": "choices",
        }
    )
    response = client.post(
        url_for("officer.edit_question", slug=builder.slug, key=question.key), data=data
    )
    assert response.status_code == 303
    question = _question(question.key)
    assert [(o.label, o.exclusive) for o in question.choices] == [
        ("Market Square", False),
        ("None of these", True),
    ]
    # Back on the question, at an empty row for the next option.
    assert response.headers["Location"].endswith("#choices-2-label")
    page = client.get_page(response.headers["Location"])
    assert page.soup.select_one("#choices-2-label")["value"] == ""
    assert page.soup.select_one("label[for='choices-2-label']").get_text() == "Option 3 (new)"


def test_add_another_with_the_empty_row_unused_shows_one_more(client):
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    builder.add_option(question, "Yes")
    response = builder.edit_question(question.key, button=("add_another", "choices"))
    page = client.get_page(response.headers["Location"])
    rows = page.soup.select("input[name$='-label'][name^='choices']")
    assert [row["value"] for row in rows] == ["Yes", "", ""]
    # Empty new rows are left out when the question is saved.
    saved = builder.edit_question(question.key)
    assert saved.status_code == 303
    assert [o.label for o in _question(question.key).choices] == ["Yes"]


def test_an_empty_option_is_an_error_on_its_field_and_nothing_is_saved(client):
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    builder.add_option(question, "Yes")
    builder.add_option(question, "No")
    page = client.post_page(
        url_for("officer.edit_question", slug=builder.slug, key=question.key),
        data={
            **builder.question_form(question.key),
            "text": "Is your shelter clean?",
            "choices-0-label": "Yes, always",
            "choices-1-label": "  ",
        },
    )
    assert page.status == 422
    assert page.error_summary() == ["Enter option 2"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#choices-1-label"
    field = page.soup.select_one("#choices-1-label")
    assert field["aria-describedby"] == "choices-1-label-error"
    assert page.soup.select_one("#choices-1-label-error").get_text(" ", strip=True) == (
        "Error: Enter option 2"
    )
    # What was typed is still there to correct, and nothing was saved.
    assert page.soup.select_one("#choices-0-label")["value"] == "Yes, always"
    question = _question(question.key)
    assert question.text == "Is the shelter clean?"
    assert [o.label for o in question.choices] == ["Yes", "No"]


def test_a_choice_question_without_options_asks_for_the_first(client):
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    page = client.post_page(
        url_for("officer.edit_question", slug=builder.slug, key=question.key),
        data=builder.question_form(question.key),
    )
    assert page.status == 422
    assert page.error_summary() == ["Enter option 1"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#choices-0-label"


def test_the_question_added_banner_is_at_the_top_of_the_page(client):
    builder = Builder(client)
    builder.create()
    builder.page("officer.build")  # shows "Consultation created"
    response = builder.post(
        "officer.add_question",
        {"type": QuestionType.SINGLE_CHOICE.value, "text": "Is it clean?"},
        position=1,
    )
    page = client.get_page(response.headers["Location"])
    main = page.soup.select_one("main")
    banner = main.select_one(".govuk-notification-banner")
    assert banner.get_text(" ", strip=True) == "Success Question added. Now set its details."
    # The banner comes first in <main>, before the caption and the heading, as GOV.UK puts it.
    first = next(child for child in main.children if getattr(child, "name", None))
    assert first.select_one(".govuk-notification-banner") is banner
    order = [element for element in main.find_all(True)]
    assert order.index(banner) < order.index(main.select_one("h1"))


def test_questions_and_pages_move_and_delete(client):
    builder = Builder(client)
    builder.create()
    first = builder.add_question(1, QuestionType.SHORT_TEXT, "First")
    second = builder.add_question(1, QuestionType.SHORT_TEXT, "Second")
    builder.post("officer.move_question", key=second.key, direction="up")
    consultation = _consultation(builder.slug)
    assert [q.key for q in consultation.pages[0].questions] == [second.key, first.key]

    builder.post("officer.add_page")
    builder.post("officer.move_question", key=first.key, direction="down")
    consultation = _consultation(builder.slug)
    assert [[q.key for q in p.questions] for p in consultation.pages] == [[second.key], [first.key]]

    builder.post("officer.move_page", position=2, direction="up")
    consultation = _consultation(builder.slug)
    assert [[q.key for q in p.questions] for p in consultation.pages] == [[first.key], [second.key]]

    # A page with questions cannot be deleted; an empty one can.
    builder.post("officer.delete_page", position=1)
    assert len(_consultation(builder.slug).pages) == 2
    builder.post("officer.delete_question", key=first.key)
    builder.post("officer.delete_page", position=1)
    consultation = _consultation(builder.slug)
    assert [[q.key for q in p.questions] for p in consultation.pages] == [[second.key]]


def test_routing_rules_are_added_checked_and_removed(client):
    builder = Builder(client)
    builder.create()
    source = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Do you use a shelter?")
    builder.add_option(source, "Yes")
    builder.add_option(source, "No")
    builder.post("officer.add_page")
    target = builder.add_question(2, QuestionType.FREE_TEXT, "What is wrong with it?")
    yes = _question(source.key).options[0]

    builder.post(
        "officer.add_question_condition",
        {"operator": "equals", "option": str(yes.id)},
        key=target.key,
    )
    condition = db.session.scalars(
        sa.select(DisplayCondition).where(DisplayCondition.question_id == target.id)
    ).one()
    assert condition.question_id == target.id and condition.option_id == yes.id
    assert "Shown only if the answer to \u201cDo you use a shelter?\u201d is \u201cYes\u201d" in (
        builder.page("officer.build").text
    )

    # The condition's source cannot be moved after the question that depends on it.
    response = builder.post("officer.move_page", position=1, direction="down")
    page = client.get_page(response.headers["Location"])
    assert "would put a question before the answer it depends on" in page.text
    assert _question(source.key).page.position == 1
    # Nor deleted, nor its option: the refusal is said at the option, and nothing typed is saved.
    builder.post("officer.delete_question", key=source.key)
    refused = client.post_page(
        url_for("officer.edit_question", slug=builder.slug, key=source.key),
        data={**builder.question_form(source.key), "choices-1-label": "Nope", "remove": "yes"},
    )
    assert refused.status == 422
    assert refused.error_summary() == [
        "A page or question is shown depending on this option. Remove that condition first."
    ]
    assert refused.soup.select_one(".govuk-error-summary a")["href"] == "#choices-0-label"
    assert [o.label for o in _question(source.key).options] == ["Yes", "No"]

    builder.post("officer.delete_condition", condition_id=condition.id)
    assert db.session.get(DisplayCondition, condition.id) is None


def test_publish_close_reopen_and_duplicate(client):
    builder = Builder(client)
    builder.create()
    builder.post("officer.publish")
    assert _consultation(builder.slug).status == ConsultationStatus.DRAFT  # nothing to answer

    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    builder.add_option(question, "Yes")
    builder.add_option(question, "No")
    response = builder.post("officer.publish")
    assert response.status_code == 303
    consultation = _consultation(builder.slug)
    assert consultation.status == ConsultationStatus.OPEN
    assert consultation.opens_on is not None
    assert consultation.title in client.get_page(url_for("public.index")).text

    builder.post("officer.close")
    assert _consultation(builder.slug).status == ConsultationStatus.CLOSED
    assert client.get(url_for("public.start", slug=builder.slug)).status_code == 200
    respondent = Respondent(client, builder.slug)
    start = client.get_page(url_for("public.start", slug=builder.slug))
    assert "closed" in start.text.lower()

    builder.post(
        "officer.reopen", {"closes_on-day": "1", "closes_on-month": "1", "closes_on-year": "2100"}
    )
    assert _consultation(builder.slug).status == ConsultationStatus.OPEN
    respondent.start()

    builder.post("officer.duplicate")
    copy = _consultation(f"{builder.slug}-copy")
    assert copy.status == ConsultationStatus.DRAFT
    assert [o.label for o in copy.questions[0].options] == ["Yes", "No"]
    assert copy.questions[0].key == question.key


@pytest.mark.parametrize("slug", ["bullying-what-parents-think", "warwickshire-panel-liveability"])
def test_the_seeded_consultation_duplicates_with_its_routing_and_outcomes(client, slug):
    builder = Builder(client)
    builder.slug = slug
    builder.post("officer.duplicate")
    original = _consultation(slug)
    copy = _consultation(f"{slug}-copy")
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


def test_rows_naming_options_the_question_has_not_got_change_nothing(client):
    builder = Builder(client)
    builder.slug = "bullying-what-parents-think"
    other = _question("school_district").options[0]
    data = builder.question_form("school_phase")
    data.update({"choices-0-value": other.value, "choices-0-label": "Taken over"})
    response = client.post(
        url_for("officer.edit_question", slug=builder.slug, key="school_phase"),
        data={**data, "remove": other.value, "add_another": "rows"},
    )
    assert response.status_code == 303
    assert _question("school_district").options[0].label == other.label
    assert "Taken over" not in [o.label for o in _question("school_phase").options]


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

    consultation = _consultation(builder.slug)
    consultation.opens_on = uk_today() - timedelta(days=10)
    consultation.closes_on = uk_today() - timedelta(days=1)
    db.session.commit()
    assert builder.page("officer.build").soup.find(id="consultation-status").get_text() == "Closed"
    start = client.get_page(url_for("public.start", slug=builder.slug))
    assert not start.soup.select("form[action$='/start']")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "min_value",
            "1000000000000000000000000000000",
            "Smallest number allowed must be less than 100,000,000,000,000",
        ),
        ("min_value", "1e30", "Smallest number allowed must be a number, like 1150 or 5.6"),
        ("max_value", "1.23456", "Largest number allowed can have up to 4 decimal places"),
        ("max_value", "lots", "Largest number allowed must be a number, like 1150 or 5.6"),
        ("decimal_places", "9", "Enter a number from 0 to 4"),
        ("text", "", "Enter the question"),
        ("text", "x" * 501, "Field cannot be longer than 500 characters."),
    ],
)
def test_bad_question_settings_are_refused_and_change_nothing(client, field, value, message):
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.NUMBER, "How many?")
    version = _consultation(builder.slug).structure_version
    page = client.post_page(
        url_for("officer.edit_question", slug=builder.slug, key=question.key),
        data={"csrf_token": builder.token, "text": "How many?", field: value},
    )
    assert page.status == 422
    assert message in page.error_summary()
    assert _consultation(builder.slug).structure_version == version
    assert _question(question.key).min_value is None


@pytest.mark.parametrize(
    ("changed", "error"),
    [
        # Found by the property-based form test: a day too large for a C integer was a 500.
        ({"closes_on-day": "2147483648"}, "Closing date must be a real date"),
        ({"title": "Bus\x1fshelters"}, "Title must not contain unusual control characters"),
        ({"summary": "Tell us\x00"}, "Summary must not contain unusual control characters"),
        (
            {"audience": "Bus users\x85"},
            "Who it is for must not contain unusual control characters",
        ),
    ],
)
def test_overflowing_numbers_and_control_characters_are_refused(client, changed, error):
    builder = Builder(client)
    before = db.session.scalar(sa.select(sa.func.count(Consultation.id)))
    page = client.post_page(
        url_for("officer.new_consultation"),
        data={"csrf_token": builder.token, **DETAILS, **changed},
    )
    assert page.status == 422
    assert page.error_summary() == [error]
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == before


def test_a_form_pressing_remove_and_move_at_once_removes_and_moves_nothing(client):
    """Only a crafted form presses two buttons; it removed the option, then tried to move the
    option it had removed (a 500 the officer-form fuzzing found)."""
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    for label in ("Yes", "No", "Not sure"):
        builder.add_option(question, label)
    data = builder.question_form(question.key)
    no = next(o for o in _question(question.key).choices if o.label == "No")
    data.update({"remove": no.value, "move_up": no.value})
    response = client.post(
        url_for("officer.edit_question", slug=builder.slug, key=question.key), data=data
    )
    assert response.status_code == 303
    assert [o.label for o in _question(question.key).choices] == ["Yes", "Not sure"]
