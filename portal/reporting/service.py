"""Aggregated results, counted where they are kept: unfiltered figures from the running tallies,
filtered ones from the results index's bitmaps with GROUP BY for the responses it does not yet
cover. Responses and answers are never loaded into Python to be counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Load, selectinload

from portal.clock import uk_midnight_in_utc, uk_today, utcnow
from portal.consultations.models import (
    Consultation,
    ConsultationSnapshot,
    Option,
    OptionKind,
    Question,
    QuestionType,
)
from portal.consultations.page_plans import conditions_of
from portal.consultations.question_types import ResultsKind, kind_of
from portal.extensions import db
from portal.reporting import results_index, routing
from portal.reporting.areas import AreaRow, area_rows, decile_counts
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.reporting.number_figures import (
    NumberSummary,
    date_ranges,
    dates_by_month,
    number_summaries,
)
from portal.responses import tallies
from portal.responses.models import Answer, Response
from portal.strategy.models import Outcome, Priority
from portal.strategy.service import outcome_loading


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
class ChoiceRow:
    """One answer to a choice question as results show it: an option, or the "Other" answer
    (option None)."""

    label: str
    count: int
    percent: float
    option: Option | None


@dataclass
class RankResult:
    option: Option
    ranked: int  # how many people ranked it at all
    first: int  # how many ranked it first
    mean_rank: float | None  # average position among those who ranked it


@dataclass
class StatementResult:
    statement: Option
    answered: int
    options: list[OptionResult]


@dataclass
class EarlierWording:
    """Wording some respondents saw before an officer corrected it."""

    responses: int
    text: str | None  # the question as they read it, when it differs from today's
    labels: dict[str, str]  # option label today -> the label they read, where different


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
    mean_score: float | None = None  # ratings: the average score
    numbers: NumberSummary | None = None
    earliest: date | None = None  # date questions
    latest: date | None = None
    by_month: list[tuple[date, int]] = field(default_factory=list)  # (first of month, answers)
    ranks: list[RankResult] = field(default_factory=list)
    statements: list[StatementResult] = field(default_factory=list)
    earlier_wordings: list[EarlierWording] = field(default_factory=list)
    not_asked: int = 0  # routed past it, or answered a version without it
    asked_when: list[str] = field(default_factory=list)  # its conditions, in words
    # Responses to a version of the consultation that routed this question differently.
    earlier_routing: int = 0
    areas: list[AreaRow] = field(default_factory=list)  # postcode areas by deprivation decile

    @property
    def kind(self) -> str:
        return kind_of(self.question).results

    @property
    def choice_rows(self) -> list[ChoiceRow]:
        """The answers in the order the form offers them (Question.answers_in_form_order);
        retired options only where someone chose them."""
        counted = {r.option.id: r for r in self.options}
        rows = []
        for option in self.question.answers_in_form_order:
            if option is None:
                label = self.question.other_label or ""
                rows.append(ChoiceRow(label, self.other_count, self.other_percent, None))
            elif option.id in counted:
                found = counted[option.id]
                rows.append(ChoiceRow(option.shown_label, found.count, found.percent, option))
        return rows

    @property
    def base_description(self) -> str:
        """What the percentages are of: a routed question's, of the people who were asked."""
        who = "the people who answered"
        if self.asked_when:
            who = "the people who were asked it and answered"
            asked = f"Asked only when {' and '.join(self.asked_when)}. "
        else:
            asked = ""
        if self.question.type == QuestionType.MULTIPLE_CHOICE:
            return (
                f"{asked}Percentages are of {who}; they could choose more than one, "
                "so the percentages can add up to more than 100%."
            )
        if self.kind == ResultsKind.MATRIX:
            return f"{asked}Percentages are of {who} each statement."
        if self.kind == ResultsKind.CHOICES:
            return f"{asked}Percentages are of {who}."
        return asked.strip()


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

    @property
    def by_question(self) -> dict[int, QuestionResult]:
        """Every question's result by the question's id (each once)."""
        found = {r.question.id: r for section in self.by_outcome for r in section.questions}
        found.update((r.question.id, r) for r in self.other_questions)
        return found


def response_counts(now: datetime | None = None) -> dict[int, ResponseCounts]:
    """Responses per consultation: since UK midnight, since Monday, and in all. Read from the
    hourly tallies: UK midnight always falls on a UTC hour, so no hour straddles a boundary."""
    now = now or utcnow()
    today = uk_today(now)
    start_of_day = uk_midnight_in_utc(today)
    start_of_week = uk_midnight_in_utc(today - timedelta(days=today.weekday()))
    hourly, count = tallies.hourly_tally, tallies.hourly_tally.c["count"]
    statement = sa.select(
        hourly.c.consultation_id,
        sa.func.sum(count).filter(hourly.c.hour >= start_of_day),
        sa.func.sum(count).filter(hourly.c.hour >= start_of_week),
        sa.func.sum(count),
    ).group_by(hourly.c.consultation_id)
    return {
        consultation_id: ResponseCounts(today=day or 0, this_week=week or 0, total=total or 0)
        for consultation_id, day, week, total in db.session.execute(statement)
    }


def percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


# Types that store several Answer rows per response, so "answered" needs a distinct count.
_SEVERAL_ROWS = {QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING, QuestionType.MATRIX}


def matching_responses(consultation: Consultation, only: ResponseFilter = NO_FILTER) -> int:
    if not only.active:
        return tallies.total_responses(consultation.id)
    matched = results_index.match(consultation.id, only)
    return matched.total() + (
        db.session.scalar(
            sa.select(sa.func.count(Response.id)).where(
                Response.consultation_id == consultation.id, *matched.rest.conditions()
            )
        )
        or 0
    )


def question_results(
    consultation: Consultation, only: ResponseFilter = NO_FILTER
) -> tuple[int, dict[int, QuestionResult]]:
    """The total number of responses and every question's figures, counted by GROUP BY
    queries: one for option counts, and one each for rankings and matrices, multi-row
    questions' respondents, numbers and dates when the consultation has them. `only`
    narrows every count to the responses a filter matches."""
    questions = [q for q in consultation.questions if kind_of(q).asks]
    question_ids = [q.id for q in questions]
    scope = only.answer_conditions(consultation.id)
    # question -> (statement, option, rank) -> count. Most questions need only option counts,
    # which the (question_id, option_id) index serves; rankings and matrices also need the
    # statement and rank, counted separately so the common query keeps that index.
    counts: dict[int, dict[tuple[int | None, int | None, int | None], int]] = defaultdict(dict)
    answered: dict[int, int]
    if not only.active:
        # Everyone: the running tallies, kept in step with every submission, so this reads a
        # few hundred rows however many responses there are.
        total = tallies.total_responses(consultation.id)
        counts.update(tallies.answer_counts(question_ids))
        answered = tallies.respondents(question_ids)
    else:
        # The results index's bitmaps for the responses it covers, GROUP BY for the rest.
        matched = results_index.match(consultation.id, only)
        counts, answered = matched.answer_counts()
        total = matched.total()
        more_total, more_counts, more_answered = _counted_by_sql(
            consultation.id, questions, matched.rest
        )
        total += more_total
        for question_id, found in more_counts.items():
            into = counts.setdefault(question_id, {})
            for shape, count in found.items():
                into[shape] = into.get(shape, 0) + count
        for question_id, count in more_answered.items():
            answered[question_id] = answered.get(question_id, 0) + count
    numbers = number_summaries([q.id for q in questions if q.type == QuestionType.NUMBER], scope)
    date_ids = [q.id for q in questions if q.type == QuestionType.DATE]
    dates = date_ranges(date_ids, scope)
    months = dates_by_month(date_ids, scope)
    areas = decile_counts(
        [q.id for q in questions if q.type == QuestionType.POSTCODE_SECTOR], scope
    )

    asked = routing.asked_counts(consultation, only)
    # Cached structures are detached: a question's page is found here, not lazy-loaded.
    page_of = {q.id: page for page in consultation.pages for q in page.questions}
    results: dict[int, QuestionResult] = {}
    for question in questions:
        found = counts.get(question.id, {})
        answered_count = answered.get(question.id, 0)
        # Whoever answered was asked, whatever has changed since (a correction, say).
        asked_count = total if asked is None else asked.counts.get(question.id, total)
        asked_count = min(max(asked_count, answered_count), total)
        result = QuestionResult(
            question=question,
            answered=answered_count,
            skipped=asked_count - answered_count,
            not_asked=total - asked_count,
            asked_when=[c.describe() for c in conditions_of(page_of[question.id], question)],
            earlier_routing=0 if asked is None else asked.earlier_routing.get(question.id, 0),
        )
        by_option: dict[int | None, int] = defaultdict(int)
        for (_, option_id, _), count in found.items():
            by_option[option_id] += count
        kind = result.kind
        if kind == ResultsKind.COMMENTS:
            result.comment_count = by_option.get(None, 0)
        elif kind == ResultsKind.CHOICES:
            result.options = _option_results(question.counted_choices, by_option, answered_count)
            result.other_count = by_option.get(None, 0)
            result.other_percent = percent(result.other_count, answered_count)
        elif kind == ResultsKind.NUMBERS:
            result.numbers = numbers.get(question.id, NumberSummary(0, None, None, None))
        elif kind == ResultsKind.DATES:
            result.earliest, result.latest = dates.get(question.id, (None, None))
            result.by_month = months.get(question.id, [])
        elif kind == ResultsKind.RANKING:
            result.ranks = _rank_results(question, found)
        elif kind == ResultsKind.MATRIX:
            result.statements = _statement_results(question, found)
        elif kind == ResultsKind.AREAS:
            result.areas = area_rows(areas.get(question.id, {}), answered_count)
        _add_scale_figures(result)
        results[question.id] = result
    return total, results


def _counted_by_sql(
    consultation_id: int, questions: list[Question], only: ResponseFilter
) -> tuple[int, dict[int, dict[tuple[int | None, int | None, int | None], int]], dict[int, int]]:
    """Responses, answer counts and respondents per question, all by GROUP BY."""
    counts, answered = _counted_answers(questions, only.answer_conditions(consultation_id))
    several = [q.id for q in questions if q.type in _SEVERAL_ROWS]
    total, several_answered = _matching_respondents(consultation_id, only, several)
    answered.update(several_answered)
    return total, counts, answered


def _counted_answers(
    questions: list[Question], scope: list[sa.ColumnElement[bool]]
) -> tuple[dict[int, dict[tuple[int | None, int | None, int | None], int]], dict[int, int]]:
    """Answer counts and respondents per question by GROUP BY over the answers in `scope`."""
    question_ids = [q.id for q in questions]
    # question -> (statement, option, rank) -> count. Most questions need only option counts,
    # which the (question_id, option_id) index serves; rankings and matrices also need the
    # statement and rank, counted separately so the common query keeps that index.
    counts: dict[int, dict[tuple[int | None, int | None, int | None], int]] = defaultdict(dict)
    detailed = [q.id for q in questions if q.type in (QuestionType.RANKING, QuestionType.MATRIX)]
    plain = [question_id for question_id in question_ids if question_id not in detailed]
    for question_id, option_id, count in db.session.execute(
        # count(*), not count(id): the covering index then answers without reading the table.
        sa.select(Answer.question_id, Answer.option_id, sa.func.count())
        .where(Answer.question_id.in_(plain), *scope)
        .group_by(Answer.question_id, Answer.option_id)
    ):
        counts[question_id][(None, option_id, None)] = count
    if detailed:
        for question_id, statement_id, option_id, rank, count in db.session.execute(
            sa.select(
                Answer.question_id,
                Answer.statement_id,
                Answer.option_id,
                Answer.rank,
                sa.func.count(),
            )
            .where(Answer.question_id.in_(detailed), *scope)
            .group_by(Answer.question_id, Answer.statement_id, Answer.option_id, Answer.rank)
        ):
            counts[question_id][(statement_id, option_id, rank)] = count
    # Every type but the multi-row ones stores one row per answering response, so its row count
    # is the number who answered (_matching_respondents counts the others).
    answered = {question_id: sum(found.values()) for question_id, found in counts.items()}
    return counts, answered


def _matching_respondents(
    consultation_id: int, only: ResponseFilter, several: list[int]
) -> tuple[int, dict[int, int]]:
    """The responses a filter matches and, in the same pass, how many of them answered each
    multi-row question: one probe of the (response, question) index per response, where a
    distinct count would sort every answer row."""
    answered = [
        sa.func.sum(
            sa.case(
                (
                    sa.exists().where(
                        Answer.response_id == Response.id, Answer.question_id == question_id
                    ),
                    1,
                ),
                else_=0,
            )
        )
        for question_id in several
    ]
    total, *counts = db.session.execute(
        sa.select(sa.func.count(), *answered).where(
            Response.consultation_id == consultation_id, *only.conditions()
        )
    ).one()
    return total or 0, {q: int(n or 0) for q, n in zip(several, counts, strict=True)}


def _option_results(
    options: list[Option], by_option: dict[int | None, int], base: int
) -> list[OptionResult]:
    return [
        OptionResult(o, by_option.get(o.id, 0), percent(by_option.get(o.id, 0), base))
        for o in options
        if o.kind != OptionKind.RETIRED or by_option.get(o.id)  # retired: only if chosen
    ]


def agree_and_disagree(result: QuestionResult) -> tuple[int, int]:
    """How many agreed (a positive scale weight) and how many disagreed (a negative one)."""
    agree = sum(r.count for r in result.options if (r.option.scale_weight or 0) > 0)
    disagree = sum(r.count for r in result.options if (r.option.scale_weight or 0) < 0)
    return agree, disagree


def _add_scale_figures(result: QuestionResult) -> None:
    """Net agreement for agreement scales, the average for ratings: from the counts."""
    question, answered = result.question, result.answered
    if not answered:
        return
    if question.type == QuestionType.AGREEMENT_SCALE:
        agree, disagree = agree_and_disagree(result)
        # From the counts, rounded once: the difference of two rounded percentages could be
        # 0.1 away from the true figure.
        result.net_agreement = percent(agree - disagree, answered)
    elif question.type == QuestionType.RATING:
        scored = [(r.option.scale_weight or 0, r.count) for r in result.options]
        result.mean_score = round(sum(w * c for w, c in scored) / answered, 1)


def _rank_results(
    question: Question, found: dict[tuple[int | None, int | None, int | None], int]
) -> list[RankResult]:
    """Options in order of their average rank, best first; unranked ones last."""
    results = []
    for option in question.choices:
        by_rank = {rank: n for (_, option_id, rank), n in found.items() if option_id == option.id}
        ranked = sum(by_rank.values())
        mean = sum((rank or 0) * n for rank, n in by_rank.items()) / ranked if ranked else None
        results.append(
            RankResult(option, ranked, by_rank.get(1, 0), round(mean, 2) if mean else None)
        )
    return sorted(results, key=lambda r: (r.mean_rank is None, r.mean_rank or 0))


def _statement_results(
    question: Question, found: dict[tuple[int | None, int | None, int | None], int]
) -> list[StatementResult]:
    results = []
    for statement in question.statements:
        by_option: dict[int | None, int] = defaultdict(int)
        for (statement_id, option_id, _), count in found.items():
            if statement_id == statement.id:
                by_option[option_id] += count
        answered = sum(by_option.values())
        results.append(
            StatementResult(
                statement, answered, _option_results(question.choices, by_option, answered)
            )
        )
    return results


def earlier_wordings(consultation: Consultation) -> dict[int, list[EarlierWording]]:
    """For each question whose wording changed after people answered it, what they read.

    Responses point at the snapshot of the wording they answered; snapshots are few (one per
    distinct wording), and the running tallies count responses per snapshot.
    """
    counts = tallies.responses_by_snapshot(consultation.id)
    if not counts:
        return {}
    snapshots = db.session.scalars(
        sa.select(ConsultationSnapshot).where(ConsultationSnapshot.id.in_(list(counts)))
    ).all()
    current = {q.id: q for q in consultation.questions}
    found: dict[int, list[EarlierWording]] = defaultdict(list)
    for snapshot in snapshots:
        for page in snapshot.content["pages"]:
            for seen in page["questions"]:
                question = current.get(seen["id"])
                if question is None:
                    continue
                labels_now = {o.id: o.label for o in question.options}
                labels = {
                    labels_now[o["id"]]: o["label"]
                    for o in seen["options"]
                    if o["id"] in labels_now and labels_now[o["id"]] != o["label"]
                }
                text = seen["text"] if seen["text"] != question.text else None
                if text or labels:
                    found[question.id].append(EarlierWording(counts[snapshot.id], text, labels))
    return found


def consultation_results(
    consultation: Consultation, only: ResponseFilter = NO_FILTER
) -> ConsultationResults:
    """Results arranged by the strategy: each linked outcome with its questions, then the rest."""
    total, results = question_results(consultation, only)
    for question_id, wordings in earlier_wordings(consultation).items():
        if question_id in results:
            results[question_id].earlier_wordings = wordings
    # The outcomes the questions inform, and those of the indicators they inform, so that an
    # indicator's figures are shown beside a question linked to it alone.
    outcome_ids = {o.id for q in consultation.questions for o in q.outcomes} | {
        i.outcome_id for q in consultation.questions for i in q.indicators if i.outcome_id
    }
    outcomes = db.session.scalars(
        sa.select(Outcome)
        .join(Priority)
        .where(Outcome.id.in_(outcome_ids))
        .order_by(Priority.position, Outcome.position)
        .options(*outcome_loading(Load(Outcome)), selectinload(Outcome.priority))
    ).all()
    by_outcome = [
        OutcomeResults(
            outcome=outcome,
            questions=[
                results[q.id]
                for q in consultation.questions
                if outcome in q.outcomes and q.id in results
            ],
        )
        for outcome in outcomes
    ]
    other = [results[q.id] for q in consultation.questions if not q.outcomes and q.id in results]
    return ConsultationResults(consultation, total, by_outcome, other)
