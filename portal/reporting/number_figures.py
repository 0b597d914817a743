"""The figures of number and date questions, counted by SQL: count, mean, median, smallest and
largest of the numbers; earliest, latest and answers per month of the dates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.responses.models import Answer


@dataclass
class NumberSummary:
    count: int
    mean: Decimal | None
    smallest: Decimal | None
    largest: Decimal | None
    median: Decimal | None = None


def number_summaries(
    question_ids: list[int], scope: list[sa.ColumnElement[bool]]
) -> dict[int, NumberSummary]:
    if not question_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Answer.question_id,
            sa.func.count(Answer.number),
            sa.func.avg(Answer.number),
            sa.func.min(Answer.number),
            sa.func.max(Answer.number),
        )
        .where(Answer.question_id.in_(question_ids), *scope)
        .group_by(Answer.question_id)
    )
    return {
        question_id: NumberSummary(
            count,
            Decimal(str(mean)).quantize(Decimal("0.01")) if mean is not None else None,
            Decimal(str(low)) if low is not None else None,
            Decimal(str(high)) if high is not None else None,
            _median(question_id, count, scope),
        )
        for question_id, count, mean, low, high in rows.all()
    }


def _median(question_id: int, count: int, scope: list[sa.ColumnElement[bool]]) -> Decimal | None:
    """The middle answer (the mean of the middle two for an even count), read by SQL as the
    one or two rows at the middle of the sorted answers: SQLite has no median function, and
    the (question, number) rows are few per question beside the rest of the page's work."""
    if not count:
        return None
    middle = db.session.scalars(
        sa.select(Answer.number)
        .where(Answer.question_id == question_id, Answer.number.is_not(None), *scope)
        .order_by(Answer.number)
        .offset((count - 1) // 2)
        .limit(1 if count % 2 else 2)
    ).all()
    values = [Decimal(str(value)) for value in middle]
    return (sum(values, Decimal(0)) / len(values)).normalize() if values else None


def dates_by_month(
    question_ids: list[int], scope: list[sa.ColumnElement[bool]]
) -> dict[int, list[tuple[date, int]]]:
    """Per date question, how many answers fall in each month, earliest month first."""
    if not question_ids:
        return {}
    month = sa.func.substr(Answer.text, 1, 7)  # "YYYY-MM" of the stored "YYYY-MM-DD"
    found: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for question_id, year_month, count in db.session.execute(
        sa.select(Answer.question_id, month, sa.func.count())
        .where(Answer.question_id.in_(question_ids), Answer.text.is_not(None), *scope)
        .group_by(Answer.question_id, month)
        .order_by(Answer.question_id, month)
    ):
        found[question_id].append((date.fromisoformat(f"{year_month}-01"), count))
    return dict(found)


def date_ranges(
    question_ids: list[int], scope: list[sa.ColumnElement[bool]]
) -> dict[int, tuple[date | None, date | None]]:
    if not question_ids:
        return {}
    # Dates are stored as YYYY-MM-DD text, which sorts as the dates do.
    rows = db.session.execute(
        sa.select(Answer.question_id, sa.func.min(Answer.text), sa.func.max(Answer.text))
        .where(Answer.question_id.in_(question_ids), *scope)
        .group_by(Answer.question_id)
    )
    return {
        question_id: (date.fromisoformat(low), date.fromisoformat(high))
        for question_id, low, high in rows
        if low and high
    }
