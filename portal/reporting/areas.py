"""Answers to a postcode question read by the deprivation decile of each area: one GROUP BY
over the answers joined to the council's lookup (portal/areas)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.areas.models import DECILES, AreaDeprivation
from portal.extensions import db
from portal.reporting.filters import decile_label
from portal.responses.models import Answer


@dataclass(frozen=True)
class AreaRow:
    label: str
    count: int
    percent: float


def decile_counts(
    question_ids: list[int], scope: list[sa.ColumnElement[bool]]
) -> dict[int, dict[int | None, int]]:
    """Per question, how many answers fall in each decile (None: a sector the lookup lacks)."""
    found: dict[int, dict[int | None, int]] = defaultdict(dict)
    if not question_ids:
        return found
    for question_id, decile, count in db.session.execute(
        sa.select(Answer.question_id, AreaDeprivation.decile, sa.func.count())
        .select_from(Answer)
        .outerjoin(AreaDeprivation, AreaDeprivation.sector == Answer.text)
        .where(Answer.question_id.in_(question_ids), *scope)
        .group_by(Answer.question_id, AreaDeprivation.decile)
    ):
        found[question_id][decile] = count
    return found


def area_rows(counts: dict[int | None, int], answered: int) -> list[AreaRow]:
    def share(count: int) -> float:
        return round(100 * count / answered, 1) if answered else 0.0

    rows = [AreaRow(decile_label(d), counts.get(d, 0), share(counts.get(d, 0))) for d in DECILES]
    unknown = counts.get(None, 0)
    if unknown:
        rows.append(AreaRow(_("An area not in the council's lookup"), unknown, share(unknown)))
    return rows
