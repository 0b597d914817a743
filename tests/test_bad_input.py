"""Bad input gets a clear GOV.UK-style error and changes nothing."""

import pytest
from flask import url_for

from tests.journeys import BULLYING_ANSWERS, Respondent, only_draft, response_count

BULLYING = "bullying-what-parents-think"


@pytest.fixture
def respondent(client):
    started = Respondent(client, BULLYING)
    started.start()
    return started


def post_page(client, respondent, number, data, with_token=True):
    payload = {"csrf_token": respondent.token, **data} if with_token else data
    return client.post_page(
        url_for("public.question_page", slug=BULLYING, number=number), data=payload
    )


def assert_error(page, message, field):
    assert page.status == 422
    assert page.title.startswith("Error: ")
    assert page.error_summary() == [message]
    link = page.soup.select_one(".govuk-error-summary__list a")["href"]
    assert link == f"#{field}" and page.soup.select_one(f"#{field}") is not None
    inline = page.soup.select_one(".govuk-error-message").get_text(" ", strip=True)
    assert inline == f"Error: {message}"


def test_missing_required_answer(client, respondent):
    page = post_page(client, respondent, 1, {})
    assert_error(page, "Select the type of school your child goes to", "school_phase")
    assert only_draft().answers == {}


def test_unknown_option_value(client, respondent):
    page = post_page(client, respondent, 1, {"school_phase": "boarding"})
    assert_error(page, "Select one of the options shown", "school_phase")
    assert only_draft().answers == {}


def test_unknown_value_among_checkboxes(client, respondent):
    respondent.answer_all(BULLYING_ANSWERS[:3])  # "Yes": the pages about the bullying follow
    data = {**BULLYING_ANSWERS[3], "bullying_kind": ["name_calling", "'; DROP TABLE answer; --"]}
    page = post_page(client, respondent, 4, data)
    assert_error(page, "Select only the options shown", "bullying_kind")
    assert "bullying_kind" not in only_draft().answers


def test_exclusive_option_combined_with_others(client, respondent):
    respondent.answer_all(BULLYING_ANSWERS[:7])
    page = post_page(client, respondent, 8, {"other_help": ["police", "nobody"]})
    assert_error(page, "Select “No, nobody else” on its own, or other options", "other_help")
    assert "other_help" not in only_draft().answers


def test_other_ticked_without_saying_what(client, respondent):
    respondent.answer_all(BULLYING_ANSWERS[:3])
    data = {**BULLYING_ANSWERS[3], "bullying_where__other": "   "}
    page = post_page(client, respondent, 4, data)
    assert_error(page, "Enter what “Somewhere else” means", "bullying_where__other")
    assert "bullying_where" not in only_draft().answers


def test_other_text_is_ignored_when_other_is_not_ticked(client, respondent):
    respondent.answer_all(BULLYING_ANSWERS[:3])
    data = {
        "bullying_where": ["at_school"],
        "bullying_where__other": "ignored",
        "bullying_kind": ["physical"],
    }
    response = respondent.answer(4, data)
    assert response.status_code == 303
    assert only_draft().answers["bullying_where"] == {"selected": ["at_school"]}


def test_over_long_free_text(client, respondent):
    respondent.answer_all(BULLYING_ANSWERS[:-1])
    page = post_page(client, respondent, 14, {"comments": "x" * 1201})
    assert_error(page, "Your answer must be 1,200 characters or fewer", "comments")
    assert "comments" not in only_draft().answers
    # The text typed is given back, so nothing is lost while shortening it.
    assert page.soup.select_one("textarea#comments").get_text() == "x" * 1201


def test_exactly_the_limit_counting_a_line_break_as_one(client, respondent):
    respondent.answer_all(BULLYING_ANSWERS[:-1])
    text = "a" * 599 + "\r\n" + "b" * 600  # 1,200 characters as the character count shows them
    response = respondent.answer(14, {"comments": text})
    assert response.status_code == 303
    assert only_draft().answers["comments"] == {"text": "a" * 599 + "\n" + "b" * 600}


def test_control_characters_are_refused(client, respondent):
    respondent.answer_all(BULLYING_ANSWERS[:-1])
    page = post_page(client, respondent, 14, {"comments": "hello\x00world"})
    assert_error(page, "Your answer must not contain unusual control characters", "comments")


def test_answers_for_questions_on_other_pages_are_ignored(client, respondent):
    # A tampered post naming another page's question (and an invented one) stores nothing.
    page = post_page(client, respondent, 1, {"bullied_last_year": "yes", "q_999": "x"})
    assert_error(page, "Select the type of school your child goes to", "school_phase")
    assert only_draft().answers == {}


@pytest.mark.parametrize("number", [0, 15, 999])
def test_a_page_number_that_does_not_exist(client, respondent, number):
    page = post_page(client, respondent, number, {"school_phase": "primary"})
    assert page.status == 404 and page.h1 == "Page not found"
    assert only_draft().answers == {}


def test_missing_csrf_token(client, respondent):
    page = post_page(client, respondent, 1, {"school_phase": "primary"}, with_token=False)
    assert page.status == 400
    assert page.h1 == "Sorry, your form could not be sent"
    assert only_draft().answers == {}


def test_wrong_csrf_token_on_submit(client, respondent):
    respondent.answer_all(BULLYING_ANSWERS)
    page = client.post_page(url_for("public.submit", slug=BULLYING), data={"csrf_token": "forged"})
    assert page.status == 400
    assert response_count() == 0


def test_unknown_consultation(client):
    assert client.get_page(url_for("public.start", slug="no-such-thing")).status == 404


def test_oversized_request_is_refused(client, respondent):
    page = post_page(client, respondent, 14, {"comments": "x" * 300_000})
    assert page.status == 413
    assert page.h1 == "What you sent is too large"


def test_submission_is_rate_limited(app, client):
    app.config["SUBMISSION_RATE_LIMIT"] = "2/minute"
    try:
        statuses = []
        for _ in range(3):
            respondent = Respondent(client, BULLYING)
            respondent.start()
            respondent.answer_all(BULLYING_ANSWERS)
            statuses.append(respondent.submit().status_code)
    finally:
        app.config["SUBMISSION_RATE_LIMIT"] = "10000/minute"
    assert statuses == [303, 303, 429]
    assert response_count() == 2
    page = client.get_page(url_for("public.start", slug=BULLYING))
    assert page.status == 200
