"""The committee report: the strategy progress report's shape (priority, outcome, key tasks,
indicators) with the consultation evidence beside each outcome, and, for a survey run in
waves, how each question's answers changed between them.

Committee papers are public, so the consultation figures go through the same suppression as
published results (publications.service.public_question): no count from 1 to 9. A change
between waves is shown only where both waves' figures are. It is built from published
questions, so it sits in publications, above reporting.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.consultations.models import Consultation
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.publications.committee_waves import (
    OneWaveQuestion,
    QuestionChange,
    changes_by_outcome,
    wave_name,
)
from portal.publications.service import PublicQuestion, public_question
from portal.reporting.informing import (
    InformingQuestion,
    questions_informing,
    questions_informing_indicators,
)
from portal.reporting.service import QuestionResult, matching_responses, question_results
from portal.reporting.waves import comparisons_of
from portal.strategy.models import Outcome, Priority
from portal.strategy.service import outcome_loading
from portal.suppression import Figure, suppress_count


@dataclass
class Evidence:
    consultation: Consultation
    name: str  # the consultation's title, or "Wave 2 of ..." for a wave of a series
    question: PublicQuestion


@dataclass
class OutcomeEvidence:
    outcome: Outcome
    evidence: list[Evidence]
    changes: list[QuestionChange] = field(default_factory=list)
    one_wave: list[OneWaveQuestion] = field(default_factory=list)


@dataclass
class PriorityReport:
    priority: Priority
    outcomes: list[OutcomeEvidence]


@dataclass
class ConsultationSummary:
    consultation: Consultation
    name: str
    responses: Figure
    # Where it stands on the day the report is prepared (Consultation.phase_on): the paper
    # says "closed on", "closing on" or "opens on" to match.
    phase: str


@dataclass
class WaveMoves:
    """Questions new in a wave, and those it no longer asks, against the wave before."""

    wave: str  # "wave 2"
    added: list[str]  # question texts
    dropped: list[str]


@dataclass
class SeriesMoves:
    name: str
    moved: list[WaveMoves]


@dataclass
class CommitteeReport:
    priorities: list[PriorityReport]
    consultations: list[ConsultationSummary]
    informing_indicators: dict[int, list[InformingQuestion]]
    # Surveys run in waves whose questions changed: what each wave added or dropped.
    series_moves: list[SeriesMoves] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(item.changes for p in self.priorities for item in p.outcomes)


def committee_report(today: date) -> CommitteeReport:
    """Every priority with its outcomes; beside each outcome the results of every question
    linked to it, from every consultation that has responses. One results query set per
    consultation, not per question; one comparison per series run in two waves or more."""
    priorities = db.session.scalars(
        sa.select(Priority)
        .order_by(Priority.position)
        .options(*outcome_loading(selectinload(Priority.outcomes)))
    ).all()
    outcomes = [outcome for priority in priorities for outcome in priority.outcomes]
    informing = questions_informing(outcomes)
    slugs = sorted({item.consultation.slug for items in informing.values() for item in items})
    drawn: list[tuple[Consultation, int]] = []
    results_of: dict[int, tuple[Consultation, QuestionResult]] = {}
    results_by_wave: dict[int, dict[int, QuestionResult]] = {}
    for slug in slugs:
        consultation = consultation_with_questions(slug)
        if consultation is None or not matching_responses(consultation):
            continue
        total, results = question_results(consultation)
        drawn.append((consultation, total))
        results_by_wave[consultation.id] = results
        for question_id, result in results.items():
            results_of[question_id] = (consultation, result)
    comparisons = comparisons_of(consultation for consultation, _ in drawn)
    names = {c.id: wave_name(c, set(comparisons)) for c, _ in drawn}
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for outcome_id, items in informing.items():
        for item in items:
            found_result = results_of.get(item.question.id)
            if found_result is None:
                continue
            consultation, result = found_result
            evidence[outcome_id].append(
                Evidence(
                    consultation,
                    names[consultation.id],
                    public_question(result.question, result, []),
                )
            )
    changes, one_wave = changes_by_outcome(informing, comparisons, results_by_wave)
    drawn_on = {c.id for c, _ in drawn}
    return CommitteeReport(
        priorities=[
            PriorityReport(
                priority,
                [
                    OutcomeEvidence(
                        outcome,
                        evidence.get(outcome.id, []),
                        changes.get(outcome.id, []),
                        one_wave.get(outcome.id, []),
                    )
                    for outcome in priority.outcomes
                ],
            )
            for priority in priorities
        ],
        consultations=[
            ConsultationSummary(c, names[c.id], suppress_count(total), c.phase_on(today))
            for c, total in drawn
        ],
        # Only the consultations drawn on: a draft or one nobody has answered is no evidence.
        informing_indicators={
            indicator_id: _latest_wave_only(
                [item for item in items if item.consultation.id in drawn_on], set(comparisons)
            )
            for indicator_id, items in questions_informing_indicators(
                [i for outcome in outcomes for i in outcome.indicators]
            ).items()
        },
        series_moves=[
            SeriesMoves(
                comparison.name,
                [
                    WaveMoves(comparison.waves[m.wave].label.lower(), m.added, m.dropped)
                    for m in comparison.moved
                ],
            )
            for comparison in comparisons.values()
            if comparison.moved
        ],
    )


def _latest_wave_only(
    items: list[InformingQuestion], compared: set[int]
) -> list[InformingQuestion]:
    """A question asked in every wave of a series compared in the report is listed once, from
    its latest wave, not once per wave under the same title; the change between waves is set
    out under the outcome."""

    def same_question(item: InformingQuestion) -> tuple[int, str] | None:
        series_id = item.consultation.series_id
        return (series_id, item.question.key) if series_id in compared and series_id else None

    latest: dict[tuple[int, str], InformingQuestion] = {}
    for item in items:
        key = same_question(item)
        if key is None:
            continue
        found = latest.get(key)
        if found is None or (found.consultation.wave_number or 0) < (
            item.consultation.wave_number or 0
        ):
            latest[key] = item
    return [item for item in items if (key := same_question(item)) is None or latest[key] is item]
