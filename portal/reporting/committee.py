"""The committee report: the strategy progress report's shape (priority, outcome, key tasks,
indicators) with the consultation evidence beside each outcome.

Committee papers are public, so the consultation figures go through the same suppression as
published results (publications.service.public_question): no count from 1 to 9.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.consultations.models import Consultation
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.publications.service import PublicQuestion, public_question
from portal.reporting.informing import (
    InformingQuestion,
    questions_informing,
    questions_informing_indicators,
)
from portal.reporting.service import QuestionResult, matching_responses, question_results
from portal.reporting.suppression import Figure, suppress_count
from portal.strategy.models import Outcome, Priority
from portal.strategy.service import outcome_loading


@dataclass
class Evidence:
    consultation: Consultation
    question: PublicQuestion


@dataclass
class OutcomeEvidence:
    outcome: Outcome
    evidence: list[Evidence]


@dataclass
class PriorityReport:
    priority: Priority
    outcomes: list[OutcomeEvidence]


@dataclass
class ConsultationSummary:
    consultation: Consultation
    responses: Figure
    # Where it stands on the day the report is prepared (Consultation.phase_on): the paper
    # says "closed on", "closing on" or "opens on" to match.
    phase: str


@dataclass
class CommitteeReport:
    priorities: list[PriorityReport]
    consultations: list[ConsultationSummary]
    informing_indicators: dict[int, list[InformingQuestion]]


def committee_report(today: date) -> CommitteeReport:
    """Every priority with its outcomes; beside each outcome the results of every question
    linked to it, from every consultation that has responses. One results query set per
    consultation, not per question."""
    priorities = db.session.scalars(
        sa.select(Priority)
        .order_by(Priority.position)
        .options(*outcome_loading(selectinload(Priority.outcomes)))
    ).all()
    outcomes = [outcome for priority in priorities for outcome in priority.outcomes]
    informing = questions_informing(outcomes)
    slugs = sorted({item.consultation.slug for items in informing.values() for item in items})
    summaries: list[ConsultationSummary] = []
    results_of: dict[int, tuple[Consultation, QuestionResult]] = {}
    for slug in slugs:
        consultation = consultation_with_questions(slug)
        if consultation is None or not matching_responses(consultation):
            continue
        total, results = question_results(consultation)
        summaries.append(
            ConsultationSummary(consultation, suppress_count(total), consultation.phase_on(today))
        )
        for question_id, result in results.items():
            results_of[question_id] = (consultation, result)
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for outcome_id, items in informing.items():
        for item in items:
            found = results_of.get(item.question.id)
            if found is None:
                continue
            consultation, result = found
            evidence[outcome_id].append(
                Evidence(consultation, public_question(result.question, result, []))
            )
    drawn_on = {summary.consultation.id for summary in summaries}
    return CommitteeReport(
        priorities=[
            PriorityReport(
                priority,
                [
                    OutcomeEvidence(outcome, evidence.get(outcome.id, []))
                    for outcome in priority.outcomes
                ],
            )
            for priority in priorities
        ],
        consultations=summaries,
        # Only the consultations drawn on: a draft or one nobody has answered is no evidence.
        informing_indicators={
            indicator_id: [item for item in items if item.consultation.id in drawn_on]
            for indicator_id, items in questions_informing_indicators(
                [i for outcome in outcomes for i in outcome.indicators]
            ).items()
        },
    )
