"""Every indicator figure of the strategy as rows for a CSV, XLSX or ODS download, written by
the same function as the pages (portal/strategy/figures.py), so a committee paper pasted from
the spreadsheet says what the pages say."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.reporting.spreadsheets import Sheet
from portal.strategy.figures import format_figure, uk_date_of
from portal.strategy.models import Indicator, IndicatorMeasure, Priority
from portal.strategy.service import measure_trend

HEADER = [
    "Priority (the portal's numbering)",
    "Outcome",
    "Indicator",
    "Report section",
    "Measure",
    "Period",
    "Value",
    "Target",
    "Direction of change",
    "Note",
    "Source",
    "Recorded by",
    "Recorded on",
]


def indicator_rows() -> Iterator[list[str]]:
    """One row per figure, in the order of the priority pages; an indicator with no figures
    yet has one row saying so."""
    priorities = db.session.scalars(
        sa.select(Priority)
        .order_by(Priority.position)
        .options(
            selectinload(Priority.indicators).selectinload(Indicator.outcome),
            selectinload(Priority.indicators)
            .selectinload(Indicator.measures)
            .selectinload(IndicatorMeasure.values),
        )
    )
    for priority in priorities:
        for indicator in priority.indicators:
            about = [f"{priority.position}. {priority.title}", _outcome(indicator), indicator.name]
            about.append(indicator.section)
            figures = [(m, v) for m in indicator.measures for v in m.values]
            if not figures:
                yield [
                    *about,
                    "",
                    "",
                    "No figures reported yet",
                    "",
                    "Not enough data",
                    "",
                    "",
                    "",
                    "",
                ]
                continue
            for measure, value in figures:
                reading = " (portal's reading)" if value.inferred else ""
                yield [
                    *about,
                    measure.name,
                    value.period,
                    (format_figure(value.value, value.unit) + reading) or "Not reported",
                    format_figure(value.target, value.unit) or "No target given",
                    _direction(measure) if value is measure.values[-1] else "",
                    value.note,
                    value.source,
                    value.recorded_by,
                    uk_date_of(value.recorded_at).isoformat(),
                ]


def _outcome(indicator: Indicator) -> str:
    outcome = indicator.outcome
    if outcome is None:
        return ""
    label = " (portal's label)" if outcome.code_is_portal_label else ""
    linked = " (linked by the portal)" if indicator.outcome_inferred else ""
    return f"{outcome.code}{label} {outcome.title}{linked}"


def _direction(measure: IndicatorMeasure) -> str:
    """Said once a measure, on its latest figure, with the periods it compares."""
    direction = measure_trend(measure)
    if direction.since:
        return f"{direction.words} ({direction.since} to {direction.until})"
    return direction.words


def indicator_sheets() -> list[Sheet]:
    return [("Indicators", [HEADER, *indicator_rows()])]
