"""Migration 0020 brings a database's seeded consultations to the new wording and routing
without touching a response already given: run here on a consultation put back the way it
was, with a response to that older version."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
import yaml
from flask import url_for

from portal.consultations.models import (
    Consultation,
    DisplayCondition,
    Option,
    OptionKind,
    Question,
)
from portal.consultations.service import forget_cached_consultations
from portal.extensions import db
from portal.responses.models import Answer
from tests.factories import chose, submit_response
from tests.journeys import BULLYING_ANSWERS, Respondent

BULLYING = "bullying-what-parents-think"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migration() -> ModuleType:
    path = next((MIGRATIONS / "versions").glob("0020_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0020", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def structure() -> list[tuple[object, ...]]:
    """Every consultation's pages, questions, options, routing and links, as plain values."""
    queries = [
        "select c.slug, p.position, p.title from page p join consultation c "
        "on c.id = p.consultation_id order by 1, 2",
        "select c.slug, p.position, q.position, q.key, q.type, q.text, q.hint, q.required, "
        "q.other_label from question q join page p on p.id = q.page_id join consultation c "
        "on c.id = q.consultation_id order by 1, 2, 3",
        "select q.key, o.position, o.value, o.label, o.kind, o.exclusive from option o "
        "join question q on q.id = o.question_id where o.kind != 'retired' order by 1, 2",
        "select coalesce(p.position, -1), coalesce(t.key, ''), s.key, d.operator, o.value "
        "from display_condition d left join page p on p.id = d.page_id "
        "left join question t on t.id = d.question_id join question s "
        "on s.id = d.source_question_id join option o on o.id = d.option_id order by 1, 2",
        "select q.key, x.code from question_outcome l join question q on q.id = l.question_id "
        "join outcome x on x.id = l.outcome_id order by 1, 2",
        "select q.key, x.code from question_indicator l join question q "
        "on q.id = l.question_id join indicator x on x.id = l.indicator_id order by 1, 2",
    ]
    return [tuple(row) for query in queries for row in db.session.execute(sa.text(query))]


def _put_back_the_older_version() -> None:
    """The bullying consultation as first seeded: no routing, "has not been bullied" options,
    no question about missing school."""
    db.session.execute(sa.delete(DisplayCondition))
    where = db.session.scalars(sa.select(Question).where(Question.key == "bullying_where")).one()
    where.options.append(
        Option(
            position=9, value="not_bullied", label="My child has not been bullied", exclusive=True
        )
    )
    missed = db.session.scalars(sa.select(Question).where(Question.key == "missed_school")).one()
    db.session.delete(missed)
    bullied = db.session.scalars(
        sa.select(Question).where(Question.key == "bullied_last_year")
    ).one()
    bullied.text = "Has your child been bullied in the last year?"
    db.session.execute(
        sa.update(Consultation).values(structure_version=Consultation.structure_version + 1)
    )
    db.session.commit()
    forget_cached_consultations()


def test_the_new_version_is_brought_in_and_earlier_answers_keep_their_meaning(app, officer_client):
    fresh = structure()
    _put_back_the_older_version()
    assert structure() != fresh
    # A parent answered the older version: "No", and "has not been bullied" for where.
    earlier = submit_response(
        BULLYING,
        {"bullied_last_year": chose("no"), "bullying_where": chose("not_bullied")},
    )
    answers_before = db.session.execute(
        sa.select(Answer.question_id, Answer.option_id, Answer.text).where(
            Answer.response_id == earlier.id
        )
    ).all()

    frozen = yaml.safe_load((MIGRATIONS / "data" / "0020_consultations.yaml").read_text())
    for item in frozen["consultations"]:
        migration().bring_up_to_date(db.session.connection(), item)
    db.session.commit()
    forget_cached_consultations()
    db.session.expire_all()

    assert structure() == fresh  # as a database seeded today, but for the retired option
    kept = db.session.scalars(sa.select(Option).where(Option.value == "not_bullied")).one()
    assert kept.kind == OptionKind.RETIRED  # someone chose it: kept, no longer offered
    assert (
        db.session.execute(
            sa.select(Answer.question_id, Answer.option_id, Answer.text).where(
                Answer.response_id == earlier.id
            )
        ).all()
        == answers_before
    )

    # A parent answering the new version says "No" and is not asked where.
    submit_response(BULLYING, {"bullied_last_year": chose("no")})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    where = page.soup.select_one("#result-2\\.2\\.3-bullying_where")
    summary = where.select_one("p.app-muted").get_text(" ", strip=True)
    # The earlier parent was asked (their version asked everyone); the later one was not.
    assert summary.startswith("1 answered, 0 skipped, 1 not asked.")
    assert (
        "Asked only when the answer to “In the last 12 months, has your child been bullied?” "
        "is “Yes”. Percentages are of the people who were asked it and answered;" in summary
    )
    rows = {
        tr.th.get_text(" ", strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in where.select("table tbody tr")
    }
    assert rows["My child has not been bullied (no longer offered)"] == ["1", "100.0%"]
    # The earlier wording is shown beside the question it was asked as.
    bullied = page.soup.select_one("#result-2\\.2\\.3-bullied_last_year").get_text(" ")
    assert "answered earlier wording" in bullied
    assert "Has your child been bullied in the last year?" in bullied
    # And the form no longer offers it.
    respondent = Respondent(officer_client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS[:3])
    asked = officer_client.get_page(url_for("public.question_page", slug=BULLYING, number=4))
    assert asked.soup.select("input[name='bullying_where']")
    assert not asked.soup.select("input[value='not_bullied']")
