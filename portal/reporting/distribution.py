"""Officers' view of distribution: exact responses by school, district and outlet."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.consultations.models import Consultation
from portal.extensions import db
from portal.responses.models import Response
from portal.schools import service
from portal.schools.models import DistributionChannel, District, School

SORTS = ("school", "district", "responses", "rate")


@dataclass
class SchoolRow:
    school: School
    channel: DistributionChannel | None
    responses: int

    @property
    def rate(self) -> float | None:
        """Responses per 100 pupils."""
        if self.channel is None or not self.school.pupils:
            return None
        return 100 * self.responses / self.school.pupils


@dataclass
class DistrictRow:
    district: District
    schools: int = 0
    with_links: int = 0
    pupils: int = 0
    responses: int = 0

    @property
    def rate(self) -> float | None:
        return 100 * self.responses / self.pupils if self.pupils else None


@dataclass
class Distribution:
    sort: str
    schools: list[SchoolRow]
    districts: list[DistrictRow]
    outlets: list[tuple[DistributionChannel, int]] = field(default_factory=list)
    total: int = 0  # every response to the consultation, by any route
    through_links: int = 0

    @property
    def without_responses(self) -> list[SchoolRow]:
        return [row for row in self.schools if row.channel is not None and not row.responses]


def distribution(consultation: Consultation, sort: str = "school") -> Distribution:
    channels = service.channels_of(consultation)
    counts = service.responses_by_channel(c.id for c in channels)
    by_school = {c.school_id: c for c in channels if c.school_id is not None}
    rows = [
        SchoolRow(school, by_school.get(school.id), counts.get(by_school[school.id].id, 0))
        if school.id in by_school
        else SchoolRow(school, None, 0)
        for school in service.schools_in()
        # A closed school is listed only for the link it had: its responses still count.
        if school.is_open or school.id in by_school
    ]
    keys = {
        "school": lambda r: (r.school.name.lower(),),
        "district": lambda r: (r.school.district.label, r.school.name.lower()),
        "responses": lambda r: (-r.responses, r.school.name.lower()),
        "rate": lambda r: (-(r.rate or 0), r.school.name.lower()),
    }
    rows.sort(key=keys[sort])
    districts = {district: DistrictRow(district) for district in District}
    for row in rows:
        summary = districts[row.school.district]
        summary.schools += 1
        if row.channel is not None:
            summary.with_links += 1
            summary.pupils += row.school.pupils
            summary.responses += row.responses
    total = (
        db.session.scalar(
            sa.select(sa.func.count(Response.id)).where(Response.consultation_id == consultation.id)
        )
        or 0
    )
    return Distribution(
        sort=sort,
        schools=rows,
        districts=list(districts.values()),
        outlets=[(c, counts.get(c.id, 0)) for c in channels if c.school_id is None],
        total=total,
        through_links=sum(counts.values()),
    )
