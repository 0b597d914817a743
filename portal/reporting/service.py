"""Results counted: each question's figures for the responses a filter picks, from the
ResponseSet (reporting.response_set), which reads the running tallies, the results index or
GROUP BY as suits the filter. Responses and answers are never loaded into Python to be counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Load, contains_eager

from portal.clock import uk_midnight_in_utc, uk_today, utcnow
from portal.consultations.models import (
    Consultation,
    Option,
    OptionKind,
    Question,
    QuestionType,
    question_indicator,
    question_outcome,
)
from portal.consultations.page_plans import conditions_of
from portal.consultations.question_types import ResultsKind, kind_of
from portal.extensions import db
from portal.reporting import routing
from portal.reporting.areas import area_rows, decile_counts
from portal.reporting.figures import (
    ConsultationResults,
    EarlierWording,
    OptionResult,
    OutcomeResults,
    QuestionResult,
    RankResult,
    ResponseCounts,
    StatementResult,
    agree_and_disagree,
    percent,
)
from portal.reporting.filters import NO_FILTER, ResponseFilter
from portal.reporting.number_figures import (
    NumberSummary,
    date_ranges,
    dates_by_month,
    number_summaries,
)
from portal.reporting.response_set import ResponseSet
from portal.responses import tallies
from portal.strategy.models import Indicator, Outcome, Priority
from portal.strategy.service import outcome_loading

__all__ = ["QuestionResult", "ResponseCounts", "agree_and_disagree", "percent"]


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


# Types that store several Answer rows per response, so "answered" needs a distinct count.
_SEVERAL_ROWS = {QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING, QuestionType.MATRIX}


def matching_responses(
    consultation: Consultation, only: ResponseFilter | ResponseSet = NO_FILTER
) -> int:
    return ResponseSet.of(consultation.id, only).total


def question_results(
    consultation: Consultation, only: ResponseFilter | ResponseSet = NO_FILTER
) -> tuple[int, dict[int, QuestionResult]]:
    """The total number of responses and every question's figures. `only` narrows every
    count to the responses a filter matches; a ResponseSet (reporting.response_set) chooses
    how each is counted."""
    responses = ResponseSet.of(consultation.id, only)
    questions = [q for q in consultation.questions if kind_of(q).asks]
    total = responses.total
    counts, answered = responses.answer_counts(
        [q.id for q in questions],
        several_rows=[q.id for q in questions if q.type in _SEVERAL_ROWS],
        detailed=[q.id for q in questions if q.type in (QuestionType.RANKING, QuestionType.MATRIX)],
    )
    scope = responses.answer_conditions()
    numbers = number_summaries([q.id for q in questions if q.type == QuestionType.NUMBER], scope)
    date_ids = [q.id for q in questions if q.type == QuestionType.DATE]
    dates = date_ranges(date_ids, scope)
    months = dates_by_month(date_ids, scope)
    areas = decile_counts(
        [q.id for q in questions if q.type == QuestionType.POSTCODE_SECTOR], scope
    )

    asked = routing.asked_counts(consultation, responses)
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


def _option_results(
    options: list[Option], by_option: dict[int | None, int], base: int
) -> list[OptionResult]:
    return [
        OptionResult(o, by_option.get(o.id, 0), percent(by_option.get(o.id, 0), base))
        for o in options
        if o.kind != OptionKind.RETIRED or by_option.get(o.id)  # retired: only if chosen
    ]


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


def earlier_wordings(
    consultation: Consultation, only: ResponseFilter | ResponseSet = NO_FILTER
) -> dict[int, list[EarlierWording]]:
    """For each question whose wording changed after people answered it, what they read, and
    how many of all its responses (whatever the filter) answered each wording.

    Responses point at the snapshot of the wording they answered; snapshots are few (one per
    distinct wording), and the running tallies count responses per snapshot.
    """
    responses = ResponseSet.of(consultation.id, only)
    counts = responses.everyone_by_snapshot
    if not counts:
        return {}
    snapshots = responses.snapshots(counts)
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
    consultation: Consultation, only: ResponseFilter | ResponseSet = NO_FILTER
) -> ConsultationResults:
    """Results arranged by the strategy: each linked outcome with its questions, then the rest."""
    responses = ResponseSet.of(consultation.id, only)  # one set for both: snapshots read once
    total, results = question_results(consultation, responses)
    for question_id, wordings in earlier_wordings(consultation, responses).items():
        if question_id in results:
            results[question_id].earlier_wordings = wordings
    informs = _outcomes_informed([q.id for q in consultation.questions])
    # The outcomes the questions inform, and those of the indicators they inform, so that an
    # indicator's figures are shown beside a question linked to it alone.
    outcome_ids = {o for links in informs.values() for o in links.outcomes | links.by_indicator}
    outcomes = db.session.scalars(
        sa.select(Outcome)
        .join(Priority)
        .where(Outcome.id.in_(outcome_ids))
        .order_by(Priority.position, Outcome.position)
        .options(*outcome_loading(Load(Outcome)), contains_eager(Outcome.priority))
    ).all()
    by_outcome = [
        OutcomeResults(
            outcome=outcome,
            questions=[
                results[q.id]
                for q in consultation.questions
                if q.id in results and outcome.id in informs[q.id].outcomes
            ],
        )
        for outcome in outcomes
    ]
    other = [
        results[q.id]
        for q in consultation.questions
        if q.id in results and not informs[q.id].outcomes
    ]
    return ConsultationResults(consultation, total, by_outcome, other)


@dataclass(frozen=True)
class _Links:
    """The outcomes one question is linked to, and those of the indicators it is linked to."""

    outcomes: set[int] = field(default_factory=set)
    by_indicator: set[int] = field(default_factory=set)


def _outcomes_informed(question_ids: list[int]) -> dict[int, _Links]:
    """Each question's links to the strategy, read here: a consultation's cached structure
    (consultations/structure.py) holds no strategy."""
    informs = {q: _Links() for q in question_ids}
    for question_id, outcome_id in db.session.execute(
        sa.select(question_outcome.c.question_id, question_outcome.c.outcome_id).where(
            question_outcome.c.question_id.in_(question_ids)
        )
    ):
        informs[question_id].outcomes.add(outcome_id)
    for question_id, outcome_id in db.session.execute(
        sa.select(question_indicator.c.question_id, Indicator.outcome_id)
        .join(Indicator, Indicator.id == question_indicator.c.indicator_id)
        .where(
            question_indicator.c.question_id.in_(question_ids), Indicator.outcome_id.is_not(None)
        )
    ):
        informs[question_id].by_indicator.add(outcome_id)
    return informs
