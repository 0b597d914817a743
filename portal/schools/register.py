"""The council's register of schools: the rules on a school's details (one set, for a form and
for a CSV row alike), finding schools, and adding, changing, closing and reopening one.

Every change is written to the audit log in the same transaction, with who made it (None: the
command line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.accounts.service import disable as disable_account
from portal.audit import add_audit_entry
from portal.clock import utcnow
from portal.csv_import import lookup_key
from portal.extensions import db
from portal.i18n import ENGLISH
from portal.schools.models import DISTRICT_LABELS, DistributionChannel, District, Phase, School

NUMBER_PATTERN = re.compile(r"\d{3}/?\d{4}|\d{6,8}")
MOST_PUPILS = 10_000
SCHOOLS_PER_PAGE = 50

_DISTRICTS = {lookup_key(label): district for district, label in DISTRICT_LABELS.items()}
_DISTRICTS.update({district.value: district for district in District})
# A file names phases in English, like its columns, whatever language the page is in.
with force_locale(ENGLISH):
    _PHASE_NAMES = {phase: phase.label for phase in Phase}
_PHASES = {lookup_key(name): phase for phase, name in _PHASE_NAMES.items()}
_PHASES.update({phase.value: phase for phase in Phase})
_PHASES.update({"through": Phase.ALL_THROUGH, "pru": Phase.ALTERNATIVE})

PHASE_WORDS = ", ".join(name.lower() for name in _PHASE_NAMES.values())
DISTRICT_WORDS = ", ".join(DISTRICT_LABELS.values())


class SchoolProblems(ValueError):
    """Everything wrong with a school's details: (field, reason) pairs, reasons fit to show."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(reason for _field, reason in problems))
        self.problems = problems

    @property
    def reasons(self) -> list[str]:
        return [reason for _field, reason in self.problems]


def clean_school(row: dict[str, Any]) -> dict[str, Any]:
    """One school's values, tidied; SchoolProblems naming every field that is wrong (not only
    the first), so a CSV row or a form is corrected in one go. "town" is optional: a CSV file
    without the column leaves the towns held as they are."""
    problems: list[tuple[str, str]] = []
    name = (row.get("name") or "").strip()
    if not name:
        problems.append(("name", _("name is empty")))
    elif len(name) > 200:
        problems.append(("name", _("name is longer than 200 characters")))
    number = (row.get("number") or "").strip()
    if not NUMBER_PATTERN.fullmatch(number):
        problems.append(
            (
                "number",
                _("number %(value)s is not a school number like 937/2001", value=repr(number)),
            )
        )
    phase = _PHASES.get(lookup_key(row.get("phase") or ""))
    if phase is None:
        problems.append(
            (
                "phase",
                _(
                    "phase %(value)s is not one of: %(words)s",
                    value=repr(row.get("phase")),
                    words=PHASE_WORDS,
                ),
            )
        )
    district = _DISTRICTS.get(lookup_key(row.get("district") or ""))
    if district is None:
        problems.append(
            (
                "district",
                _(
                    "district %(value)s is not one of: %(words)s",
                    value=repr(row.get("district")),
                    words=DISTRICT_WORDS,
                ),
            )
        )
    pupils_text = str(row.get("pupils") or "").strip().replace(",", "")
    if not pupils_text.isdigit() or int(pupils_text) > MOST_PUPILS:
        problems.append(
            (
                "pupils",
                _(
                    "pupils %(value)s is not a whole number from 0 to %(most)s",
                    value=repr(row.get("pupils")),
                    most=f"{MOST_PUPILS:,}",
                ),
            )
        )
    town = (row.get("town") or "").strip()
    if len(town) > 100:
        problems.append(("town", _("town is longer than 100 characters")))
    if problems:
        raise SchoolProblems(problems)
    values: dict[str, Any] = {
        "name": name,
        "number": number.replace("/", ""),
        "phase": phase,
        "district": district,
        "pupils": int(pupils_text),
    }
    if "town" in row:
        values["town"] = town
    return values


def audit_subject(school: School) -> str:
    return f"school:{school.shown_number}"


# Finding schools -------------------------------------------------------------------------------


@dataclass
class SchoolSearch:
    """What the list shows: `text` in the name, number (with or without its slash) or town."""

    text: str = ""
    district: District | None = None
    status: str = "open"  # "open", "closed" or "all"

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        text = self.text.strip().lower()
        if text:
            number = text.replace("/", "").replace(" ", "")
            where.append(
                sa.or_(
                    sa.func.lower(School.name).contains(text, autoescape=True),
                    sa.func.lower(School.town).contains(text, autoescape=True),
                    School.number.contains(number, autoescape=True) if number else sa.false(),
                )
            )
        if self.district is not None:
            where.append(School.district == self.district)
        if self.status == "open":
            where.append(School.closed_at.is_(None))
        elif self.status == "closed":
            where.append(School.closed_at.is_not(None))
        return where


@dataclass
class SchoolListing:
    school: School
    links: int  # every link the school has had, to any consultation
    links_on: int


def find_schools(search: SchoolSearch, page: int) -> tuple[list[SchoolListing], int]:
    """A page of matching schools by name, with their link counts (one grouped query), and
    how many match in all."""
    where = search.conditions()
    total = db.session.scalar(sa.select(sa.func.count(School.id)).where(*where)) or 0
    schools = list(
        db.session.scalars(
            sa.select(School)
            .where(*where)
            .order_by(sa.func.lower(School.name), School.number)
            .limit(SCHOOLS_PER_PAGE)
            .offset((page - 1) * SCHOOLS_PER_PAGE)
        )
    )
    counts = {
        school_id: (links, links_on or 0)
        for school_id, links, links_on in db.session.execute(
            sa.select(
                DistributionChannel.school_id,
                sa.func.count(DistributionChannel.id),
                sa.func.sum(sa.case((DistributionChannel.active.is_(True), 1), else_=0)),
            )
            .where(DistributionChannel.school_id.in_([s.id for s in schools]))
            .group_by(DistributionChannel.school_id)
        )
    }
    return [SchoolListing(s, *counts.get(s.id, (0, 0))) for s in schools], total


def find_school(number: str) -> School | None:
    """The school with this number, written with or without its slash."""
    return db.session.scalar(sa.select(School).where(School.number == number.replace("/", "")))


# Changing the register -------------------------------------------------------------------------


NUMBER_HELD = _l("number is already held by another school")


def _number_taken(number: str, school: School | None) -> bool:
    held = find_school(number)
    return held is not None and held is not school


@contextmanager
def _number_checked_on_write(number: str, school_id: int | None) -> Iterator[None]:
    """Make the changes in the block and write the school's row. Its number was checked free
    before, but another request can take it in between; the unique index then refuses the row,
    and the officer is told so on the field, as when the check catches it, with nothing
    written."""
    try:
        with db.session.no_autoflush:
            yield
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        held = find_school(number)
        if held is None or held.id == school_id:
            raise  # not the number after all
        raise SchoolProblems([("number", str(NUMBER_HELD))]) from None


def add_school(values: dict[str, Any], by: User | None) -> School:
    """A new open school; SchoolProblems if its number is already held."""
    if _number_taken(values["number"], None):
        raise SchoolProblems([("number", str(NUMBER_HELD))])
    school = School(**values)
    with _number_checked_on_write(school.number, None):
        db.session.add(school)
    add_audit_entry(by, "added a school", audit_subject(school), school.name)
    db.session.commit()
    return school


def _changes(school: School, values: dict[str, Any]) -> list[str]:
    """What changed, as the audit log records it: in English."""

    def shown(value: Any) -> str:
        return str(value.label if hasattr(value, "label") else value) or "(empty)"

    with force_locale(ENGLISH):
        return [
            f"{name}: {shown(getattr(school, name))} to {shown(value)}"  # kept in English
            for name, value in values.items()
            if getattr(school, name) != value
        ]


def apply_changes(school: School, values: dict[str, Any]) -> list[str]:
    """Set the new values (the caller audits and commits); what changed, in words. A renamed
    school's links take its new name, since its letters thank parents in the school's name."""
    changes = _changes(school, values)
    for name, value in values.items():
        setattr(school, name, value)
    if "name" in values:
        for channel in school.channels:
            channel.name = school.name
    return changes


def change_school(school: School, values: dict[str, Any], by: User | None) -> list[str]:
    """Save the changed details; SchoolProblems if the new number is another school's."""
    if _number_taken(values["number"], school):
        raise SchoolProblems([("number", str(NUMBER_HELD))])
    with _number_checked_on_write(values["number"], school.id):
        changes = apply_changes(school, values)
    if changes:
        add_audit_entry(by, "changed a school", audit_subject(school), "; ".join(changes))
    db.session.commit()
    return changes


@dataclass
class ClosingEffects:
    """What closing a school does, said on the confirmation page and then done."""

    links_on: list[DistributionChannel]
    accounts_on: list[User]


def closing_effects(school: School) -> ClosingEffects:
    return ClosingEffects(
        links_on=[c for c in school.channels if c.active],
        accounts_on=list(
            db.session.scalars(
                sa.select(User)
                .where(User.school_id == school.id, User.disabled.is_(False))
                .order_by(User.email)
            )
        ),
    )


def close_school(school: School, by: User | None) -> ClosingEffects:
    """Close the school in one transaction: its links switched off (they lead nowhere), its
    staff accounts disabled and signed out. Responses already made through its links stay and
    still count in results."""
    effects = closing_effects(school)
    school.closed_at = utcnow()
    for channel in effects.links_on:
        channel.active = False
    for user in effects.accounts_on:
        disable_account(user)
        add_audit_entry(by, "disabled account", f"user:{user.email}", "its school was closed")
    links, accounts = len(effects.links_on), len(effects.accounts_on)
    add_audit_entry(
        by,
        "closed a school",
        audit_subject(school),
        f"{links} {'link' if links == 1 else 'links'} switched off, "
        f"{accounts} {'account' if accounts == 1 else 'accounts'} disabled",
    )
    db.session.commit()
    return effects


def reopen_school(school: School, by: User | None) -> None:
    """Open a closed school again. Its links and accounts stay off until switched back on one
    by one, so nothing reappears that nobody chose."""
    school.closed_at = None
    add_audit_entry(by, "reopened a school", audit_subject(school))
    db.session.commit()
