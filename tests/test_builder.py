"""Officers build consultations through the builder's forms: details, questions, options,
pages and routing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.consultations.models import (
    Consultation,
    ConsultationStatus,
    DisplayCondition,
    QuestionType,
)
from portal.extensions import db
from portal.strategy.models import Indicator, Outcome
from tests.builder_client import DETAILS, Builder, saved_consultation, saved_question


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
    rating = saved_question("a_rating_question")
    assert [o.value for o in rating.options] == [str(n) for n in range(11)]
    scale = saved_question("a_agreement_scale_question")
    assert [o.label for o in scale.options][:2] == ["Strongly agree", "Agree"]
    assert saved_question("a_information_question").required is False

    number = saved_question("a_number_question")
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
    number = saved_question(number.key)
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
    matrix = saved_question(matrix.key)
    assert [s.label for s in matrix.statements] == ["In the day", "After dark"]

    moved = builder.edit_question(matrix.key, button=("move_up", "after_dark"))
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith("#statements-0-label")
    assert [s.value for s in saved_question(matrix.key).statements] == ["after_dark", "in_the_day"]
    builder.edit_question(
        matrix.key, {f"{builder.row(matrix.key, 'after_dark')}-label": "At night"}
    )
    assert saved_question(matrix.key).statements[0].label == "At night"
    removed = builder.edit_question(matrix.key, button=("remove", "dont_know"))
    assert "dont_know" not in [o.value for o in saved_question(matrix.key).choices]
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
    question = saved_question(question.key)
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
    assert [o.label for o in saved_question(question.key).choices] == ["Yes"]


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
    question = saved_question(question.key)
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
    consultation = saved_consultation(builder.slug)
    assert [q.key for q in consultation.pages[0].questions] == [second.key, first.key]

    builder.post("officer.add_page")
    builder.post("officer.move_question", key=first.key, direction="down")
    consultation = saved_consultation(builder.slug)
    assert [[q.key for q in p.questions] for p in consultation.pages] == [[second.key], [first.key]]

    builder.post("officer.move_page", position=2, direction="up")
    consultation = saved_consultation(builder.slug)
    assert [[q.key for q in p.questions] for p in consultation.pages] == [[first.key], [second.key]]

    # A page with questions cannot be deleted; an empty one can.
    builder.post("officer.delete_page", position=1)
    assert len(saved_consultation(builder.slug).pages) == 2
    builder.post("officer.delete_question", key=first.key)
    builder.post("officer.delete_page", position=1)
    consultation = saved_consultation(builder.slug)
    assert [[q.key for q in p.questions] for p in consultation.pages] == [[second.key]]


def test_routing_rules_are_added_checked_and_removed(client):
    builder = Builder(client)
    builder.create()
    source = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Do you use a shelter?")
    builder.add_option(source, "Yes")
    builder.add_option(source, "No")
    builder.post("officer.add_page")
    target = builder.add_question(2, QuestionType.FREE_TEXT, "What is wrong with it?")
    yes = saved_question(source.key).options[0]

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
    assert saved_question(source.key).page.position == 1
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
    assert [o.label for o in saved_question(source.key).options] == ["Yes", "No"]

    builder.post("officer.delete_condition", condition_id=condition.id)
    assert db.session.get(DisplayCondition, condition.id) is None


def test_rows_naming_options_the_question_has_not_got_change_nothing(client):
    builder = Builder(client)
    builder.slug = "bullying-what-parents-think"
    other = saved_question("school_district").options[0]
    data = builder.question_form("school_phase")
    data.update({"choices-0-value": other.value, "choices-0-label": "Taken over"})
    response = client.post(
        url_for("officer.edit_question", slug=builder.slug, key="school_phase"),
        data={**data, "remove": other.value, "add_another": "rows"},
    )
    assert response.status_code == 303
    assert saved_question("school_district").options[0].label == other.label
    assert "Taken over" not in [o.label for o in saved_question("school_phase").options]


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
        ("text", "x" * 501, "Question must be 500 characters or fewer"),
    ],
)
def test_bad_question_settings_are_refused_and_change_nothing(client, field, value, message):
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.NUMBER, "How many?")
    version = saved_consultation(builder.slug).structure_version
    page = client.post_page(
        url_for("officer.edit_question", slug=builder.slug, key=question.key),
        data={"csrf_token": builder.token, "text": "How many?", field: value},
    )
    assert page.status == 422
    assert message in page.error_summary()
    assert saved_consultation(builder.slug).structure_version == version
    assert saved_question(question.key).min_value is None


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
    no = next(o for o in saved_question(question.key).choices if o.label == "No")
    data.update({"remove": no.value, "move_up": no.value})
    response = client.post(
        url_for("officer.edit_question", slug=builder.slug, key=question.key), data=data
    )
    assert response.status_code == 303
    assert [o.label for o in saved_question(question.key).choices] == ["Yes", "Not sure"]
