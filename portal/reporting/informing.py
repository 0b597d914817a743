"""Which consultation questions inform which outcomes and indicators of the strategy.

Here in reporting, above both the strategy and consultations, since the query joins them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.consultations.models import Consultation, Question
from portal.extensions import db
from portal.strategy.models import Indicator, Outcome


@dataclass
class InformingQuestion:
    consultation: Consultation
    question: Question


def questions_informing(outcomes: list[Outcome]) -> dict[int, list[InformingQuestion]]:
    """For each outcome, the consultation questions linked to it, in one query."""
    found: dict[int, list[InformingQuestion]] = defaultdict(list)
    if not outcomes:
        return found
    rows = db.session.execute(
        sa.select(Outcome.id, Question, Consultation)
        .join(Question.outcomes)
        .join(Consultation, Consultation.id == Question.consultation_id)
        .where(Outcome.id.in_([o.id for o in outcomes]))
        .order_by(Consultation.title, Question.page_id, Question.position)
    ).all()
    for outcome_id, question, consultation in rows:
        found[outcome_id].append(InformingQuestion(consultation, question))
    return found


def questions_informing_indicators(
    indicators: list[Indicator], consultation: Consultation | None = None
) -> dict[int, list[InformingQuestion]]:
    """For each indicator, the consultation questions linked to it (of one consultation, if
    given), in one query."""
    found: dict[int, list[InformingQuestion]] = defaultdict(list)
    if not indicators:
        return found
    query = (
        sa.select(Indicator.id, Question, Consultation)
        .join(Question.indicators)
        .join(Consultation, Consultation.id == Question.consultation_id)
        .where(Indicator.id.in_([i.id for i in indicators]))
        .order_by(Consultation.title, Question.page_id, Question.position)
        .options(selectinload(Question.outcomes))
    )
    if consultation is not None:
        query = query.where(Question.consultation_id == consultation.id)
    for indicator_id, question, asked_in in db.session.execute(query):
        found[indicator_id].append(InformingQuestion(asked_in, question))
    return found
