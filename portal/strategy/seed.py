"""Load the strategy from portal/data/strategy.yaml into the database, once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from portal.extensions import db
from portal.strategy.figures import DATA_FILE, UNITS, report_source
from portal.strategy.models import (
    Indicator,
    IndicatorMeasure,
    IndicatorValue,
    KeyTask,
    Outcome,
    OutcomeKeyTask,
    Priority,
)


class SeedDataError(ValueError):
    """The data file says something the model cannot hold; the message says where."""


def read_strategy(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def seed_strategy(data: dict[str, Any] | None = None) -> bool:
    """Add the priorities and everything under them if the strategy is not loaded yet.

    Returns False, changing nothing, when priorities already exist: officers may have added
    indicator values since, and seeding must never overwrite them.
    """
    if db.session.scalar(sa.select(sa.func.count(Priority.id))):
        return False
    data = data or read_strategy()
    default_source = " ".join(data["source"].split()) if data.get("source") else report_source()
    outcomes_by_code: dict[str, Outcome] = {}
    for priority_data in data["priorities"]:
        priority = Priority(
            position=priority_data["position"],
            title=priority_data["title"],
            section=priority_data.get("section"),
            objective=(priority_data.get("objective") or "").strip(),
            reported_in=priority_data.get("reported_in", ""),
        )
        db.session.add(priority)
        for position, item in enumerate(priority_data.get("outcomes", []), start=1):
            outcome = Outcome(
                code=item["code"],
                code_is_portal_label=_portal_label(item),
                section=item["section"],
                position=position,
                title=item["title"],
                description=(item.get("description") or "").strip(),
            )
            priority.outcomes.append(outcome)
            outcomes_by_code[outcome.code] = outcome
        for position, item in enumerate(priority_data.get("key_tasks", []), start=1):
            task = KeyTask(
                code=item["code"],
                code_is_portal_label=_portal_label(item),
                section=item["section"],
                position=position,
                title=item["title"],
                progress=(item.get("progress") or "").strip(),
                lead_responsibility=item.get("lead_responsibility"),
            )
            task.outcome_links = [
                OutcomeKeyTask(
                    outcome=_outcome(outcomes_by_code, code, task.code), inferred=inferred
                )
                for key, inferred in (("outcomes", False), ("inferred_outcomes", True))
                for code in item.get(key, [])
            ]
            priority.key_tasks.append(task)
        for position, item in enumerate(priority_data.get("indicators", []), start=1):
            indicator = Indicator(
                code=item["code"],
                section=item["section"],
                position=position,
                name=item["name"],
                description=item.get("description", ""),
                better_when=item.get("better_when"),
            )
            if item.get("outcome"):
                indicator.outcome = _outcome(outcomes_by_code, item["outcome"], indicator.code)
                indicator.outcome_inferred = bool(item.get("outcome_inferred", False))
            measures = item.get("measures") or [{"name": "", "values": item.get("values", [])}]
            for measure_position, measure_data in enumerate(measures, start=1):
                measure = IndicatorMeasure(
                    position=measure_position,
                    name=measure_data["name"],
                    note=(measure_data.get("note") or "").strip(),
                    cumulative=bool(measure_data.get("cumulative", False)),
                )
                for value_position, value in enumerate(measure_data["values"], start=1):
                    measure.values.append(_value(value, value_position, indicator, default_source))
                indicator.measures.append(measure)
            priority.indicators.append(indicator)
    db.session.commit()
    return True


def _value(
    value: dict[str, Any], position: int, indicator: Indicator, default_source: str
) -> IndicatorValue:
    if value["unit"] not in UNITS:
        raise SeedDataError(f"indicator {indicator.code}: unknown unit {value['unit']!r}")
    if value.get("inferred") and not value.get("note"):
        raise SeedDataError(
            f"indicator {indicator.code}, {value['period']}: an inferred value needs a note "
            "saying how it was read from the report"
        )
    return IndicatorValue(
        position=position,
        period=str(value["period"]),
        value=_decimal(value.get("value")),
        target=_decimal(value.get("target")),
        unit=value["unit"],
        inferred=bool(value.get("inferred", False)),
        source=value.get("source", default_source),
        note=value.get("note", ""),
    )


def _portal_label(item: dict[str, Any]) -> bool:
    """Whether the item's code is the portal's label rather than the report's own number.

    The data must say so (`portal_label: true`) wherever the code is not the section the
    report numbers it by, so that no invented code reaches a page looking like the report's."""
    marked = bool(item.get("portal_label", False))
    if marked != (item["code"] != item["section"]):
        raise SeedDataError(
            f"{item['code']}: mark `portal_label: true` exactly where the code is not the "
            f"report's section number ({item['section']})"
        )
    return marked


def _outcome(outcomes_by_code: dict[str, Outcome], code: str, referrer: str) -> Outcome:
    try:
        return outcomes_by_code[code]
    except KeyError:
        raise SeedDataError(
            f"{referrer} refers to outcome {code!r}, which is not defined"
        ) from None
