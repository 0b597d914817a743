"""Migration 0020 brings a database's seeded consultations to the new wording and routing
without touching a response already given: run here on the consultations as the earlier seed
data loaded them (migrations/data/0020_consultations_before.yaml), with responses to them."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
import yaml
from flask import url_for

from portal.clock import uk_today
from portal.consultations.models import (
    Consultation,
    ConsultationStatus,
    Option,
    OptionKind,
    Question,
    QuestionType,
)
from portal.consultations.seed import seed_consultations
from portal.consultations.service import forget_cached_consultations
from portal.extensions import db
from portal.responses.models import Answer
from portal.strategy.models import Outcome
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
        "select c.slug, c.what_happens from consultation c order by 1",
    ]
    return [tuple(row) for query in queries for row in db.session.execute(sa.text(query))]


def _seed_the_earlier_consultations() -> None:
    for consultation in db.session.scalars(sa.select(Consultation)):
        db.session.delete(consultation)
    db.session.commit()
    forget_cached_consultations()
    earlier = yaml.safe_load(
        (MIGRATIONS / "data" / "0020_consultations_before.yaml").read_text(encoding="utf-8")
    )
    seed_consultations(uk_today(), earlier["consultations"], open_now=True)


def _migrate() -> list[str]:
    messages: list[str] = migration().bring_seeded_consultations_up_to_date(db.session.connection())
    db.session.commit()
    forget_cached_consultations()
    db.session.expire_all()
    return messages


def test_the_new_version_is_brought_in_and_earlier_answers_keep_their_meaning(app, officer_client):
    fresh = structure()
    _seed_the_earlier_consultations()
    assert structure() != fresh
    # A parent answered the earlier version: "No", and "has not been bullied" for where.
    submit_response(
        BULLYING,
        {"bullied_last_year": chose("no"), "bullying_where": chose("not_bullied")},
    )
    submit_response("warwickshire-panel-liveability", {"local_problems": chose("graffiti")})
    answers_before = db.session.execute(
        sa.select(Answer.question_id, Answer.option_id, Answer.text).order_by(Answer.id)
    ).all()

    assert _migrate() == [
        f"0020: {BULLYING} brought to the new wording.",
        "0020: warwickshire-panel-liveability brought to the new wording.",
    ]

    assert structure() == fresh  # as a database seeded today, but for the retired options
    retired = db.session.scalars(
        sa.select(Option.value).where(Option.kind == OptionKind.RETIRED).order_by(Option.value)
    ).all()
    assert retired == ["graffiti", "not_bullied"]  # chosen: kept, no longer offered
    assert (
        db.session.execute(
            sa.select(Answer.question_id, Answer.option_id, Answer.text).order_by(Answer.id)
        ).all()
        == answers_before
    )
    assert _migrate() == [  # run again: nothing more to do
        f"0020: {BULLYING} already reads as the new wording.",
        "0020: warwickshire-panel-liveability already reads as the new wording.",
    ]

    # A parent answering the new version says "No" and is not asked where.
    submit_response(BULLYING, {"bullied_last_year": chose("no")})
    page = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    where = page.soup.select_one("#result-2\\.2\\.3-bullying_where")
    summary = where.select_one("p.app-muted").get_text(" ", strip=True)
    # The earlier parent was asked (their version asked everyone); the later one was not.
    assert summary.startswith(
        "1 answered, 0 skipped, 1 not asked (routed past it by their earlier answers)."
    )
    assert (
        "1 of the responses answered an earlier version of the consultation, which asked this "
        "question of different people; the figures include their answers." in summary
    )
    rows = {
        tr.th.get_text(" ", strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in where.select("table tbody tr")
    }
    assert rows["My child has not been bullied (no longer offered)"] == ["1", "100.0%"]
    # The earlier wording is shown beside the question it was asked as.
    helps = page.soup.select_one("#result-2\\.2\\.1-what_would_help .app-earlier-wording")
    assert helps.get_text(" ", strip=True) == (
        "1 response answered earlier wording: “What would help most to prevent and stop bullying?”"
    )
    # And the form no longer offers the retired option.
    respondent = Respondent(officer_client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS[:3])
    asked = officer_client.get_page(url_for("public.question_page", slug=BULLYING, number=4))
    assert asked.soup.select("input[name='bullying_where']")
    assert not asked.soup.select("input[value='not_bullied']")


def test_a_consultation_changed_since_it_was_seeded_or_closed_is_left_as_it_is(app):
    _seed_the_earlier_consultations()
    edited = db.session.scalars(sa.select(Consultation).where(Consultation.slug == BULLYING)).one()
    edited.questions[0].text = "What kind of school does your child attend?"  # an officer's
    closed = db.session.scalars(
        sa.select(Consultation).where(Consultation.slug == "warwickshire-panel-liveability")
    ).one()
    closed.status = ConsultationStatus.CLOSED
    db.session.commit()
    before = structure()
    messages = _migrate()
    assert messages[0].startswith(f"0020: {BULLYING} has been changed since it was seeded")
    assert messages[1] == (
        "0020: warwickshire-panel-liveability is closed, so its wording is left as it was."
    )
    assert structure() == before


def _edit_privacy_notice() -> None:
    found = db.session.scalars(sa.select(Consultation).where(Consultation.slug == BULLYING)).one()
    found.privacy_notice = "Our own notice, as the data protection officer rewrote it."


def _make_optional() -> None:
    found = db.session.scalars(sa.select(Consultation).where(Consultation.slug == BULLYING)).one()
    found.questions[0].required = False


def _relink_to_another_outcome() -> None:
    found = db.session.scalars(sa.select(Consultation).where(Consultation.slug == BULLYING)).one()
    question = found.questions[0]
    linked = {outcome.code for outcome in question.outcomes}
    other = db.session.scalars(sa.select(Outcome).where(Outcome.code.not_in(linked))).first()
    question.outcomes = [other]


def _make_an_option_exclusive() -> None:
    found = db.session.scalars(sa.select(Consultation).where(Consultation.slug == BULLYING)).one()
    found.questions[0].choices[-1].exclusive = not found.questions[0].choices[-1].exclusive


def _end_by_date() -> None:
    found = db.session.scalars(sa.select(Consultation).where(Consultation.slug == BULLYING)).one()
    found.opens_on = uk_today() - timedelta(days=130)
    found.closes_on = uk_today() - timedelta(days=10)  # still marked open, but ended


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_edit_privacy_notice, "has been changed since it was seeded"),
        (_make_optional, "has been changed since it was seeded"),
        (_end_by_date, "has ended, so its wording is left as it was"),
        (_relink_to_another_outcome, "has been changed since it was seeded"),
        (_make_an_option_exclusive, "has been changed since it was seeded"),
    ],
    ids=[
        "privacy notice",
        "a question made optional",
        "ended by its date",
        "linked to another outcome",
        "an option made exclusive",
    ],
)
def test_an_officers_other_edits_or_an_ended_consultation_are_left_as_they_are(
    app, change, message
):
    _seed_the_earlier_consultations()
    change()
    db.session.commit()
    before = structure()
    notice = db.session.scalars(
        sa.select(Consultation.privacy_notice).where(Consultation.slug == BULLYING)
    ).one()
    messages = _migrate()
    assert messages[0].startswith(f"0020: {BULLYING} ") and message in messages[0]
    bullying_rows = [row for row in before if BULLYING in row]
    assert [row for row in structure() if BULLYING in row] == bullying_rows
    assert (
        db.session.scalars(
            sa.select(Consultation.privacy_notice).where(Consultation.slug == BULLYING)
        ).one()
        == notice
    )


def test_a_downgrade_and_upgrade_give_every_postcode_question_back(app):
    """Down to 0019 a postcode question becomes information (that revision cannot ask it);
    up again it is one once more, with its hint, in a seeded consultation or an officer's."""
    from flask_migrate import downgrade, upgrade

    found = db.session.scalars(sa.select(Consultation).where(Consultation.slug == BULLYING)).one()
    added = Question(
        consultation=found,
        page=found.pages[0],
        position=99,
        key="home_postcode",
        type=QuestionType.POSTCODE_SECTOR,
        text="What is your postcode?",
        hint="An officer's own hint.",
        required=False,
    )
    db.session.add(added)
    db.session.commit()
    added_id = added.id
    db.session.remove()
    downgrade(revision="0019")
    kinds = dict(db.session.execute(sa.text("select key, type from question")).all())
    assert kinds["home_postcode"] == kinds["postcode_area"] == "information"
    db.session.remove()
    upgrade()
    db.session.expire_all()
    back = db.session.get(Question, added_id)
    assert back.type == QuestionType.POSTCODE_SECTOR
    assert back.hint == "An officer's own hint." and back.required is False
    seeded = db.session.scalars(sa.select(Question).where(Question.key == "postcode_area")).one()
    assert seeded.type == QuestionType.POSTCODE_SECTOR and seeded.hint
