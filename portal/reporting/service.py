"""Aggregated results. Every figure is counted by the database with GROUP BY; responses are
never loaded into Python to be counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.consultations.models import Consultation, Option, Question, QuestionType
from portal.extensions import db
from portal.responses.models import Answer, Response
from portal.responses.service import UK, uk_today, utcnow
from portal.strategy.models import Indicator, Outcome, Priority

COMMENTS_PER_PAGE = 10


@dataclass(frozen=True)
class ResponseCounts:
    today: int = 0
    this_week: int = 0
    total: int = 0


@dataclass
class OptionResult:
    option: Option
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: Question
    answered: int
    skipped: int
    options: list[OptionResult] = field(default_factory=list)
    other_count: int = 0  # "Other, please specify" answers
    other_percent: float = 0.0
    comment_count: int = 0  # free text answers
    net_agreement: float | None = None  # agreement scales: % agree minus % disagree

    @property
    def base_description(self) -> str:
        if self.question.type == QuestionType.MULTIPLE_CHOICE:
            return (
                "Percentages are of the people who answered; they could choose more than one, "
                "so the percentages can add up to more than 100%."
            )
        return "Percentages are of the people who answered this question."


@dataclass
class Comment:
    text: str
    submitted_at: datetime


@dataclass
class CommentPage:
    question: Question
    comments: list[Comment]
    page: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // COMMENTS_PER_PAGE))


@dataclass
class OutcomeResults:
    outcome: Outcome
    questions: list[QuestionResult]


@dataclass
class ConsultationResults:
    consultation: Consultation
    total_responses: int
    by_outcome: list[OutcomeResults]
    other_questions: list[QuestionResult]


def _uk_midnight_in_utc(day: object) -> datetime:
    local = datetime.combine(day, time.min, tzinfo=UK)  # type: ignore[arg-type]
    return local.astimezone(UTC).replace(tzinfo=None)


def response_counts(now: datetime | None = None) -> dict[int, ResponseCounts]:
    """Responses per consultation: since UK midnight, since Monday, and in all."""
    now = now or utcnow()
    today = uk_today(now)
    start_of_day = _uk_midnight_in_utc(today)
    start_of_week = _uk_midnight_in_utc(today - timedelta(days=today.weekday()))
    statement = sa.select(
        Response.consultation_id,
        sa.func.count(Response.id).filter(Response.submitted_at >= start_of_day),
        sa.func.count(Response.id).filter(Response.submitted_at >= start_of_week),
        sa.func.count(Response.id),
    ).group_by(Response.consultation_id)
    return {
        consultation_id: ResponseCounts(today=day, this_week=week, total=total)
        for consultation_id, day, week, total in db.session.execute(statement)
    }


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def question_results(consultation: Consultation) -> tuple[int, dict[int, QuestionResult]]:
    """The total number of responses and every question's counts: three GROUP BY queries."""
    questions = consultation.questions
    question_ids = [q.id for q in questions]
    total = (
        db.session.scalar(
            sa.select(sa.func.count(Response.id)).where(Response.consultation_id == consultation.id)
        )
        or 0
    )
    option_counts: dict[int, dict[int | None, int]] = defaultdict(dict)
    for question_id, option_id, count in db.session.execute(
        sa.select(Answer.question_id, Answer.option_id, sa.func.count(Answer.id))
        .where(Answer.question_id.in_(question_ids))
        .group_by(Answer.question_id, Answer.option_id)
    ):
        option_counts[question_id][option_id] = count
    # Every type but multiple choice stores one row per answering response, so its row count is
    # the number who answered; only multiple choice needs the costlier distinct count.
    answered = {question_id: sum(counts.values()) for question_id, counts in option_counts.items()}
    multiple = [q.id for q in questions if q.type == QuestionType.MULTIPLE_CHOICE]
    if multiple:
        answered.update(
            db.session.execute(
                sa.select(Answer.question_id, sa.func.count(sa.distinct(Answer.response_id)))
                .where(Answer.question_id.in_(multiple))
                .group_by(Answer.question_id)
            ).all()
        )

    results: dict[int, QuestionResult] = {}
    for question in questions:
        counts = option_counts.get(question.id, {})
        answered_count = answered.get(question.id, 0)
        result = QuestionResult(
            question=question, answered=answered_count, skipped=total - answered_count
        )
        if question.type == QuestionType.FREE_TEXT:
            result.comment_count = counts.get(None, 0)
        else:
            result.options = [
                OptionResult(o, counts.get(o.id, 0), _percent(counts.get(o.id, 0), answered_count))
                for o in question.options
            ]
            result.other_count = counts.get(None, 0)
            result.other_percent = _percent(result.other_count, answered_count)
        if question.type == QuestionType.AGREEMENT_SCALE and answered_count:
            agree = sum(r.count for r in result.options if (r.option.scale_weight or 0) > 0)
            disagree = sum(r.count for r in result.options if (r.option.scale_weight or 0) < 0)
            result.net_agreement = round(
                _percent(agree, answered_count) - _percent(disagree, answered_count), 1
            )
        results[question.id] = result
    return total, results


def consultation_results(consultation: Consultation) -> ConsultationResults:
    """Results arranged by the strategy: each linked outcome with its questions, then the rest."""
    total, results = question_results(consultation)
    outcome_ids = {o.id for q in consultation.questions for o in q.outcomes}
    outcomes = db.session.scalars(
        sa.select(Outcome)
        .join(Priority)
        .where(Outcome.id.in_(outcome_ids))
        .order_by(Priority.position, Outcome.position)
        .options(
            selectinload(Outcome.key_tasks),
            selectinload(Outcome.indicators).selectinload(Indicator.values),
            selectinload(Outcome.priority),
        )
    ).all()
    by_outcome = [
        OutcomeResults(
            outcome=outcome,
            questions=[results[q.id] for q in consultation.questions if outcome in q.outcomes],
        )
        for outcome in outcomes
    ]
    other = [results[q.id] for q in consultation.questions if not q.outcomes]
    return ConsultationResults(consultation, total, by_outcome, other)


def comment_page(question: Question, page: int) -> CommentPage:
    """One page of a free-text question's answers, newest first."""
    where = (Answer.question_id == question.id, Answer.option_id.is_(None))
    total = db.session.scalar(sa.select(sa.func.count(Answer.id)).where(*where)) or 0
    page = max(1, page)
    rows = db.session.execute(
        sa.select(Answer.text, Response.submitted_at)
        .join(Response, Response.id == Answer.response_id)
        .where(*where)
        # Answers are inserted when their response is sent, so id order is newest first and
        # needs no sort of the joined rows.
        .order_by(Answer.id.desc())
        .limit(COMMENTS_PER_PAGE)
        .offset((page - 1) * COMMENTS_PER_PAGE)
    ).all()
    comments = [Comment(text=text or "", submitted_at=submitted) for text, submitted in rows]
    return CommentPage(question=question, comments=comments, page=page, total=total)
