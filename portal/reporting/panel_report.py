"""Panel response rates, how respondents compare with the panel and the county, and weighted
results. Every count is a GROUP BY; only the counts are combined here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import gettext as _

from portal.consultations.models import Consultation, QuestionType
from portal.extensions import db
from portal.panel.models import (
    AGE_BAND_LABELS,
    AgeBand,
    Invitation,
    MemberStatus,
    PanelGroup,
    PanelMember,
    panel_membership,
)
from portal.reporting.service import percent
from portal.reporting.weighting import Interval, Weights, rake, weighted_share, wilson
from portal.responses.models import Answer, Response
from portal.schools.models import DISTRICT_LABELS, District

POPULATION_FILE = Path(__file__).resolve().parent.parent / "data" / "population.yaml"
WEIGHTED_TYPES = {
    QuestionType.SINGLE_CHOICE,
    QuestionType.MULTIPLE_CHOICE,
    QuestionType.AGREEMENT_SCALE,
    QuestionType.RATING,
}


@cache
def population() -> dict[str, Any]:
    with POPULATION_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


@dataclass
class RateRow:
    label: str
    invited: int
    responded: int

    @property
    def rate(self) -> float | None:
        return 100 * self.responded / self.invited if self.invited else None


@dataclass
class ProfileRow:
    label: str
    respondents: int
    respondents_percent: float
    panel: int
    panel_percent: float
    population_percent: float

    @property
    def gap(self) -> float:
        """Respondents' share minus the county's, in percentage points."""
        return self.respondents_percent - self.population_percent


@dataclass
class WeightedOption:
    option_id: int
    unweighted: float
    unweighted_interval: Interval
    weighted: float
    weighted_interval: Interval


@dataclass
class WeightedQuestion:
    answered: int
    effective: float
    options: dict[int, WeightedOption] = field(default_factory=dict)


@dataclass
class PanelReport:
    rates_by_group: list[RateRow]
    rates_by_district: list[RateRow]
    rates_by_age: list[RateRow]
    over_time: list[tuple[date, int]]
    districts: list[ProfileRow]
    ages: list[ProfileRow]
    weights: Weights
    source: str
    # The districts and age bands with no respondents, by their labels ("25 to 44").
    unweightable: list[str] = field(default_factory=list)


def _rates(consultation: Consultation, column: Any, labels: dict[Any, str]) -> list[RateRow]:
    rows = db.session.execute(
        sa.select(
            column, sa.func.count(Invitation.id), sa.func.count(Invitation.counted_response())
        )
        .join(PanelMember, PanelMember.id == Invitation.member_id)
        .where(Invitation.consultation_id == consultation.id)
        .group_by(column)
    ).all()
    found = {key: (invited, responded) for key, invited, responded in rows}
    result = [RateRow(label, *found.get(key, (0, 0))) for key, label in labels.items()]
    if None in found:
        result.append(RateRow(_("Not known"), *found[None]))
    return result


def _group_rates(consultation: Consultation) -> list[RateRow]:
    rows = db.session.execute(
        sa.select(
            PanelGroup.name,
            sa.func.count(Invitation.id),
            sa.func.count(Invitation.counted_response()),
        )
        .join(panel_membership, panel_membership.c.group_id == PanelGroup.id)
        .join(Invitation, Invitation.member_id == panel_membership.c.member_id)
        .where(Invitation.consultation_id == consultation.id)
        .group_by(PanelGroup.name)
        .order_by(PanelGroup.name)
    ).all()
    return [RateRow(name, invited, responded) for name, invited, responded in rows]


def _profile(
    respondent_counts: dict[Any, int],
    panel_counts: dict[Any, int],
    population_shares: dict[str, float],
    labels: dict[Any, str],
) -> list[ProfileRow]:
    respondents = sum(respondent_counts.values())
    panel = sum(panel_counts.values())
    population_total = sum(population_shares.values())
    return [
        ProfileRow(
            label,
            respondent_counts.get(key, 0),
            percent(respondent_counts.get(key, 0), respondents),
            panel_counts.get(key, 0),
            percent(panel_counts.get(key, 0), panel),
            percent(population_shares.get(str(key), 0), population_total),
        )
        for key, label in labels.items()
    ]


def _active_members_by(column: Any) -> dict[str | None, int]:
    """Active panel members counted by a profile column (district or age band)."""
    rows = db.session.execute(
        sa.select(column, sa.func.count(PanelMember.id))
        .where(PanelMember.status == MemberStatus.ACTIVE)
        .group_by(column)
    ).all()
    return {(key.value if key else None): count for key, count in rows}


def cell_counts(consultation: Consultation) -> dict[tuple[str, str], int]:
    """Responses with a weighting cell, by (district, age band)."""
    rows = db.session.execute(
        sa.select(Response.profile_district, Response.profile_age_band, sa.func.count(Response.id))
        .where(
            Response.consultation_id == consultation.id,
            Response.profile_district.is_not(None),
            Response.profile_age_band.is_not(None),
        )
        .group_by(Response.profile_district, Response.profile_age_band)
    ).all()
    return {(str(district), str(age)): count for district, age, count in rows}


def weights_for(consultation: Consultation) -> Weights:
    data = population()
    return rake(
        cell_counts(consultation),
        {str(k): float(v) for k, v in data["districts"].items()},
        {str(k): float(v) for k, v in data["age_bands_percent"].items()},
    )


def panel_report(consultation: Consultation) -> PanelReport:
    district_labels = {d.value: label for d, label in DISTRICT_LABELS.items()}
    age_labels = {a.value: str(label) for a, label in AGE_BAND_LABELS.items()}
    cells = cell_counts(consultation)
    by_district: dict[Any, int] = defaultdict(int)
    by_age: dict[Any, int] = defaultdict(int)
    for (district, age), count in cells.items():
        by_district[district] += count
        by_age[age] += count
    panel_districts = _active_members_by(PanelMember.district)
    panel_ages = _active_members_by(PanelMember.age_band)
    day = sa.func.date(Invitation.counted_response())
    over_time = [
        (d if isinstance(d, date) else date.fromisoformat(str(d)), n)
        for d, n in db.session.execute(
            sa.select(day, sa.func.count(Invitation.id))
            .where(
                Invitation.consultation_id == consultation.id,
                Invitation.counted_response().is_not(None),
            )
            .group_by(day)
            .order_by(day)
        ).all()
    ]
    data = population()
    weights = weights_for(consultation)
    return PanelReport(
        rates_by_group=_group_rates(consultation),
        rates_by_district=_rates(
            consultation, PanelMember.district, {d: DISTRICT_LABELS[d] for d in District}
        ),
        rates_by_age=_rates(consultation, PanelMember.age_band, {a: a.label for a in AgeBand}),
        over_time=over_time,
        districts=_profile(
            by_district,
            panel_districts,
            {str(k): float(v) for k, v in data["districts"].items()},
            district_labels,
        ),
        ages=_profile(
            by_age,
            panel_ages,
            {str(k): float(v) for k, v in data["age_bands_percent"].items()},
            age_labels,
        ),
        weights=weights,
        source=data["source"],
        unweightable=[
            district_labels.get(key) or age_labels.get(key) or key for key in weights.unweightable
        ],
    )


def weighted_results(consultation: Consultation) -> dict[int, WeightedQuestion]:
    """Unweighted and weighted percentages, with 95% intervals, for every choice question,
    over the responses that carry a weighting cell. Empty when there are none."""
    weights = weights_for(consultation)
    if not weights.responses:
        return {}
    questions = [q for q in consultation.questions if q.type in WEIGHTED_TYPES]
    question_ids = [q.id for q in questions]
    has_cell = sa.and_(
        Response.consultation_id == consultation.id,
        Response.profile_district.is_not(None),
        Response.profile_age_band.is_not(None),
    )
    cell = (Response.profile_district, Response.profile_age_band)
    chosen: dict[int, dict[int, dict[tuple[str, str], int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for question_id, option_id, district, age, count in db.session.execute(
        sa.select(Answer.question_id, Answer.option_id, *cell, sa.func.count(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .where(has_cell, Answer.question_id.in_(question_ids), Answer.option_id.is_not(None))
        .group_by(Answer.question_id, Answer.option_id, *cell)
    ):
        chosen[question_id][int(option_id or 0)][(str(district), str(age))] = count
    answered: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for question_id, district, age, count in db.session.execute(
        sa.select(Answer.question_id, *cell, sa.func.count(sa.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(has_cell, Answer.question_id.in_(question_ids))
        .group_by(Answer.question_id, *cell)
    ):
        answered[question_id][(str(district), str(age))] = count
    results: dict[int, WeightedQuestion] = {}
    for question in questions:
        base = answered.get(question.id, {})
        n = sum(base.values())
        if not n:
            continue
        result = WeightedQuestion(answered=n, effective=0.0)
        for option in question.counted_choices:
            by_cell = chosen[question.id].get(option.id, {})
            count = sum(by_cell.values())
            share, effective = weighted_share(by_cell, base, weights)
            result.effective = effective
            result.options[option.id] = WeightedOption(
                option.id,
                count / n,
                wilson(count, n),
                share,
                wilson(share * effective, effective),
            )
        results[question.id] = result
    return results
