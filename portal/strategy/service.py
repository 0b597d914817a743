"""Reading the strategy for officers, and recording new indicator values."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.consultations.models import Consultation, Question
from portal.extensions import db
from portal.responses.service import utcnow
from portal.strategy.models import Indicator, IndicatorValue, Outcome, Priority


class IndicatorValueError(ValueError):
    pass


def indicator_trend(indicator: Indicator) -> str:
    """Plain words for the change between the two latest reported values."""
    known = [v for v in indicator.values if v.value is not None]
    if len(known) < 2:
        return "Not enough data"
    previous, latest = known[-2].value, known[-1].value
    assert previous is not None and latest is not None
    if latest == previous:
        return "No change"
    rising = latest > previous
    if indicator.better_when is None:
        return "Up" if rising else "Down"
    improving = rising == (indicator.better_when == "higher")
    return "Improving" if improving else "Getting worse"


def priorities() -> list[Priority]:
    return list(
        db.session.scalars(
            sa.select(Priority)
            .order_by(Priority.position)
            .options(selectinload(Priority.outcomes), selectinload(Priority.indicators))
        )
    )


def priority_with_everything(position: int) -> Priority | None:
    return db.session.scalar(
        sa.select(Priority)
        .where(Priority.position == position)
        .options(
            selectinload(Priority.outcomes).selectinload(Outcome.key_tasks),
            selectinload(Priority.outcomes)
            .selectinload(Outcome.indicators)
            .selectinload(Indicator.values),
            selectinload(Priority.key_tasks),
            selectinload(Priority.indicators).selectinload(Indicator.values),
        )
    )


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


def find_indicator(code: str) -> Indicator | None:
    return db.session.scalar(
        sa.select(Indicator).where(Indicator.code == code).options(selectinload(Indicator.values))
    )


def add_indicator_value(
    indicator: Indicator,
    *,
    period: str,
    value: Decimal | None,
    target: Decimal | None,
    unit: str,
    source: str,
    note: str,
    recorded_by: str,
) -> IndicatorValue:
    """Record a newly reported figure, with who recorded it and when."""
    if any(v.period == period for v in indicator.values):
        raise IndicatorValueError(f"There is already a value for {period}")
    position = max((v.position for v in indicator.values), default=0) + 1
    entry = IndicatorValue(
        indicator_id=indicator.id,
        position=position,
        period=period,
        value=value,
        target=target,
        unit=unit,
        source=source,
        note=note,
        recorded_at=utcnow(),
        recorded_by=recorded_by,
    )
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:  # the same period added at the same moment by someone else
        db.session.rollback()
        raise IndicatorValueError(f"There is already a value for {period}") from None
    return entry
