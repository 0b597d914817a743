"""Every question type through the real journey: rendering, validation, routing, storage."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from portal.clock import uk_today
from portal.consultations.models import Option, Question, QuestionType
from portal.consultations.question_types import REGISTRY, kind_of
from portal.consultations.seed import read_consultations, seed_consultations
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.responses.journey import Journey
from portal.responses.models import Answer, Response
from tests.journeys import Respondent, only_draft

SLUG = "every-question-type"
DATA = Path(__file__).parent / "data" / "every_type.yaml"

# Page positions in tests/data/every_type.yaml.
USES_BUS, ROUTES, SERVICE, NUMBERS, LAST_TRIP, STOP, PRIORITIES, FEELINGS, COMMENTS = range(1, 10)

VALID: dict[int, dict[str, Any]] = {
    USES_BUS: {"uses_bus": "yes"},
    ROUTES: {"routes": ["r1", "__other__"], "routes__other": "The X17"},
    SERVICE: {"buses_reliable": "agree", "score": "8"},
    NUMBERS: {"trips": "4", "fare": "2.50"},
    LAST_TRIP: {"last_trip__day": "3", "last_trip__month": "11", "last_trip__year": "2026"},
    STOP: {"stop_name": "Market Place <stop>"},
    PRIORITIES: {"priorities__safety": "1", "priorities__price": "2", "priorities__frequency": ""},
    FEELINGS: {"feelings__day": "safe", "feelings__night": "unsafe"},
    COMMENTS: {"comments": ""},
}


@pytest.fixture
def every_type(app: Any) -> None:
    seed_consultations(uk_today(), read_consultations(DATA))


def _answer_pages(respondent: Respondent, pages: dict[int, dict[str, Any]]) -> list[str]:
    """Post each page; return where each valid post sent the respondent."""
    locations = []
    for number, answers in pages.items():
        response = respondent.answer(number, answers)
        assert response.status_code == 303, (number, response.get_data(as_text=True)[:2000])
        locations.append(response.headers["Location"])
    return locations


def _stored_rows(response: Response) -> dict[str, list[dict[str, Any]]]:
    values = dict(db.session.execute(sa.select(Option.id, Option.value)).all())
    rows = db.session.execute(
        sa.select(
            Question.key,
            Answer.option_id,
            Answer.text,
            Answer.number,
            Answer.statement_id,
            Answer.rank,
        )
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response.id)
        .order_by(Answer.id)
    ).all()
    stored: dict[str, list[dict[str, Any]]] = {}
    for key, option_id, text, number, statement_id, rank in rows:
        row = {
            "option": values.get(option_id),
            "text": text,
            "number": number,
            "statement": values.get(statement_id),
            "rank": rank,
        }
        stored.setdefault(key, []).append({k: v for k, v in row.items() if v is not None})
    return stored


def test_every_type_is_registered_with_its_macro_and_results(app):
    assert set(REGISTRY) == set(QuestionType)
    source = (Path(app.template_folder) / "components" / "questions.html").read_text("utf-8")
    for kind in REGISTRY.values():
        assert f"{{% macro {kind.macro}(" in source, kind.macro


def test_a_respondent_answers_every_type_and_each_is_stored_as_typed(client, every_type):
    respondent = Respondent(client, SLUG)
    first = respondent.start()
    assert first.h1 == "Do you use the bus?"
    # The routes page is shown only to bus users: until they say so, the count says "up to".
    assert "Page 1 of up to 9" in first.text
    respondent.answer(USES_BUS, VALID[USES_BUS])
    routes = client.get_page(url_for("public.question_page", slug=SLUG, number=ROUTES))
    assert "Page 2 of 9" in routes.text

    _answer_pages(respondent, VALID)
    check = client.get_page(respondent.url("public.check_answers"))
    assert check.status == 200
    text = check.text
    for shown in (
        "Route 1",
        "Another route: The X17",
        "Agree",
        "8",
        "4",
        "2.5",
        "3 November 2026",
        "Market Place <stop>",
        "1. Safety",
        "2. Price",
        "In the day: Safe",
        "After dark: Unsafe",
    ):
        assert shown in text, shown
    assert "About the bus service" not in text  # information asks nothing, so is not listed

    assert respondent.submit().status_code == 303
    response = db.session.scalars(sa.select(Response)).one()
    stored = _stored_rows(response)
    assert stored["uses_bus"] == [{"option": "yes"}]
    assert stored["routes"] == [{"option": "r1"}, {"text": "The X17"}]
    assert stored["score"] == [{"option": "8"}]
    assert stored["trips"] == [{"number": Decimal("4")}]
    assert stored["fare"] == [{"number": Decimal("2.5")}]
    assert stored["last_trip"] == [{"text": "2026-11-03"}]
    assert stored["stop_name"] == [{"text": "Market Place <stop>"}]
    assert stored["priorities"] == [{"option": "safety", "rank": 1}, {"option": "price", "rank": 2}]
    assert stored["feelings"] == [
        {"option": "safe", "statement": "day"},
        {"option": "unsafe", "statement": "night"},
    ]
    assert "intro" not in stored and "comments" not in stored


def test_a_routed_out_page_is_skipped_and_progress_counts_only_what_applies(client, every_type):
    respondent = Respondent(client, SLUG)
    respondent.start()
    response = respondent.answer(USES_BUS, {"uses_bus": "no"})
    # The routes page applies only to bus users: straight on to page 3.
    assert response.headers["Location"].endswith(
        url_for("public.question_page", slug=SLUG, number=SERVICE)
    )
    page = client.get_page(response.headers["Location"])
    # Numbered among the pages that apply, of the pages there can now be: "No" settled it.
    assert "Page 2 of 8" in page.text
    # The rating is asked only of people who did not answer "No".
    assert "How likely are you to recommend" not in page.text
    assert "Buses are reliable" in page.text
    # Asking for the routed-out page by its address moves on to the next that applies.
    skipped = client.get(url_for("public.question_page", slug=SLUG, number=ROUTES))
    assert skipped.status_code == 303
    assert skipped.headers["Location"].endswith(
        url_for("public.question_page", slug=SLUG, number=SERVICE)
    )


def test_a_question_read_as_another_object_is_routed_as_the_journeys_own(client, every_type):
    """What applies is worked out from each page's plan (consultations.page_plans); a question
    object the plan does not hold (the same question loaded in another session) is routed
    from its own conditions, with the same result."""
    respondent = Respondent(client, SLUG)
    respondent.start()
    respondent.answer(USES_BUS, {"uses_bus": "no"})
    journey = Journey(consultation_with_questions(SLUG), only_draft())
    routed = []
    with Session(db.engine) as elsewhere:
        for page in journey.all_pages:
            for question in page.questions:
                other = elsewhere.get(Question, question.id)
                assert other is not None and other is not question
                routed.append(journey.question_applies(other))
                assert routed[-1] == journey.question_applies(question)
    assert True in routed and False in routed  # the routes page and the rating routed out


def test_changing_an_earlier_answer_drops_answers_it_routes_out(client, every_type):
    respondent = Respondent(client, SLUG)
    respondent.start()
    _answer_pages(respondent, VALID)
    assert {"routes", "score"} <= set(only_draft().answers)

    changed = respondent.answer(USES_BUS, {"uses_bus": "no"}, change=True)
    assert changed.headers["Location"].endswith(url_for("public.check_answers", slug=SLUG))
    db.session.expire_all()
    answers = only_draft().answers
    assert "routes" not in answers and "score" not in answers
    check = client.get_page(respondent.url("public.check_answers"))
    assert "Which routes do you use?" not in check.text
    assert "How likely are you to recommend" not in check.text

    # Changing back routes the page in again, unanswered: the respondent is sent to it, and
    # from it straight back to check answers.
    changed = respondent.answer(USES_BUS, {"uses_bus": "yes"}, change=True)
    assert changed.headers["Location"].endswith(
        url_for("public.question_page", slug=SLUG, number=ROUTES, change=1)
    )
    check = client.get(respondent.url("public.check_answers"))
    assert check.status_code == 302  # not complete: check answers sends them back to fill it
    assert respondent.submit().status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0


def test_hidden_questions_are_never_required(client, every_type):
    respondent = Respondent(client, SLUG)
    respondent.start()
    respondent.answer(USES_BUS, {"uses_bus": "no"})
    # "score" is required but hidden for non-users: the page is valid without it.
    response = respondent.answer(SERVICE, {"buses_reliable": "agree"})
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("number", "answers", "message"),
    [
        (
            USES_BUS,
            {"uses_bus": "__other__", "uses_bus__other": " "},
            "Enter what \u201cSometimes, it depends\u201d means",
        ),
        (ROUTES, {"routes": ["r1", "r2", "r3"]}, "Select no more than 2 options"),
        (
            ROUTES,
            {"routes": ["r1", "none"]},
            "Select \u201cNone of these\u201d on its own, or other options",
        ),
        (SERVICE, {"buses_reliable": "agree", "score": "11"}, "Select one of the options shown"),
        (NUMBERS, {"trips": "lots"}, "Enter a number, like 3"),
        (NUMBERS, {"trips": "2.5"}, "Enter a whole number, like 3"),
        (NUMBERS, {"trips": "51"}, "Enter a number between 0 and 50"),
        (
            NUMBERS,
            {"trips": "3", "fare": "2.555"},
            "Enter a number with no more than 2 decimal places",
        ),
        (NUMBERS, {"trips": ""}, "Enter a number"),
        (
            LAST_TRIP,
            {"last_trip__day": "3", "last_trip__month": "", "last_trip__year": "2026"},
            "Date must include a month",
        ),
        (
            LAST_TRIP,
            {"last_trip__day": "1", "last_trip__month": "2147483648", "last_trip__year": "2026"},
            "Date must be a real date",
        ),
        (
            LAST_TRIP,
            {"last_trip__day": "31", "last_trip__month": "2", "last_trip__year": "2026"},
            "Date must be a real date",
        ),
        (
            LAST_TRIP,
            {"last_trip__day": "1", "last_trip__month": "2", "last_trip__year": "26"},
            "Year must include 4 numbers",
        ),
        (
            LAST_TRIP,
            {"last_trip__day": "", "last_trip__month": "", "last_trip__year": ""},
            "Enter the date",
        ),
        (STOP, {"stop_name": "x" * 61}, "Your answer must be 60 characters or fewer"),
        (
            PRIORITIES,
            {"priorities__price": "1", "priorities__safety": "1"},
            "Give each rank to only one option",
        ),
        (PRIORITIES, {"priorities__price": "2"}, "Use ranks 1 to 1 without leaving a gap"),
        (PRIORITIES, {"priorities__price": "3"}, "Use ranks from 1 to 2"),
        (PRIORITIES, {}, "Rank at least one option"),
        (FEELINGS, {"feelings__day": "safe"}, "Select an answer for \u201cAfter dark\u201d"),
    ],
)
def test_each_type_refuses_bad_answers_with_a_clear_message(
    client, every_type, number, answers, message
):
    respondent = Respondent(client, SLUG)
    respondent.start()
    _answer_pages(respondent, {n: VALID[n] for n in range(1, number)})
    page = client.post_page(
        url_for("public.question_page", slug=SLUG, number=number),
        data={"csrf_token": respondent.token, **answers},
    )
    assert page.status == 422
    assert message in page.error_summary()
    assert page.title.startswith("Error:")
    # Every error summary link leads to an input on the page.
    for link in page.soup.select(".govuk-error-summary__list a"):
        assert page.soup.find(id=link["href"][1:]) is not None, link["href"]


def test_a_page_with_errors_keeps_what_was_typed(client, every_type):
    respondent = Respondent(client, SLUG)
    respondent.start()
    _answer_pages(respondent, {n: VALID[n] for n in range(1, LAST_TRIP)})
    page = client.post_page(
        url_for("public.question_page", slug=SLUG, number=LAST_TRIP),
        data={
            "csrf_token": respondent.token,
            "last_trip__day": "31",
            "last_trip__month": "2",
            "last_trip__year": "2026",
        },
    )
    assert page.soup.find(id="last_trip__day")["value"] == "31"
    assert page.soup.find(id="last_trip__year")["value"] == "2026"


def test_answers_come_back_when_the_respondent_returns_to_a_page(client, every_type):
    respondent = Respondent(client, SLUG)
    respondent.start()
    _answer_pages(respondent, VALID)
    priorities = client.get_page(url_for("public.question_page", slug=SLUG, number=PRIORITIES))
    selected = priorities.soup.select("#priorities__safety option[selected]")
    assert [o["value"] for o in selected] == ["1"]
    feelings = client.get_page(url_for("public.question_page", slug=SLUG, number=FEELINGS))
    assert feelings.soup.find(id="feelings__night-2").has_attr("checked")
    numbers = client.get_page(url_for("public.question_page", slug=SLUG, number=NUMBERS))
    assert numbers.soup.find(id="fare")["value"] == "2.5"


def test_export_cells_read_back_what_answer_rows_store(app, every_type):
    consultation = consultation_with_questions(SLUG)
    assert consultation is not None
    questions = {q.key: q for q in consultation.questions}
    cases = {
        "uses_bus": ({"selected": [], "other": "Weekends"}, ["Sometimes, it depends", "Weekends"]),
        # In the form's order: "Another route" before "None of these".
        "routes": ({"selected": ["r2"], "other": "X17"}, ["", "Yes", "", "X17", ""]),
        "buses_reliable": ({"selected": ["agree"]}, ["Agree"]),
        "score": ({"selected": ["7"]}, ["7"]),
        "trips": ({"number": "12"}, ["12"]),
        "fare": ({"number": "2.5"}, ["2.5"]),
        "last_trip": ({"date": "2026-11-03"}, ["2026-11-03"]),
        "stop_name": ({"text": "Market"}, ["Market"]),
        "priorities": ({"ranked": ["frequency", "price"]}, ["2", "1", ""]),
        "feelings": ({"rows": {"night": "unsafe"}}, ["", "Unsafe"]),
        "intro": (None, []),
    }
    for key, (stored, cells) in cases.items():
        question = questions[key]
        kind = kind_of(question)
        rows = kind.answer_rows(question, stored) if stored else []
        assert kind.export_cells(question, rows) == cells, key
        assert len(kind.export_columns(question)) == len(cells), key


def test_results_summarise_every_type_by_sql(client, every_type):
    from tests.factories import create_user, sign_in

    for answers in (
        VALID,
        {
            **VALID,
            ROUTES: {"routes": ["r2"]},
            SERVICE: {"buses_reliable": "disagree", "score": "4"},
            NUMBERS: {"trips": "10"},
            LAST_TRIP: {"last_trip__day": "1", "last_trip__month": "1", "last_trip__year": "2025"},
            PRIORITIES: {"priorities__price": "1", "priorities__frequency": "2"},
            FEELINGS: {"feelings__day": "safe", "feelings__night": "safe"},
        },
    ):
        respondent = Respondent(client, SLUG)
        respondent.start()
        _answer_pages(respondent, answers)
        assert respondent.submit().status_code == 303
    client.post(url_for("auth.sign_out"), data={})
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.results", slug=SLUG))
    assert page.status == 200
    text = page.text
    assert "Average score: 6.0 out of 10" in text
    assert "Net agreement: 0.0 points" in text  # no sign on nothing
    numbers = page.soup.select_one("#result-other-trips").get_text(" ", strip=True)
    assert "Average (mean) 7" in numbers and "Smallest 4" in numbers and "Largest 10" in numbers
    assert "Median (middle answer) 7" in numbers  # the mean of the middle two, 4 and 10
    dates = page.soup.select_one("#result-other-last_trip").get_text(" ", strip=True)
    assert "Earliest 1 January 2025" in dates and "Latest 3 November 2026" in dates
    ranking = [
        row.get_text(" ", strip=True)
        for row in page.soup.select("#result-other-priorities tbody tr")
    ]
    # Price: ranks 2 and 1 (average 1.5); safety: 1 (1.0); frequency: 2 (2.0).
    assert ranking == ["Safety 1.0 1 1", "Price 1.5 1 2", "Frequency 2.0 0 1"]
    matrix = [
        row.get_text(" ", strip=True) for row in page.soup.select("#result-other-feelings tbody tr")
    ]
    assert matrix == ["In the day 100.0% (2) 0.0% (0) 2", "After dark 50.0% (1) 50.0% (1) 2"]
    assert "About the bus service" not in text  # information asks nothing, so has no results
    assert "Market Place <stop>" in text  # short text answers are listed as comments, escaped
    # A number is no comment (its answer holds no text), with a filter or without; the
    # "Somewhere else" answers and short texts are listed.
    for only in ({}, {"from-day": "1", "from-month": "1", "from-year": "2000"}):
        trips = client.get_page(url_for("officer.comments", slug=SLUG, key="trips", **only))
        assert not trips.soup.select(".app-comment") and "None yet." in trips.text
        stops = client.get_page(url_for("officer.comments", slug=SLUG, key="stop_name", **only))
        assert [c.get_text(strip=True) for c in stops.soup.select(".app-comment .app-answer")] == [
            "Market Place <stop>",
            "Market Place <stop>",
        ]
        routes = client.get_page(url_for("officer.comments", slug=SLUG, key="routes", **only))
        assert [c.get_text(strip=True) for c in routes.soup.select(".app-comment .app-answer")] == [
            "The X17"
        ]


def test_the_summary_export_gives_number_and_date_questions_figures(client, every_type):
    """Numbers: how many answered, mean, median, smallest, largest. Dates: earliest and latest
    as dates, and how many answers fell in each month."""
    import csv
    import io

    import openpyxl

    from tests.factories import create_user, sign_in

    for trips, day, month, year in (
        ("4", "3", "11", "2026"),
        ("10", "1", "1", "2025"),
        ("5", "9", "11", "2026"),
    ):
        respondent = Respondent(client, SLUG)
        respondent.start()
        _answer_pages(
            respondent,
            {
                **VALID,
                NUMBERS: {"trips": trips},
                LAST_TRIP: {
                    "last_trip__day": day,
                    "last_trip__month": month,
                    "last_trip__year": year,
                },
            },
        )
        assert respondent.submit().status_code == 303
    client.post(url_for("auth.sign_out"), data={})
    sign_in(client, create_user())
    response = client.get(url_for("officer.export_summary", slug=SLUG, export_format="csv"))
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    trips_text = next(
        q.text for q in consultation_with_questions(SLUG).questions if q.key == "trips"
    )
    last_trip = next(
        q.text for q in consultation_with_questions(SLUG).questions if q.key == "last_trip"
    )
    # Answer -> (count, percentage, base, value)
    numbers = {row[2]: row[3:] for row in rows if row[0] == trips_text}
    assert numbers == {
        "Average (mean)": ["", "", "3", "6.33"],
        "Median": ["", "", "3", "5"],
        "Smallest": ["", "", "3", "4"],
        "Largest": ["", "", "3", "10"],
    }
    dates = {row[2]: row[3:] for row in rows if row[0] == last_trip}
    assert dates == {
        "Earliest": ["", "", "3", "2025-01-01"],
        "Latest": ["", "", "3", "2026-11-09"],
        "January 2025": ["1", "33.3", "3", ""],
        "November 2026": ["2", "66.7", "3", ""],
    }
    xlsx = client.get(url_for("officer.export_summary", slug=SLUG, export_format="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data()))["Summary"]
    earliest = next(row for row in sheet.iter_rows() if row[2].value == "Earliest")
    assert earliest[6].is_date and earliest[6].value.date().isoformat() == "2025-01-01"
    median = next(row for row in sheet.iter_rows() if row[2].value == "Median")
    assert median[6].value == 5
