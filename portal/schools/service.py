"""Schools from a CSV file, distribution channels, and the response counts they may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TextIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.audit import add_audit_entry
from portal.clock import uk_midnight_in_utc, uk_today
from portal.codes import random_code
from portal.consultations.models import Consultation
from portal.csv_import import CsvFileError, ImportReport, checked_rows
from portal.extensions import db
from portal.responses.models import Response
from portal.schools.models import DistributionChannel, District, OutletKind, School
from portal.schools.register import apply_changes, audit_subject, clean_school

REQUIRED_COLUMNS = ("name", "number", "phase", "district", "pupils")  # and "town", if given
CHANNEL_CODE_LENGTH = 8  # 26^8, about 2 x 10^11 codes: not guessable in any useful time


ImportFileError = CsvFileError


def import_schools(
    handle: TextIO, skip_invalid: bool = False, by: User | None = None, source: str = ""
) -> ImportReport:
    """Check every row, reporting every problem on it; then add new schools and update known
    ones (matched by number), in one transaction with the audit entries. Any bad row stops the
    whole import unless `skip_invalid`: nothing is half-imported. A closed school in the file
    is updated and stays closed. `by` is who imported it (None: the command line)."""
    rows, report = checked_rows(
        handle,
        REQUIRED_COLUMNS,
        clean_school,
        "number",
        _l("number %(value)s appears twice in the file"),
    )
    if report.problems and not skip_invalid:
        return report
    existing = {
        school.number: school
        for school in db.session.scalars(sa.select(School).where(School.number.in_(list(rows))))
    }
    # Each school added or changed is audited as the edit form audits it (schools hold no
    # personal data: name and number are fine), the import as a whole after them.
    from_file = f"imported from {source}" if source else "imported"
    for number, values in rows.items():
        school = existing.get(number)
        if school is None:
            school = School(**values)
            db.session.add(school)
            add_audit_entry(
                by, "added a school", audit_subject(school), f"{school.name}; {from_file}"
            )
            report.created += 1
        else:
            changes = apply_changes(school, values)
            if changes:
                add_audit_entry(
                    by, "changed a school", audit_subject(school), "; ".join([*changes, from_file])
                )
            report.updated += 1
    rows_word = "row" if report.bad_rows == 1 else "rows"
    skipped = f", skipped {report.bad_rows} bad {rows_word}" if report.problems else ""
    add_audit_entry(
        by,
        "imported schools",
        "schools",
        f"{report.created} new and {report.updated} updated{skipped}"
        + (f", from {source}" if source else ""),
    )
    db.session.commit()
    report.imported = True
    return report


def schools_in(district: District | None = None, open_only: bool = False) -> list[School]:
    statement = sa.select(School).order_by(School.district, School.name)
    if district is not None:
        statement = statement.where(School.district == district)
    if open_only:
        statement = statement.where(School.closed_at.is_(None))
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
    """A channel for every open school in the district that has none for this consultation."""
    have = set(
        db.session.scalars(
            sa.select(DistributionChannel.school_id).where(
                DistributionChannel.consultation_id == consultation.id,
                DistributionChannel.school_id.is_not(None),
            )
        )
    )
    created = 0
    for school in schools_in(district, open_only=True):
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


@dataclass(frozen=True)
class LinksForNextWave:
    """What a new wave copies of a consultation's links: those switched on, except closed
    schools' (counted, to say so)."""

    copied: list[DistributionChannel]
    closed_schools_left_out: int


def links_for_next_wave(consultation: Consultation) -> LinksForNextWave:
    switched_on = db.session.scalars(
        sa.select(DistributionChannel)
        .where(
            DistributionChannel.consultation_id == consultation.id,
            DistributionChannel.active.is_(True),
        )
        .order_by(DistributionChannel.name)
        .options(selectinload(DistributionChannel.school))
    ).all()
    copied = [c for c in switched_on if c.school is None or c.school.is_open]
    return LinksForNextWave(copied, len(switched_on) - len(copied))


def copy_links(source: Consultation, target: Consultation) -> int:
    """Give the target (a new wave) a link of its own for each link links_for_next_wave
    copies, with a new code: a link leads to one consultation. Not committed: it belongs to
    the new wave's transaction."""
    links = links_for_next_wave(source).copied
    for channel in links:
        db.session.add(
            DistributionChannel(
                consultation=target,
                school=channel.school,
                kind=channel.kind,
                name=channel.name,
                code=_new_code(),
            )
        )
    return len(links)


class ClosedSchoolLink(ValueError):
    """A closed school's link cannot be switched on: it would lead to a school that is not
    there. The school is reopened first."""


def set_channel_active(channel: DistributionChannel, active: bool) -> None:
    """Switch a link on or off; ClosedSchoolLink for switching on a closed school's link."""
    school = channel.school
    if active and school is not None and not school.is_open:
        raise ClosedSchoolLink(
            _(
                "%(name)s is closed, so its link stays off. Reopen the school first, then "
                "switch its link on.",
                name=school.name,
            )
        )
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
) -> list[tuple[date, int]]:
    """Responses through the channel in each UK week (Monday to Sunday) from the week it was
    made to this one, at most the last `weeks` of them, oldest first: one GROUP BY over the
    week's start. Each week is given by its Monday."""
    today = uk_today(now)
    this_monday = today - timedelta(days=today.weekday())
    made = uk_today(channel.created_at) if channel.created_at else this_monday
    made_monday = min(made - timedelta(days=made.weekday()), this_monday)
    count = min(weeks, (this_monday - made_monday).days // 7 + 1)
    mondays = [this_monday - timedelta(weeks=n) for n in reversed(range(count))]
    starts = [uk_midnight_in_utc(monday) for monday in mondays]
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
    return [(monday, counts.get(index, 0)) for index, monday in enumerate(mondays)]
