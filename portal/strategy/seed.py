"""Load the strategy from portal/data/strategy.yaml into the database, once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from portal.extensions import db
from portal.strategy.models import Indicator, IndicatorValue, KeyTask, Outcome, Priority

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "strategy.yaml"
UNITS = {"count", "percent", "pounds", "weeks", "hours"}


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
    default_source = data["source"].strip()
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
                section=item["section"],
                position=position,
                title=item["title"],
                progress=(item.get("progress") or "").strip(),
                lead_responsibility=item.get("lead_responsibility"),
            )
            task.outcomes = [
                _outcome(outcomes_by_code, code, task.code) for code in item["outcomes"]
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
            for value_position, value in enumerate(item.get("values", []), start=1):
                if value["unit"] not in UNITS:
                    raise SeedDataError(
                        f"indicator {indicator.code}: unknown unit {value['unit']!r}"
                    )
                indicator.values.append(
                    IndicatorValue(
                        position=value_position,
                        period=str(value["period"]),
                        value=_decimal(value.get("value")),
                        target=_decimal(value.get("target")),
                        unit=value["unit"],
                        source=value.get("source", default_source),
                        note=value.get("note", ""),
                    )
                )
            priority.indicators.append(indicator)
    db.session.commit()
    return True


def _outcome(outcomes_by_code: dict[str, Outcome], code: str, referrer: str) -> Outcome:
    try:
        return outcomes_by_code[code]
    except KeyError:
        raise SeedDataError(
            f"{referrer} refers to outcome {code!r}, which is not defined"
        ) from None
