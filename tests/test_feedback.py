""" "What did you think of this service?": optional feedback after sending a response, kept
apart from it, and read by officers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts.models import Role
from portal.clock import uk_today
from portal.consultations.models import ConsultationStatus
from portal.extensions import db
from portal.feedback.models import Satisfaction, ServiceFeedback
from portal.feedback.service import COMMENTS_PER_PAGE, record_feedback
from portal.responses.models import Response
from tests.factories import create_user, sign_in
from tests.journeys import BULLYING_ANSWERS, Respondent, consultation

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"


def _feedback_rows() -> list[ServiceFeedback]:
    return list(db.session.scalars(sa.select(ServiceFeedback)))


def _post_feedback(client, data: dict, slug: str = BULLYING):
    url = url_for("public.give_feedback", slug=slug)
    token = client.get_page(url).csrf_token()
    return client.post(url, data={"csrf_token": token, **data})


def test_a_respondent_goes_from_the_confirmation_page_to_feedback_kept_apart(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    sent = respondent.submit()
    confirmation = client.get_page(sent.headers["Location"])
    link = confirmation.soup.select_one(".app-feedback-link a")
    assert link.get_text(strip=True) == "What did you think of this service?"
    assert link["href"] == url_for("public.give_feedback", slug=BULLYING)

    form = client.get_page(link["href"])
    assert form.h1 == "Give feedback on Have your say"
    labels = [label.get_text(strip=True) for label in form.soup.select(".govuk-radios__label")]
    assert labels == [
        "Very satisfied",
        "Satisfied",
        "Neither satisfied nor dissatisfied",
        "Dissatisfied",
        "Very dissatisfied",
    ]
    assert "You can enter up to 1,200 characters" in form.text
    assert form.soup.select_one(".govuk-character-count")["data-maxlength"] == "1200"

    done = client.post(
        link["href"],
        data={
            "csrf_token": form.csrf_token(),
            "rating": "satisfied",
            "comment": "  Quick, but the\r\nsecond page was long  ",
        },
    )
    assert done.status_code == 303
    assert done.headers["Location"] == url_for("public.feedback_sent", slug=BULLYING)
    thanks = client.get_page(done.headers["Location"])
    assert thanks.h1 == "Thank you for your feedback"

    (row,) = _feedback_rows()
    assert row.rating == Satisfaction.SATISFIED
    assert row.comment == "Quick, but the\nsecond page was long"
    # The week it was given in (from its Monday), never the day: on a quiet consultation a day
    # can hold one response, and the feedback would pair with it.
    today = uk_today()
    assert row.given_in_week == today - timedelta(days=today.weekday())
    assert row.given_in_week.weekday() == 0
    assert row.consultation_id == consultation(BULLYING).id
    # Nothing that could lead back to the response: not its id, reference or time, nor an
    # address; and a random key, not the order feedback arrived in.
    columns = {column["name"] for column in sa.inspect(db.engine).get_columns("service_feedback")}
    assert columns == {"id", "consultation_id", "given_in_week", "rating", "comment"}
    response = db.session.scalars(sa.select(Response)).one()
    assert response.reference not in (row.comment or "") and row.id != str(response.id)
    assert len(row.id) == 32 and int(row.id, 16) >= 0


def test_rating_alone_or_comment_alone_is_enough(client):
    assert _post_feedback(client, {"rating": "very_dissatisfied"}).status_code == 303
    assert _post_feedback(client, {"comment": "Add a map"}).status_code == 303
    stored = sorted((r.rating or "", r.comment or "") for r in _feedback_rows())
    assert stored == [("", "Add a map"), ("very_dissatisfied", "")]


@pytest.mark.parametrize("comment", ["", "   \r\n  "])
def test_an_empty_form_asks_for_a_rating_or_a_comment(client, comment):
    url = url_for("public.give_feedback", slug=BULLYING)
    token = client.get_page(url).csrf_token()
    page = client.post_page(url, {"csrf_token": token, "comment": comment})
    assert page.status == 422
    assert page.error_summary() == ["Select a rating or write a comment"]
    assert page.soup.select_one(".govuk-error-summary__list a")["href"] == "#rating"
    assert page.title.startswith("Error: ")
    assert _feedback_rows() == []


def test_a_comment_over_the_limit_is_refused_with_what_was_typed_kept(client):
    url = url_for("public.give_feedback", slug=BULLYING)
    token = client.get_page(url).csrf_token()
    too_long = "x" * 1201
    page = client.post_page(url, {"csrf_token": token, "rating": "satisfied", "comment": too_long})
    assert page.status == 422
    assert page.error_summary() == ["Your comment must be 1,200 characters or fewer"]
    assert page.soup.select_one("textarea").get_text() == too_long
    assert page.soup.select_one("#rating-2")["checked"] is not None  # "Satisfied" still chosen
    assert _feedback_rows() == []
    # Line breaks count once each, as the character count on the page counts them.
    lines = "\r\n".join(["y" * 99] * 12)  # 1,188 characters and 11 breaks: 1,199
    assert _post_feedback(client, {"comment": lines}).status_code == 303
    assert len(_feedback_rows()[0].comment) == 1199


def test_an_unknown_rating_is_refused(client):
    url = url_for("public.give_feedback", slug=BULLYING)
    token = client.get_page(url).csrf_token()
    page = client.post_page(url, {"csrf_token": token, "rating": "ecstatic"})
    assert page.error_summary() == ["Select a rating from the list"]
    assert _feedback_rows() == []


def test_bots_and_forged_posts_store_nothing(client):
    assert _post_feedback(client, {"rating": "satisfied", "leave_this_empty": "x"}).status_code == (
        400
    )
    forged = client.post(
        url_for("public.give_feedback", slug=BULLYING), data={"rating": "satisfied"}
    )
    assert forged.status_code == 400
    assert _feedback_rows() == []


def test_feedback_is_rate_limited_like_sending(app, client):
    app.config["SUBMISSION_RATE_LIMIT"] = "2/minute"
    try:
        statuses = [_post_feedback(client, {"rating": "satisfied"}).status_code for _ in range(3)]
    finally:
        app.config["SUBMISSION_RATE_LIMIT"] = "10000/minute"
    assert statuses == [303, 303, 429]
    assert len(_feedback_rows()) == 2
    assert client.get_page(url_for("public.give_feedback", slug=BULLYING)).status == 200


def test_no_feedback_on_a_draft_or_erased_consultation(client):
    found = consultation(BULLYING)
    found.status = ConsultationStatus.DRAFT
    db.session.commit()
    assert client.get(url_for("public.give_feedback", slug=BULLYING)).status_code == 404
    found.status, found.personal_data_erased_on = ConsultationStatus.CLOSED, date(2026, 1, 1)
    db.session.commit()
    assert client.get(url_for("public.give_feedback", slug=BULLYING)).status_code == 404
    assert client.get(url_for("public.give_feedback", slug="no-such-thing")).status_code == 404


def test_staff_keying_in_a_paper_response_are_not_asked_for_feedback(officer_client):
    # The assisted journey ends on the same confirmation page, with its own links instead.
    page = officer_client.get_page(url_for("officer.assisted_start", slug=BULLYING))
    token = page.csrf_token()
    started = officer_client.post(
        url_for("officer.assisted_start", slug=BULLYING),
        data={"csrf_token": token, "channel": "paper"},
    )
    assert started.status_code == 303, started.get_data(as_text=True)[:2000]
    respondent = Respondent(officer_client, BULLYING)
    respondent.token = token
    respondent.answer_all(BULLYING_ANSWERS)
    sent = respondent.submit()
    confirmation = officer_client.get_page(sent.headers["Location"])
    assert "This response was entered by council staff." in confirmation.text
    assert confirmation.soup.select_one(".app-feedback-link") is None


# -- officers ---------------------------------------------------------------------------------


def _give(slug: str, rating: str | None, comment: str | None, on: date) -> None:
    record_feedback(consultation(slug), Satisfaction(rating) if rating else None, comment, on)


def test_officers_see_ratings_counted_and_comments_newest_first_escaped(officer_client):
    # A fixed Wednesday, so "a week earlier" and "two weeks earlier" are other weeks.
    today = date(2026, 12, 2)
    _give(BULLYING, "very_satisfied", None, today)
    _give(BULLYING, "very_satisfied", "Easy <script>alert(1)</script>", today)
    _give(BULLYING, "dissatisfied", "Too long", today - timedelta(days=14))
    _give(BULLYING, None, "Older comment", today - timedelta(days=21))
    _give(LIVEABILITY, "satisfied", "On the panel one", today - timedelta(days=7))

    dashboard = officer_client.get_page(url_for("officer.dashboard"))
    link = dashboard.soup.find("a", string="Feedback on the service")
    assert link["href"] == url_for("officer.service_feedback")

    every = officer_client.get_page(link["href"])
    assert every.h1 == "Feedback on the service"
    by_consultation = {
        row.th.get_text(" ", strip=True): row.td.get_text(strip=True)
        for row in every.soup.select("table:not(#ratings) tbody tr")
    }
    assert by_consultation == {
        "Bullying: what parents think : feedback": "4",
        f"{consultation(LIVEABILITY).title} : feedback": "1",
    }
    ratings = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")]
        for row in every.soup.select("#ratings tbody tr")
    }
    assert ratings == {
        "Very satisfied": ["2", "50.0%"],
        "Satisfied": ["1", "25.0%"],
        "Neither satisfied nor dissatisfied": ["0", "0.0%"],
        "Dissatisfied": ["1", "25.0%"],
        "Very dissatisfied": ["0", "0.0%"],
    }
    assert "Ratings: 4 people gave one" in every.text
    comments = [li.select_one(".app-answer").get_text() for li in every.soup.select(".app-comment")]
    assert comments == [
        "Easy <script>alert(1)</script>",
        "On the panel one",
        "Too long",
        "Older comment",
    ]
    assert "<script>alert" not in every.html  # shown as text, never as HTML
    # The week, from its Monday, never the day (2 December 2026 was a Wednesday).
    assert "Given in the week of 30 November 2026" in every.text
    assert "2 December" not in every.text

    one = officer_client.get_page(url_for("officer.consultation_feedback", slug=BULLYING))
    assert "Ratings: 3 people gave one" in one.text
    assert "Comments: 3, newest first" in one.text
    assert "On the panel one" not in one.text


def test_the_officers_page_quotes_the_questions_as_respondents_are_asked_them(
    client, officer_client
):
    form = client.get_page(url_for("public.give_feedback", slug=BULLYING))
    rating_question = form.soup.select_one("legend").get_text(strip=True)
    comment_question = form.soup.select_one("label[for=comment]").get_text(strip=True)
    assert rating_question == "Overall, how did you feel about the service you received today?"

    page = officer_client.get_page(url_for("officer.service_feedback"))
    intro = page.soup.select_one("h1").find_next_sibling("p").get_text()
    assert f"people are asked “{rating_question}” and “{comment_question}”" in intro
    assert "What did you think of this service?" not in intro  # the link's words, not a question
    assert page.soup.select_one("#ratings thead th").get_text(strip=True) == rating_question


def test_comments_come_a_page_at_a_time(officer_client):
    for number in range(COMMENTS_PER_PAGE + 1):
        _give(BULLYING, None, f"Comment {number}", date(2026, 1, 1) + timedelta(weeks=number))
    first = officer_client.get_page(url_for("officer.service_feedback"))
    assert len(first.soup.select(".app-comment")) == COMMENTS_PER_PAGE
    assert "Page 1 of 2" in first.text
    assert (
        first.soup.select(".app-comment .app-answer")[0].get_text()
        == f"Comment {COMMENTS_PER_PAGE}"
    )
    older = first.soup.select_one("a[rel=next]")["href"]
    second = officer_client.get_page(older)
    assert [c.get_text() for c in second.soup.select(".app-comment .app-answer")] == ["Comment 0"]
    assert officer_client.get(url_for("officer.service_feedback", page=3)).status_code == 404


@pytest.mark.parametrize("endpoint", ["officer.service_feedback", "officer.consultation_feedback"])
def test_only_officers_and_admins_read_feedback(client, endpoint):
    _give(BULLYING, "satisfied", "Fine", uk_today())
    url = url_for(endpoint, slug=BULLYING) if "consultation" in endpoint else url_for(endpoint)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "sign-in" in anonymous.headers["Location"]
    sign_in(client, create_user(Role.SCHOOL))
    assert client.get(url).status_code == 403
    client.post(
        url_for("auth.sign_out"),
        data={"csrf_token": client.get_page(url_for("public.index")).csrf_token()},
    )
    for role in (Role.OFFICER, Role.ADMIN):
        sign_in(client, create_user(role))
        page = client.get_page(url)
        assert page.status == 200 and "Fine" in page.text
        client.post(url_for("auth.sign_out"), data={"csrf_token": page.csrf_token()})


def test_retention_erases_feedback_comments_and_keeps_ratings(app):
    found = consultation(BULLYING)
    found.closes_on, found.retention_months = date(2024, 1, 31), 24
    db.session.commit()
    _give(BULLYING, "satisfied", "I am Ann at 1 High Street", date(2024, 1, 30))
    _give(BULLYING, None, "Only a comment", date(2024, 1, 30))
    _give(BULLYING, "dissatisfied", None, date(2024, 1, 30))
    _give(LIVEABILITY, None, "Another consultation's, kept", date(2024, 1, 30))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "retention", "--dry-run", "--today", "2026-01-31"])
    assert f"Would erase from {BULLYING}: " in dry.output
    assert "0 drafts, 2 feedback comments." in dry.output
    run = runner.invoke(args=["privacy", "retention", "--today", "2026-01-31"])
    assert "2 feedback comments." in run.output
    db.session.expire_all()
    left = sorted(
        (r.consultation_id == found.id, r.rating or "", r.comment or "") for r in _feedback_rows()
    )
    assert left == [
        (False, "", "Another consultation's, kept"),
        (True, "dissatisfied", ""),
        (True, "satisfied", ""),
    ]


@pytest.mark.parametrize("audience", ["parents", "panel-members"])
def test_the_privacy_notice_says_what_feedback_keeps_and_for_how_long(client, audience):
    page = client.get_page(url_for("public.privacy_notice", audience=audience))
    heading = page.soup.find("h2", string="If you tell us what you thought of the service")
    said = " ".join(p.get_text(" ", strip=True) for p in heading.find_next_siblings("p", limit=2))
    assert "only the consultation and the week you gave them" in said
    assert "not the day or the time, not your reference number, not your IP address" in said
    assert "Comments are erased when the consultation's retention period ends" in said
    assert "ratings are kept" in said
