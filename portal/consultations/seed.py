"""Load the consultations in portal/data/consultations.yaml, adding only those not present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from portal.consultations.models import (
    ConditionOperator,
    Consultation,
    ConsultationStatus,
    DisplayCondition,
    Option,
    OptionKind,
    Page,
    Question,
    QuestionType,
)
from portal.consultations.question_types import kind_of
from portal.extensions import db
from portal.strategy.models import Indicator, KeyTask, Outcome
from portal.strategy.seed import SeedDataError

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "consultations.yaml"


def read_consultations(path: Path = DATA_FILE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        consultations: list[dict[str, Any]] = yaml.safe_load(handle)["consultations"]
    return consultations


# Why the bullying consultation opens when it does, completing the start page's sentence "It
# opens on 16 November 2026 and closes on ..., ".
ANTI_BULLYING_WEEK_REASON = (
    "to coincide with Anti-Bullying Week, as the council's progress report of December 2005 "
    "planned its consultation with parents"
)


def anti_bullying_week(after: date) -> date:
    """The Monday of the first Anti-Bullying Week that has not ended by `after`.

    The Anti-Bullying Alliance holds it in the third week of November; its weeks of 2017 to
    2025 each began on the first Monday on or after 10 November (13 November 2023, 11
    November 2024, 10 November 2025). The Alliance announces each year's dates:
    PORTAL_ANTI_BULLYING_WEEK sets the Monday where it differs."""
    for year in (after.year, after.year + 1):
        tenth = date(year, 11, 10)
        monday = tenth + timedelta(days=(7 - tenth.weekday()) % 7)
        if monday + timedelta(days=4) >= after:
            return monday
    raise AssertionError("unreachable: next year's week always lies ahead")


def seed_consultations(
    today: date,
    data: list[dict[str, Any]] | None = None,
    open_now: bool = False,
    anti_bullying_monday: date | None = None,
) -> list[str]:
    """Create each consultation whose slug is not taken; return the slugs created.

    A consultation the data plans for Anti-Bullying Week opens in the next one, and its start
    page says why, unless `open_now` opens it today (demos and tests)."""
    data = data if data is not None else read_consultations()
    existing = set(db.session.scalars(sa.select(Consultation.slug)))
    strategy = strategy_codes()
    created = []
    for item in data:
        if item["slug"] in existing:
            continue
        db.session.add(build_consultation(item, today, strategy, open_now, anti_bullying_monday))
        created.append(item["slug"])
    db.session.commit()
    return created


@dataclass
class StrategyCodes:
    """The strategy's items by the codes the data file refers to them by."""

    outcomes: dict[str, Outcome]
    key_tasks: dict[str, KeyTask]
    indicators: dict[str, Indicator]


def strategy_codes() -> StrategyCodes:
    return StrategyCodes(
        outcomes={o.code: o for o in db.session.scalars(sa.select(Outcome))},
        key_tasks={t.code: t for t in db.session.scalars(sa.select(KeyTask))},
        indicators={i.code: i for i in db.session.scalars(sa.select(Indicator))},
    )


def build_consultation(
    item: dict[str, Any],
    today: date,
    strategy: StrategyCodes,
    open_now: bool = False,
    anti_bullying_monday: date | None = None,
) -> Consultation:
    slug = item["slug"]
    opens_on, timing_note = today, ""
    if item.get("opens") == "anti_bullying_week" and not open_now:
        opens_on = anti_bullying_monday or anti_bullying_week(today)
        timing_note = ANTI_BULLYING_WEEK_REASON
    elif item.get("opens") not in (None, "anti_bullying_week"):
        raise SeedDataError(f"{slug}: unknown opening {item['opens']!r}")
    consultation = Consultation(
        slug=slug,
        title=item["title"],
        summary=item["summary"].strip(),
        audience=item["audience"],
        who_for=item.get("who_for", "").strip(),
        what_happens=item.get("what_happens", "").strip(),
        help_text=item.get("help_text", "").strip(),
        safeguarding_terms="\n".join(item.get("safeguarding_terms", [])),
        privacy_notice=item["privacy_notice"].strip(),
        estimated_minutes=item.get("estimated_minutes", 10),
        status=ConsultationStatus(item.get("status", "draft")),
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=item["open_days"]) if item.get("open_days") else None,
        timing_note=timing_note,
    )
    consultation.key_tasks = [
        _lookup(strategy.key_tasks, code, slug, "key task") for code in item.get("key_tasks", [])
    ]
    questions: dict[str, Question] = {}
    for page_position, page_data in enumerate(item["pages"], start=1):
        page = Page(position=page_position, title=page_data.get("title"))
        consultation.pages.append(page)
        page.conditions = _conditions(page_data, questions, consultation, slug)
        for position, q in enumerate(page_data["questions"], start=1):
            if q["key"] in questions:
                raise SeedDataError(f"{slug}: question key {q['key']!r} is used twice")
            question = Question(
                key=q["key"],
                position=position,
                type=QuestionType(q["type"]),
                text=q["text"],
                hint=(q.get("hint") or "").strip(),
                required=q.get("required", True),
                error_required=q.get("error_required", ""),
                max_length=q.get("max_length"),
                other_label=q.get("other_label"),
                max_selections=q.get("max_selections"),
                min_value=q.get("min_value"),
                max_value=q.get("max_value"),
                decimal_places=q.get("decimal_places"),
            )
            kind = kind_of(question)
            question.consultation = consultation
            # Conditions may only read questions on earlier pages.
            earlier = {key: found for key, found in questions.items() if found.page is not page}
            question.conditions = _conditions(q, earlier, consultation, slug)
            question.outcomes = [
                _lookup(strategy.outcomes, code, slug, "outcome") for code in q.get("outcomes", [])
            ]
            question.indicators = [
                _lookup(strategy.indicators, code, slug, "indicator")
                for code in q.get("indicators", [])
            ]
            options = q.get("options") or kind.default_options()
            statements = [{**s, "kind": OptionKind.STATEMENT} for s in q.get("statements", [])]
            for option_position, o in enumerate([*options, *statements], start=1):
                question.options.append(
                    Option(
                        position=option_position,
                        value=str(o["value"]),
                        label=str(o["label"]),
                        hint=o.get("hint", ""),
                        exclusive=o.get("exclusive", False),
                        scale_weight=o.get("scale_weight"),
                        kind=o.get("kind", OptionKind.CHOICE),
                    )
                )
            if (kind.uses_choices or kind.default_options()) and not question.choices:
                raise SeedDataError(f"{slug}: question {q['key']!r} needs options")
            if kind.uses_statements and not question.statements:
                raise SeedDataError(f"{slug}: question {q['key']!r} needs statements")
            page.questions.append(question)
            questions[question.key] = question
    return consultation


def _conditions(
    data: dict[str, Any], earlier: dict[str, Question], consultation: Consultation, slug: str
) -> list[DisplayCondition]:
    """`show_if: [{question: key, operator: equals|includes|not, value: option value}]`."""
    conditions = []
    for rule in data.get("show_if", []):
        source = _lookup(earlier, rule["question"], slug, "earlier question")
        if not kind_of(source).routable:
            raise SeedDataError(f"{slug}: {source.key!r} cannot route other questions")
        option = next((o for o in source.choices if o.value == str(rule["value"])), None)
        if option is None:
            raise SeedDataError(f"{slug}: {source.key!r} has no option {rule['value']!r}")
        conditions.append(
            DisplayCondition(
                consultation=consultation,
                source_question=source,
                operator=ConditionOperator(rule.get("operator", "equals")),
                option=option,
            )
        )
    return conditions


def _lookup(table: dict[str, Any], code: str, slug: str, what: str) -> Any:
    try:
        return table[code]
    except KeyError:
        raise SeedDataError(f"{slug}: unknown {what} {code!r}") from None
