"""Migration 0019 brings a database seeded before its corrections to the corrected strategy,
keeping what officers recorded: run here on a strategy put back the way the earlier seed data
(tests/data/strategy-before-0019.yaml) loaded it."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
import yaml

from portal.consultations.models import question_indicator
from portal.extensions import db
from portal.strategy.models import (
    Indicator,
    IndicatorMeasure,
    IndicatorValue,
    KeyTask,
    Outcome,
    OutcomeKeyTask,
    Priority,
)

ROOT = Path(__file__).resolve().parent.parent
BEFORE = Path(__file__).resolve().parent / "data" / "strategy-before-0019.yaml"


def migration(number: str = "0019") -> ModuleType:
    path = next((ROOT / "migrations" / "versions").glob(f"{number}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{number}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def strategy(officers: bool = False) -> list[tuple[object, ...]]:
    """The strategy as plain values; the report's figures only, unless `officers`."""
    queries = [
        "select position, section, objective, reported_in from priority order by position",
        "select code, section, title, description, code_is_portal_label from outcome order by code",
        "select code, section, title, progress, lead_responsibility, code_is_portal_label "
        "from key_task order by code",
        "select k.code, o.code, l.inferred from outcome_key_task l join key_task k "
        "on k.id = l.key_task_id join outcome o on o.id = l.outcome_id order by 1, 2",
        "select i.code, i.section, i.name, i.description, i.better_when, o.code, "
        "i.outcome_inferred from indicator i left join outcome o on o.id = i.outcome_id "
        "order by 1",
        "select i.code, m.name, v.position, v.period, v.value, v.target, v.unit, v.inferred, "
        "v.note, v.recorded_by from indicator_value v join indicator_measure m "
        "on m.id = v.measure_id join indicator i on i.id = m.indicator_id "
        "where v.recorded_by = 'seed data' or :officers order by 1, 2, 3",
    ]
    return [
        tuple(row)
        for query in queries
        for row in db.session.execute(sa.text(query), {"officers": officers})
    ]


def _decimal(number: object) -> Decimal | None:
    return None if number is None else Decimal(str(number))


def _put_back_the_earlier_seed() -> None:
    """Texts, links and figures as the earlier seed data loaded them, in 0019's schema (each
    indicator's figures in one unnamed measure), with nothing marked as the portal's."""
    before = yaml.safe_load(BEFORE.read_text(encoding="utf-8"))
    outcomes = {o.code: o for o in db.session.scalars(sa.select(Outcome))}
    db.session.execute(sa.delete(OutcomeKeyTask))
    db.session.execute(sa.delete(question_indicator))
    for data in before["priorities"]:
        priority = db.session.scalars(
            sa.select(Priority).where(Priority.position == data["position"])
        ).one()
        priority.objective = (data.get("objective") or "").strip()
        priority.reported_in = data["reported_in"]
        for item in data.get("outcomes", []):
            outcome = outcomes[item["code"]]
            outcome.title, outcome.code_is_portal_label = item["title"], False
        for item in data.get("key_tasks", []):
            task = db.session.scalars(sa.select(KeyTask).where(KeyTask.code == item["code"])).one()
            task.title, task.progress = item["title"], (item.get("progress") or "").strip()
            task.code_is_portal_label = False
            for code in item["outcomes"]:
                db.session.add(OutcomeKeyTask(outcome=outcomes[code], key_task=task))
        for item in data.get("indicators", []):
            indicator = db.session.scalars(
                sa.select(Indicator).where(Indicator.code == item["code"])
            ).one()
            indicator.name, indicator.outcome_inferred = item["name"], False
            indicator.outcome = outcomes[item["outcome"]]
            for measure in list(indicator.measures):
                db.session.delete(measure)
            db.session.flush()
            indicator.measures.append(
                IndicatorMeasure(
                    position=1,
                    name="",
                    values=[
                        IndicatorValue(
                            position=position,
                            period=str(value["period"]),
                            value=_decimal(value.get("value")),
                            target=_decimal(value.get("target")),
                            unit=value["unit"],
                            source=value.get("source", before["source"].strip()),
                            note=value.get("note", ""),
                        )
                        for position, value in enumerate(item["values"], start=1)
                    ],
                )
            )
    db.session.commit()


def _officer_adds(code: str, period: str, value: int) -> None:
    measure = db.session.scalars(
        sa.select(IndicatorMeasure).join(Indicator).where(Indicator.code == code)
    ).one()
    db.session.add(
        IndicatorValue(
            measure=measure,
            position=len(measure.values) + 1,
            period=period,
            value=Decimal(value),
            unit=measure.values[0].unit if measure.values else "count",
            source="DfES statistics",
            recorded_by="analyst@council.example",
        )
    )
    db.session.commit()


def test_a_database_seeded_before_is_brought_to_the_corrected_strategy(app):
    corrected = strategy()
    _put_back_the_earlier_seed()
    assert strategy() != corrected
    assert (
        "all those aspects of a place"
        in db.session.scalars(sa.select(Priority.objective).where(Priority.position == 5)).one()
    )
    # Officers recorded figures before the corrections, one with the corrected seed's period.
    _officer_adds("permanent-exclusions", "2006/07", 70)
    _officer_adds("permanent-exclusions", "2003/4", 91)
    _officer_adds("wait-gp-prescribing", "2005/06 Q3 longest", 30)

    migration()._bring_seeded_strategy_up_to_date(db.session.connection())
    # and the later correction of the seeded strategy (0030: an indicator's name).
    renamed = migration("0030")
    renamed.rename(db.session.connection(), renamed.SEEDED, renamed.RENAMED)
    db.session.commit()
    db.session.expire_all()

    assert strategy() == corrected  # every text, link, measure and figure of the report
    # The liveability questions of the time now inform the 3.5 measures (0020 adds the rest).
    links = db.session.execute(
        sa.select(question_indicator.c.question_id, Indicator.code).join(Indicator)
    ).all()
    assert len(links) == sum(
        len(codes)
        for codes in migration().QUESTION_INDICATORS["warwickshire-panel-liveability"].values()
    )
    kept = {
        (row[0], row[1], row[3], row[4])
        for row in strategy(officers=True)
        if len(row) == 10 and row[9] == "analyst@council.example"
    }
    assert kept == {
        ("permanent-exclusions", "", "2006/07", Decimal("70.00")),
        # The report's 90 for 2003/4 stays; the officer's figure keeps its own period, marked.
        (
            "permanent-exclusions",
            "",
            "2003/4 (recorded by analyst@council.example)",
            Decimal("91.00"),
        ),
        # Nothing says which of the new measures it belongs to: a measure of its own.
        (
            "wait-gp-prescribing",
            "Recorded before the measures were separated",
            "2005/06 Q3 longest",
            Decimal("30.00"),
        ),
    }
