"""Who was asked each question, so results tell "skipped" from "not asked".

A routed question is asked only when earlier answers make it relevant ("Where did the bullying
happen?" only after "Yes"), and a question added in a later version of a consultation was never
put to those who answered an earlier one. Each response points at the snapshot of the version
it answered, and a snapshot records each question and the conditions it was shown on, so who
was asked is worked out per snapshot, from the response's own answers, in one SQL pass over the
responses; no response is loaded into Python.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.consultations.models import ConditionOperator, Consultation, ConsultationSnapshot
from portal.extensions import db
from portal.reporting.filters import ResponseFilter
from portal.responses import tallies
from portal.responses.models import Answer, Response


def _chosen(question_id: int, option_id: int) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        Answer.response_id == Response.id,
        Answer.question_id == question_id,
        Answer.option_id == option_id,
    )


def _holds(condition: dict[str, Any], questions: dict[str, dict[str, Any]]) -> Any:
    """One snapshot condition as SQL on the response being counted."""
    source = questions[condition["source"]]
    option_ids = {o["value"]: o["id"] for o in source["options"]}
    option_id = option_ids[condition["value"]]
    operator = ConditionOperator(condition["operator"])
    if operator == ConditionOperator.NOT:
        return sa.not_(_chosen(source["id"], option_id))
    if operator == ConditionOperator.INCLUDES:
        return _chosen(source["id"], option_id)
    # Equals: this option and no other.
    others = sa.exists().where(
        Answer.response_id == Response.id,
        Answer.question_id == source["id"],
        sa.or_(Answer.option_id != option_id, Answer.option_id.is_(None)),
    )
    return sa.and_(_chosen(source["id"], option_id), sa.not_(others))


def asked_counts(consultation: Consultation, only: ResponseFilter) -> dict[int, int] | None:
    """For each question, how many of the responses `only` matches were asked it; None when
    every response was asked every question (no routing, one version), as is usual."""
    snapshot_ids = list(tallies.responses_by_snapshot(consultation.id))
    if not snapshot_ids:
        return None
    snapshots = db.session.scalars(
        sa.select(ConsultationSnapshot).where(ConsultationSnapshot.id.in_(snapshot_ids))
    ).all()
    # question id -> (snapshot id, the conditions it was shown on there)
    shown: dict[int, list[tuple[int, list[Any]]]] = {}
    routed = False
    for snapshot in snapshots:
        pages = snapshot.content["pages"]
        by_key = {q["key"]: q for page in pages for q in page["questions"]}
        for page in pages:
            for question in page["questions"]:
                conditions = [*page.get("conditions", []), *question.get("conditions", [])]
                routed = routed or bool(conditions)
                holds = [_holds(c, by_key) for c in conditions]
                shown.setdefault(question["id"], []).append((snapshot.id, holds))
    current = [q.id for q in consultation.questions]
    if not routed and all(len(shown.get(q, [])) == len(snapshots) for q in current):
        return None
    columns = [
        sa.func.coalesce(
            sa.func.sum(
                sa.case(
                    (
                        sa.or_(
                            *(
                                sa.and_(Response.snapshot_id == snapshot_id, *holds)
                                for snapshot_id, holds in shown.get(question_id, [])
                            ),
                            # Whoever answered was asked, whatever changed since.
                            sa.exists().where(
                                Answer.response_id == Response.id,
                                Answer.question_id == question_id,
                            ),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
            0,
        )
        for question_id in current
    ]
    row = db.session.execute(
        sa.select(*columns).where(Response.consultation_id == consultation.id, *only.conditions())
    ).one()
    return dict(zip(current, (int(count) for count in row), strict=True))
