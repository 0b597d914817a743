"""Who was asked each question, so results tell "skipped" from "not asked".

A routed question is asked only when earlier answers make it relevant ("Where did the bullying
happen?" only after "Yes"), and a question added in a later version of a consultation was never
put to those who answered an earlier one. Each response points at the snapshot of the version
it answered, and a snapshot records each question and the conditions it was shown on, so who
was asked is worked out per snapshot from the responses' own answers, in SQL.

Most routing is one condition on a single answer ("Yes" to the question before), so asked is a
count of that answer. When every response answered one version (as is usual), that count is
the answer's own, which the page's ResponseSet counts anyway (from the tallies unfiltered; from
the results index and SQL for the newest responses under a filter). Across versions it is one
GROUP BY over the source questions' answers per version, about as cheap as the answer counts
themselves. Anything else (several conditions together, "is" on a question that takes several
answers) is counted by a pass over the responses with EXISTS, for those questions only.
Measured on PostgreSQL with 100,000 bullying responses (`python -m bench.asked`, 2 cores), when
every count went the GROUP BY way: 0.054 s for every question, beside 0.281 s for the GROUP BY
of the answers' own counts; counting every routed question the EXISTS way, as a first version
did, took 1.46 s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from portal.consultations.models import ConditionOperator, Consultation
from portal.consultations.page_plans import conditions_of
from portal.extensions import db
from portal.reporting.filters import ResponseFilter
from portal.reporting.response_set import ResponseSet
from portal.responses.models import Answer, Response


@dataclass
class Asked:
    """Per question: how many of the matching responses were asked it, and how many of those
    answered a version of the consultation that routed it differently from today's."""

    counts: dict[int, int] = field(default_factory=dict)
    earlier_routing: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Rule:
    """One condition of a snapshot, by ids."""

    source_id: int
    option_id: int
    operator: ConditionOperator
    several: bool  # the source question takes several answers

    @property
    def counted_by_one_answer(self) -> bool:
        """Whether who it holds for is a count of one answer (or of everyone less that count):
        not so for "is" on a question taking several answers, which means this one and no
        other."""
        return not (self.several and self.operator == ConditionOperator.EQUALS)


def _rule(condition: dict[str, Any], questions: dict[str, dict[str, Any]]) -> _Rule:
    source = questions[condition["source"]]
    option_id = {o["value"]: o["id"] for o in source["options"]}[condition["value"]]
    several = source["type"] in ("multiple_choice", "ranking")
    return _Rule(source["id"], option_id, ConditionOperator(condition["operator"]), several)


def _chosen(rule: _Rule) -> Any:
    return sa.exists().where(
        Answer.response_id == Response.id,
        Answer.question_id == rule.source_id,
        Answer.option_id == rule.option_id,
    )


def _holds(rule: _Rule) -> Any:
    """The rule as SQL on the response being counted, as the journey reads it: "is" means this
    option and no other (an "Other" text is not another option)."""
    if rule.operator == ConditionOperator.NOT:
        return sa.not_(_chosen(rule))
    if rule.operator == ConditionOperator.INCLUDES:
        return _chosen(rule)
    others = sa.exists().where(
        Answer.response_id == Response.id,
        Answer.question_id == rule.source_id,
        Answer.option_id != rule.option_id,
    )
    return sa.and_(_chosen(rule), sa.not_(others))


def _described(page: dict[str, Any], question: dict[str, Any]) -> frozenset[tuple[str, ...]]:
    return frozenset(
        (c["source"], c["operator"], c["value"])
        for c in [*page.get("conditions", []), *question.get("conditions", [])]
    )


def asked_counts(consultation: Consultation, only: ResponseFilter | ResponseSet) -> Asked | None:
    """Who of the responses `only` matches was asked each question; None when every response
    was asked every question (one version, no routing), as is usual."""
    responses = ResponseSet.of(consultation.id, only)
    matching = [Response.consultation_id == consultation.id, *responses.only.conditions()]
    in_snapshot = responses.by_snapshot
    if not in_snapshot:
        return None
    snapshots = responses.snapshots(in_snapshot)
    # Today's routing of each question, to tell which snapshots routed it differently.
    pages_now = {q.id: page for page in consultation.pages for q in page.questions}
    routing_now = {
        q.id: frozenset(
            (c.source_question.key, c.operator.value, c.option.value)
            for c in conditions_of(pages_now[q.id], q)
        )
        for q in consultation.questions
    }
    # question id -> [(snapshot id, its rules there)]
    shown: dict[int, list[tuple[int, list[_Rule]]]] = defaultdict(list)
    asked = Asked()
    routed = False
    for snapshot in snapshots:
        pages = snapshot.content["pages"]
        by_key = {q["key"]: q for page in pages for q in page["questions"]}
        for page in pages:
            for question in page["questions"]:
                conditions = [*page.get("conditions", []), *question.get("conditions", [])]
                routed = routed or bool(conditions)
                shown[question["id"]].append((snapshot.id, [_rule(c, by_key) for c in conditions]))
                if (
                    question["id"] in routing_now
                    and _described(page, question) != (routing_now[question["id"]])
                ):
                    earlier = asked.earlier_routing
                    earlier[question["id"]] = (
                        earlier.get(question["id"], 0) + in_snapshot[snapshot.id]
                    )
    everywhere = len(in_snapshot)
    current = [q.id for q in consultation.questions]
    if not routed and all(len(shown.get(q, [])) == everywhere for q in current):
        return None

    # One answer's count per snapshot serves every question routed by that answer alone.
    simple = {
        (rule.source_id, rule.option_id)
        for ways in shown.values()
        for _, rules in ways
        if len(rules) == 1
        for rule in rules
        if rule.counted_by_one_answer
    }
    chose: dict[tuple[int, int, int | None], int] = {}
    if simple and len(in_snapshot) == 1:
        # Every response answered one version: the answers' counts (from the tallies or the
        # results index, as the set reads them) are that version's.
        (only_snapshot,) = in_snapshot
        counted = responses.option_counts(sorted({source_id for source_id, _ in simple}))
        for source_id, source_option in simple:
            count = counted.get(source_id, {}).get(source_option, 0)
            chose[(only_snapshot, source_id, source_option)] = count
    elif simple:
        # An alias, so a filter's own EXISTS over the answers stays correlated to the
        # response alone rather than to the answer being counted.
        source = orm.aliased(Answer)
        for snapshot_id, question_id, option_id, count in db.session.execute(
            sa.select(Response.snapshot_id, source.question_id, source.option_id, sa.func.count())
            .join(Response, Response.id == source.response_id)
            .where(
                *matching,
                source.question_id.in_({source_id for source_id, _ in simple}),
                source.option_id.in_({option for _, option in simple}),
            )
            .group_by(Response.snapshot_id, source.question_id, source.option_id)
        ):
            chose[(snapshot_id, question_id, option_id)] = count

    complicated: dict[int, list[tuple[int, list[_Rule]]]] = defaultdict(list)
    for question_id in current:
        total = 0
        for snapshot_id, rules in shown.get(question_id, []):
            if not rules:
                total += in_snapshot[snapshot_id]
            elif len(rules) == 1 and rules[0].counted_by_one_answer:
                rule = rules[0]
                count = chose.get((snapshot_id, rule.source_id, rule.option_id), 0)
                not_chosen = rule.operator == ConditionOperator.NOT
                total += in_snapshot[snapshot_id] - count if not_chosen else count
            else:
                complicated[question_id].append((snapshot_id, rules))
        asked.counts[question_id] = total
    if complicated:
        columns = [
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (
                            sa.or_(
                                *(
                                    sa.and_(
                                        Response.snapshot_id == snapshot_id,
                                        *(_holds(rule) for rule in rules),
                                    )
                                    for snapshot_id, rules in ways
                                )
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ),
                0,
            )
            for ways in complicated.values()
        ]
        row = db.session.execute(sa.select(*columns).select_from(Response).where(*matching)).one()
        for question_id, count in zip(complicated, row, strict=True):
            asked.counts[question_id] += int(count)
    return asked
