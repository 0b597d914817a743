"""Drive a respondent through a consultation with the Flask test client, CSRF and all."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for

from portal.areas.sectors import sector_of
from portal.consultations.models import Consultation, Question
from portal.extensions import db
from portal.responses.models import Answer, Response, ResponseDraft

# One complete set of answers to "Bullying: what parents think", page by page, by a parent whose
# child was bullied (so every routed page is asked).
BULLYING_ANSWERS: list[dict[str, Any]] = [
    {"school_phase": "secondary"},
    {"school_district": "rugby"},
    {"bullied_last_year": "yes"},
    {
        "bullying_where": ["at_school", "online", "__other__"],
        "bullying_where__other": "At the bus stop <b>after</b> school",
        "bullying_kind": ["name_calling", "online_messages"],
    },
    {"bullying_stopped": "continuing", "missed_school": "reluctant"},
    {"told_school": "yes"},
    {"school_response": "not_very_well"},
    {"other_help": ["helpline", "health"]},
    {"bullied_others": "no"},
    {"policy_awareness": "not_read"},
    {
        "school_takes_seriously": "disagree",
        "child_confident_to_tell": "strongly_disagree",
        "parent_confident_to_report": "agree",
        "school_teaches": "dont_know",
    },
    {"online_worry": "very"},
    {"what_would_help": ["named_contact", "online_advice"]},
    {
        "comments": (
            "The school's messages don't reach parents.\nPlease <script>alert(1)</script> act."
        )
    },
]
# The pages a parent whose child was not bullied answers: the questions about the bullying,
# and how the school dealt with it, are routed past.
BULLYING_ANSWERS_NOT_BULLIED: list[dict[str, Any]] = [
    *BULLYING_ANSWERS[:2],
    {"bullied_last_year": "no"},
    *BULLYING_ANSWERS[8:],
]
BULLYING_ROUTED_OUT = {
    "bullying_where",
    "bullying_kind",
    "bullying_stopped",
    "missed_school",
    "told_school",
    "school_response",
    "other_help",
}

LIVEABILITY_ANSWERS: list[dict[str, Any]] = [
    {"district": "warwick"},
    {"street_cleanliness": "fairly_clean", "street_condition": "poor", "street_lighting": "good"},
    {"town_centre_visits": "weekly", "public_spaces_used": ["parks", "community_buildings"]},
    {
        "safe_daytime": "very_safe",
        "safe_after_dark": "a_bit_unsafe",
        "town_centre_evening": "disagree",
        "pedestrian_safety": "agree",
    },
    {"burglary_worry": "fairly", "burglary_experience": "no"},
    {"household_vehicle": "yes"},
    {"vehicle_worry": "not_very", "vehicle_experience": "no"},
    {
        "antisocial_behaviour__nuisance_youth": "fairly_big",
        "antisocial_behaviour__drunk_rowdy": "not_very_big",
        "antisocial_behaviour__vandalism": "not_very_big",
        "antisocial_behaviour__drugs": "dont_know",
        "antisocial_behaviour__noisy_neighbours": "not_a_problem",
        "antisocial_behaviour__abandoned_cars": "not_a_problem",
    },
    {"local_problems": ["speeding", "pavements"]},
    {"transport_used": ["local_bus", "flexibus"], "transport_access": "neither"},
    {
        "local_schemes__pride_camp_hill": "not_heard",
        "local_schemes__sustainable_bedworth": "not_heard",
        "local_schemes__better_brownsover": "heard_of",
        "local_schemes__safer_routes": "taken_part",
        "local_schemes__streetpride": "not_heard",
        "local_schemes__village_traffic": "not_heard",
    },
    {"improvements": ["lighting", "__other__"], "improvements__other": "Benches at bus stops"},
    {"comments": ""},
    {
        "user_group": ["warwickshire_panel", "older_peoples_forum"],
        "age_band": "65_74",
        "postcode_area": "cv34 4rl",
    },
]


class Respondent:
    def __init__(self, client: Any, slug: str) -> None:
        self.client = client
        self.slug = slug
        self.token: str | None = None

    def url(self, endpoint: str, **values: Any) -> str:
        return url_for(endpoint, slug=self.slug, **values)

    def start(self) -> Any:
        start_page = self.client.get_page(self.url("public.start"))
        assert start_page.status == 200, start_page.text
        self.token = start_page.csrf_token()
        response = self.client.post(self.url("public.begin"), data={"csrf_token": self.token})
        assert response.status_code == 303, response.status_code
        return self.client.get_page(response.headers["Location"])

    def answer(self, number: int, answers: dict[str, Any], change: bool = False) -> Any:
        """Post one page's answers; returns the raw response (a redirect when valid)."""
        url = self.url("public.question_page", number=number, change="1" if change else None)
        return self.client.post(url, data={"csrf_token": self.token, **answers})

    def answer_all(self, pages: list[dict[str, Any]]) -> None:
        for number, answers in enumerate(pages, start=1):
            response = self.answer(number, answers)
            assert response.status_code == 303, (number, response.get_data(as_text=True)[:3000])

    def submit(self) -> Any:
        return self.client.post(self.url("public.submit"), data={"csrf_token": self.token})


def stored_answers(response: Response) -> dict[str, Any]:
    """A stored response as {question key: sorted option values, or text}."""
    rows = db.session.execute(
        sa.select(Question.key, Answer.option_id, Answer.text, Answer.statement_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response.id)
    ).all()
    from portal.consultations.models import Option

    values = {
        option_id: value
        for option_id, value in db.session.execute(sa.select(Option.id, Option.value))
    }
    result: dict[str, Any] = {}
    for key, option_id, text, statement_id in rows:
        if statement_id is not None:  # a matrix row: one entry per statement, as posted
            key = f"{key}__{values[statement_id]}"
        entry = result.setdefault(key, {"options": [], "text": None})
        if option_id is not None:
            entry["options"].append(values[option_id])
        else:
            entry["text"] = text
    for entry in result.values():
        entry["options"].sort()
    return result


def expected_answers(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """What `stored_answers` should return for answers posted as `pages`."""
    expected: dict[str, Any] = {}
    for page in pages:
        for key, value in page.items():
            if key.endswith("__other"):
                continue
            values = value if isinstance(value, list) else [value]
            if values == [""]:
                continue
            question_text = None
            options = sorted(v for v in values if v != "__other__")
            if "__other__" in values:
                question_text = page[f"{key}__other"]
            if key == "comments":
                expected[key] = {"options": [], "text": value.replace("\r\n", "\n")}
                continue
            if key == "postcode_area":  # only the sector is kept
                expected[key] = {"options": [], "text": sector_of(value)}
                continue
            expected[key] = {"options": options, "text": question_text}
    return expected


def response_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Response.id))) or 0


def answer_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Answer.id))) or 0


def only_draft() -> ResponseDraft:
    return db.session.scalars(sa.select(ResponseDraft)).one()


def consultation(slug: str) -> Consultation:
    return db.session.scalars(sa.select(Consultation).where(Consultation.slug == slug)).one()


# PostgreSQL's submission is one statement in autocommit: to fail "after everything is written",
# its last SELECT fails, once every data-modifying part has run.
_LAST_SELECT = "SELECT(SELECT id FROM new_response)AS response_id"
STATEMENT_FAILURES = {
    "error": "SELECT(SELECT id FROM new_response)/0 AS response_id",
    # The server ends the connection itself, as a restart or fail-over would.
    "lost connection": "SELECT(SELECT id FROM new_response)"
    "+(SELECT 0 FROM pg_terminate_backend(pg_backend_pid()))AS response_id",
}


def submission_failing_at_its_end(failure: str) -> sa.TextClause:
    """PostgreSQL's submission statement ending in one of STATEMENT_FAILURES."""
    from portal.responses.storing import postgresql

    statement = postgresql._SUBMISSION
    assert statement.text.count(_LAST_SELECT) == 1
    return sa.text(statement.text.replace(_LAST_SELECT, STATEMENT_FAILURES[failure]))
