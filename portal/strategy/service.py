"""Reading the strategy for officers, and recording new indicator values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.clock import utcnow
from portal.extensions import db
from portal.strategy.figures import GIVEN_AS
from portal.strategy.models import (
    Indicator,
    IndicatorMeasure,
    IndicatorValue,
    Outcome,
    OutcomeKeyTask,
    Priority,
)


class IndicatorValueError(ValueError):
    """The period is already taken."""


class IndicatorUnitError(IndicatorValueError):
    """The unit differs from the earlier figures of the measure."""


@dataclass(frozen=True)
class Direction:
    """Which way a measure moved between its two latest reported figures, in plain words,
    and the periods compared ("2005/6 Q1" to "2005/6 Q2"); no periods where it cannot say."""

    words: str
    since: str = ""
    until: str = ""

    def __str__(self) -> str:
        return self.words


RUNNING_TOTAL = _l("Not compared: a running total for the year")


def measure_trend(measure: IndicatorMeasure) -> Direction:
    """The change between a measure's two latest reported values.

    Only values of one measure are compared: a longest wait is never set against an average
    wait, nor a year to date against a whole year (IndicatorMeasure). A running total (people
    in treatment so far this year) rises as the year goes on whatever happens, so it is not
    called improving: its target says more (`against_target`)."""
    known = [v for v in measure.values if v.value is not None]
    if len(known) < 2:
        return Direction(_("Not enough data"))
    if measure.cumulative:
        return Direction(str(RUNNING_TOTAL))
    earlier, latest = known[-2], known[-1]
    assert earlier.value is not None and latest.value is not None
    better_when = measure.indicator.better_when
    if latest.value == earlier.value:
        words = _("No change")
    elif better_when is None:
        words = _("Up") if latest.value > earlier.value else _("Down")
    else:
        improving = (latest.value > earlier.value) == (better_when == "higher")
        words = _("Improving") if improving else _("Getting worse")
    return Direction(words, earlier.period, latest.period)


def against_target(measure: IndicatorMeasure) -> IndicatorValue | None:
    """The latest figure that has both a value and a target, to say how it stands against it;
    None without one, or where the report sets no better direction."""
    if measure.indicator.better_when is None:
        return None
    return next(
        (v for v in reversed(measure.values) if v.value is not None and v.target is not None),
        None,
    )


def meets_target(value: IndicatorValue, better_when: str) -> bool:
    assert value.value is not None and value.target is not None
    return value.value >= value.target if better_when == "higher" else value.value <= value.target


def same_period(first: str, second: str) -> bool:
    """Whether two ways of writing a period name the same one: "2005/06 Q3", "2005/6 q3" and
    " 2005/6  Q3" do."""
    return period_key(first) == period_key(second)


def period_key(period: str) -> str:
    text = " ".join(period.split()).lower()
    return re.sub(r"\b(\d{4})[/-]0?(\d{1,2})\b", r"\1/\2", text)


def outcome_loading(path: Any) -> list[Any]:
    """Loader options for outcomes reached by `path` (a relationship to Outcome): their key
    tasks with each link's basis, and their indicators with every measure's figures."""
    return [
        path.selectinload(Outcome.key_task_links).joinedload(OutcomeKeyTask.key_task),
        path.selectinload(Outcome.indicators)
        .joinedload(Indicator.measures)
        .joinedload(IndicatorMeasure.values),
    ]


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
            *outcome_loading(selectinload(Priority.outcomes)),
            selectinload(Priority.key_tasks),
            selectinload(Priority.indicators)
            .selectinload(Indicator.measures)
            .selectinload(IndicatorMeasure.values),
        )
    )


def find_indicator(code: str) -> Indicator | None:
    return db.session.scalar(
        sa.select(Indicator)
        .where(Indicator.code == code)
        .options(selectinload(Indicator.measures).selectinload(IndicatorMeasure.values))
    )


def add_indicator_value(
    measure: IndicatorMeasure,
    *,
    period: str,
    value: Decimal | None,
    target: Decimal | None,
    unit: str,
    source: str,
    note: str,
    recorded_by: str,
) -> IndicatorValue:
    """Record a newly reported figure of one measure, with who recorded it and when."""
    period = " ".join(period.split())
    taken = next((v.period for v in measure.values if same_period(v.period, period)), None)
    if taken is not None:
        raise IndicatorValueError(_already_taken(taken, measure))
    units = {v.unit for v in measure.values}
    if units and unit not in units:
        # A direction of change compares numbers: 2 weeks and 30 hours are not comparable.
        given_as = GIVEN_AS[units.pop()]
        raise IndicatorUnitError(
            _(
                "Give the figure %(unit)s, like the earlier figures (%(measure)s)",
                unit=given_as,
                measure=measure.name,
            )
            if measure.name
            else _("Give the figure %(unit)s, like the earlier figures", unit=given_as)
        )
    position = max((v.position for v in measure.values), default=0) + 1
    entry = IndicatorValue(
        measure_id=measure.id,
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
        raise IndicatorValueError(_already_taken(period, measure)) from None
    return entry


def _already_taken(period: str, measure: IndicatorMeasure) -> str:
    if measure.name:
        return _(
            "There is already a value for %(period)s (%(measure)s)",
            period=period,
            measure=measure.name,
        )
    return _("There is already a value for %(period)s", period=period)
