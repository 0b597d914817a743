"""The running tallies equal a fresh GROUP BY after any sequence of submissions, corrections
and deletions, and the results read from them match the results counted from the answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.reporting.filters import RespondentType, ResponseFilter
from portal.reporting.service import question_results
from portal.responses import corrections, tallies
from portal.responses import service as responses
from portal.responses.models import Answer, Response, ResponseChannel
from tests.factories import submit_response

BULLYING = "bullying-what-parents-think"
# Questions of each storage shape: single choice, multiple choice, a scale, free text.
KEYS = ["bullied_last_year", "bullying_where", "school_takes_seriously", "comments"]


def _choices(key: str) -> list[str]:
    question = next(q for q in consultation_with_questions(BULLYING).questions if q.key == key)
    return [o.value for o in question.choices if not o.exclusive]


def _answers(draw: st.DrawFn) -> dict:
    answers: dict = {}
    answers["bullied_last_year"] = {"selected": [draw(st.sampled_from(["yes", "no", "not_sure"]))]}
    where = draw(
        st.lists(st.sampled_from(["at_school", "journey", "online"]), min_size=1, unique=True)
    )
    answers["bullying_where"] = {"selected": where}
    agree = ["strongly_agree", "agree", "neither", "disagree", "strongly_disagree"]
    answers["school_takes_seriously"] = {"selected": [draw(st.sampled_from(agree))]}
    if draw(st.booleans()):  # optional: sometimes left blank
        answers["comments"] = {
            "text": draw(st.from_regex(r"[a-z]{1,8}( [a-z]{1,8})?", fullmatch=True))
        }
    return answers


@st.composite
def operations(draw: st.DrawFn) -> list[tuple]:
    steps = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        kind = draw(st.sampled_from(["submit", "submit", "submit", "correct", "delete"]))
        steps.append(
            (
                kind,
                draw(st.integers(min_value=0, max_value=50)),  # which response, by position
                _answers(draw),
                draw(st.sampled_from(list(ResponseChannel))),
                draw(st.integers(min_value=0, max_value=72)),  # hours ago
            )
        )
    return steps


def _answer_rows(consultation, answers: dict) -> list[dict]:
    """The rows a correction stores, made as the journey makes them."""
    from portal.consultations.question_types import kind_of

    rows = []
    for question in consultation.questions:
        stored = answers.get(question.key)
        if stored is not None and kind_of(question).asks:
            for row in kind_of(question).answer_rows(question, stored):
                rows.append({"question_id": question.id, **row})
    return rows


def _clear() -> None:
    db.session.execute(sa.delete(Answer))
    db.session.execute(sa.update(responses.ResponseDraft).values(response_id=None))
    db.session.execute(sa.delete(Response))
    for table in (
        tallies.answer_tally,
        tallies.question_tally,
        tallies.response_tally,
        tallies.hourly_tally,
    ):
        db.session.execute(sa.delete(table))
    db.session.commit()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations())
def test_tallies_equal_a_fresh_count_after_any_changes(app, steps):
    _clear()
    consultation = consultation_with_questions(BULLYING)
    now = datetime(2026, 3, 30, 12, 0)
    for kind, which, answers, channel, hours_ago in steps:
        existing = db.session.scalars(sa.select(Response).order_by(Response.id)).all()
        if kind == "submit" or not existing:
            submit_response(BULLYING, answers, now - timedelta(hours=hours_ago), channel=channel)
        elif kind == "correct":
            corrections.correct_answers(
                existing[which % len(existing)], _answer_rows(consultation, answers)
            )
        else:
            corrections.delete_response(existing[which % len(existing)])
    assert tallies.stored_counts() == tallies.fresh_counts()


def test_results_from_tallies_match_results_counted_from_answers(app):
    for where in (["online"], ["online", "at_school"], ["journey"]):
        submit_response(
            BULLYING, {"bullying_where": {"selected": where}, "comments": {"text": "x"}}
        )
    consultation = consultation_with_questions(BULLYING)
    # A filter every response matches takes the GROUP BY path; no filter reads the tallies.
    everyone = ResponseFilter(types=tuple(RespondentType))
    total, from_tallies = question_results(consultation)
    counted_total, counted = question_results(consultation, everyone)
    assert total == counted_total == 3
    for question_id, result in from_tallies.items():
        other = counted[question_id]
        assert (result.answered, result.skipped, result.comment_count) == (
            other.answered,
            other.skipped,
            other.comment_count,
        )
        assert [(o.option.id, o.count) for o in result.options] == [
            (o.option.id, o.count) for o in other.options
        ]


def test_recount_rebuilds_what_a_bulk_load_left_out(app):
    submit_response(BULLYING, {})
    submit_response(BULLYING, {})
    # A bulk load straight into the tables (as the benchmark's) bypasses the tallies.
    db.session.execute(sa.delete(tallies.answer_tally))
    db.session.execute(sa.delete(tallies.response_tally))
    db.session.commit()
    assert tallies.stored_counts() != tallies.fresh_counts()
    result = app.test_cli_runner().invoke(args=["responses", "recount"])
    assert result.exit_code == 0 and "Recounted:" in result.output
    assert tallies.stored_counts() == tallies.fresh_counts()
    assert tallies.total_responses(consultation_with_questions(BULLYING).id) == 2


def test_deleting_a_response_by_reference(app):
    kept = submit_response(BULLYING, {})
    gone = submit_response(BULLYING, {})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["responses", "delete", responses.format_reference(gone.reference)])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(sa.select(Response.reference)).all() == [kept.reference]
    assert tallies.stored_counts() == tallies.fresh_counts()
    missing = runner.invoke(args=["responses", "delete", "NOPE"])
    assert missing.exit_code != 0 and "No response has the reference NOPE" in missing.output
