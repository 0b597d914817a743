"""Schools from a CSV file, distribution channels, and the response counts they may see."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.consultations.models import Consultation
from portal.csv_import import CsvFileError, ImportReport, checked_rows, lookup_key
from portal.extensions import db
from portal.responses.models import Response
from portal.responses.service import random_code
from portal.schools.models import (
    DISTRICT_LABELS,
    DistributionChannel,
    District,
    OutletKind,
    Phase,
    School,
)

REQUIRED_COLUMNS = ("name", "number", "phase", "district", "pupils")
CHANNEL_CODE_LENGTH = 8  # 26^8, about 2 x 10^11 codes: not guessable in any useful time
NUMBER_PATTERN = re.compile(r"\d{3}/?\d{4}|\d{6,8}")


ImportFileError = CsvFileError


_DISTRICTS = {lookup_key(label): district for district, label in DISTRICT_LABELS.items()}
_DISTRICTS.update({district.value: district for district in District})
_PHASES = {lookup_key(phase.value): phase for phase in Phase}
_PHASES.update(
    {"all_through": Phase.ALL_THROUGH, "through": Phase.ALL_THROUGH, "pru": Phase.ALTERNATIVE}
)


def _school_values(row: dict[str, Any]) -> dict[str, Any]:
    """One row's values, or ValueError saying what is wrong with it."""
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError("name is empty")
    if len(name) > 200:
        raise ValueError("name is longer than 200 characters")
    number = (row.get("number") or "").strip()
    if not NUMBER_PATTERN.fullmatch(number):
        raise ValueError(f"number {number!r} is not a school number like 937/2001")
    number = number.replace("/", "")
    phase = _PHASES.get(lookup_key(row.get("phase") or ""))
    if phase is None:
        raise ValueError(
            f"phase {row.get('phase')!r} is not one of: {', '.join(p.value for p in Phase)}"
        )
    district = _DISTRICTS.get(lookup_key(row.get("district") or ""))
    if district is None:
        raise ValueError(
            f"district {row.get('district')!r} is not one of: {', '.join(DISTRICT_LABELS.values())}"
        )
    pupils_text = (row.get("pupils") or "").strip().replace(",", "")
    if not pupils_text.isdigit() or int(pupils_text) > 10000:
        raise ValueError(f"pupils {row.get('pupils')!r} is not a whole number from 0 to 10,000")
    return {
        "name": name,
        "number": number,
        "phase": phase,
        "district": district,
        "pupils": int(pupils_text),
    }


def import_schools(handle: TextIO, skip_invalid: bool = False) -> ImportReport:
    """Check every row; then add new schools and update known ones (matched by number), in one
    transaction. Any bad row stops the whole import unless `skip_invalid`."""
    rows, report = checked_rows(handle, REQUIRED_COLUMNS, _school_values, "number", "number")
    if report.problems and not skip_invalid:
        return report
    existing = {
        school.number: school
        for school in db.session.scalars(sa.select(School).where(School.number.in_(list(rows))))
    }
    for number, values in rows.items():
        school = existing.get(number)
        if school is None:
            db.session.add(School(**values))
            report.created += 1
        else:
            for name, value in values.items():
                setattr(school, name, value)
            report.updated += 1
    db.session.commit()
    report.imported = True
    return report


def find_school(number: str) -> School | None:
    return db.session.scalar(sa.select(School).where(School.number == number.replace("/", "")))


def schools_in(district: District | None = None) -> list[School]:
    statement = sa.select(School).order_by(School.district, School.name)
    if district is not None:
        statement = statement.where(School.district == district)
    return list(db.session.scalars(statement))


# Channels --------------------------------------------------------------------------------------


def _new_code() -> str:
    return random_code(CHANNEL_CODE_LENGTH)


def create_channel(
    consultation: Consultation,
    school: School | None = None,
    kind: OutletKind = OutletKind.SCHOOL,
    name: str | None = None,
) -> DistributionChannel:
    for attempt in (1, 2):
        channel = DistributionChannel(
            consultation=consultation,
            school=school,
            kind=OutletKind.SCHOOL if school is not None else kind,
            name=school.name if school is not None else (name or "").strip(),
            code=_new_code(),
        )
        db.session.add(channel)
        try:
            db.session.commit()
            return channel
        except IntegrityError:
            db.session.rollback()  # a clashing code (about 1 in 10^11), or a school's second
            if attempt == 2 or (school is not None and school_channel(consultation, school)):
                raise
    raise AssertionError("unreachable")


def school_channel(consultation: Consultation, school: School) -> DistributionChannel | None:
    return db.session.scalar(
        sa.select(DistributionChannel).where(
            DistributionChannel.consultation_id == consultation.id,
            DistributionChannel.school_id == school.id,
        )
    )


def create_district_channels(consultation: Consultation, district: District) -> int:
    """A channel for every school in the district that has none for this consultation."""
    have = set(
        db.session.scalars(
            sa.select(DistributionChannel.school_id).where(
                DistributionChannel.consultation_id == consultation.id,
                DistributionChannel.school_id.is_not(None),
            )
        )
    )
    created = 0
    for school in schools_in(district):
        if school.id not in have:
            db.session.add(
                DistributionChannel(
                    consultation=consultation,
                    school=school,
                    kind=OutletKind.SCHOOL,
                    name=school.name,
                    code=_new_code(),
                )
            )
            created += 1
    db.session.commit()
    return created


def set_channel_active(channel: DistributionChannel, active: bool) -> None:
    channel.active = active
    db.session.commit()


def active_channel(code: str) -> DistributionChannel | None:
    return db.session.scalar(
        sa.select(DistributionChannel).where(
            DistributionChannel.code == code.upper(), DistributionChannel.active.is_(True)
        )
    )


def channel_by_code(code: str) -> DistributionChannel | None:
    return db.session.scalar(
        sa.select(DistributionChannel).where(DistributionChannel.code == code.upper())
    )


def channels_of(consultation: Consultation) -> list[DistributionChannel]:
    return list(
        db.session.scalars(
            sa.select(DistributionChannel)
            .where(DistributionChannel.consultation_id == consultation.id)
            .order_by(DistributionChannel.name)
        )
    )


def school_channels(school_id: int) -> list[DistributionChannel]:
    return list(
        db.session.scalars(
            sa.select(DistributionChannel)
            .where(DistributionChannel.school_id == school_id)
            .order_by(DistributionChannel.created_at)
        )
    )


# Counts ----------------------------------------------------------------------------------------


def responses_by_channel(channel_ids: Iterable[int]) -> dict[int, int]:
    ids = list(channel_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Response.distribution_channel_id, sa.func.count(Response.id))
        .where(Response.distribution_channel_id.in_(ids))
        .group_by(Response.distribution_channel_id)
    ).all()
    return {channel_id: count for channel_id, count in rows if channel_id is not None}


def weekly_counts(
    channel: DistributionChannel, now: datetime, weeks: int = 8
) -> list[tuple[datetime, int]]:
    """Responses through the channel in each of the last `weeks` weeks (Monday to Sunday),
    oldest first: one GROUP BY over the week's start."""
    today = now.date()
    this_monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time())
    starts = [this_monday - timedelta(weeks=n) for n in reversed(range(weeks))]
    week = sa.case(
        *[
            (Response.submitted_at >= start, index)
            for index, start in reversed(list(enumerate(starts)))
        ],
        else_=-1,
    )
    counts: dict[int, int] = dict(
        db.session.execute(
            sa.select(week, sa.func.count(Response.id))
            .where(
                Response.distribution_channel_id == channel.id,
                Response.submitted_at >= starts[0],
            )
            .group_by(week)
        ).all()
    )
    return [(start, counts.get(index, 0)) for index, start in enumerate(starts)]
