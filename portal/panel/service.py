"""The panel register: importing, adding, changing and removing members, leaving, auditing.

Every member added, changed or leaving is written to the audit log in the same transaction as
the change, with who did it (an officer, the import command, the member by their leave link)
and which details changed, never the details themselves: the entry names the member by their
reference (`audit_subject`).
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Any, TextIO

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.areas.districts import DISTRICT_LABELS, District
from portal.audit import add_audit_entry
from portal.csv_import import CsvFileError, ImportReport, checked_rows, lookup_key
from portal.extensions import db
from portal.i18n import ENGLISH
from portal.panel.models import (
    AGE_BAND_LABELS,
    AgeBand,
    GroupKind,
    MemberStatus,
    PanelGroup,
    PanelMember,
)

REQUIRED_COLUMNS = ("reference", "name", "consent_date", "consent_wording")
OPTIONAL_COLUMNS = (
    "email",
    "address",
    "postcode",
    "district",
    "age_band",
    "gender",
    "ethnicity",
    "disability",
    "groups",
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/-]{0,29}$")
MEMBERS_PER_PAGE = 50
# Who the audit log says acted when a member leaves through the link in their invitation.
LEAVE_LINK = "the member (leave link)"
# How the audit log names the details of a member, in the order they are listed.
DETAIL_NAMES = {
    "reference": "reference",
    "name": "name",
    "email": "email",
    "address": "address",
    "postcode": "postcode",
    "district": "district",
    "age_band": "age band",
    "gender": "gender",
    "ethnicity": "ethnicity",
    "disability": "disability",
    "consent_given_on": "consent date",
    "consent_wording": "consent wording",
    "groups": "groups",
}


PanelFileError = CsvFileError


class MemberError(ValueError):
    """Why a member's details cannot be saved, in words fit to show, and which detail."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


_DISTRICTS = {lookup_key(label): d for d, label in DISTRICT_LABELS.items()} | {
    d.value: d for d in District
}
# A file names age bands in English, like its columns, whatever language the page is in.
with force_locale(ENGLISH):
    _AGE_BAND_WORDS = {band: str(label) for band, label in AGE_BAND_LABELS.items()}
_AGE_BANDS = {lookup_key(words): band for band, words in _AGE_BAND_WORDS.items()} | {
    band.value: band for band in AgeBand
}
_YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


def _group_kind(name: str) -> GroupKind:
    lowered = name.lower()
    if "bus user" in lowered:
        return GroupKind.BUS_USER_GROUP
    if "older people" in lowered:
        return GroupKind.OLDER_PEOPLES_FORUM
    if "panel" in lowered:
        return GroupKind.PANEL
    return GroupKind.OTHER


def _parse_date(text: str) -> date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise MemberError(
        _(
            "consent date %(value)s is not a date like 2006-01-31 or 31/01/2006",
            value=repr(text),
        ),
        "consent_date",
    )


def clean_member(values: dict[str, Any]) -> dict[str, Any]:
    """Check and tidy one member's details (from a CSV row or a form); MemberError if wrong."""

    def text(name: str, limit: int) -> str | None:
        value = (values.get(name) or "").strip()
        if len(value) > limit:
            raise MemberError(
                ngettext(
                    "%(detail)s is longer than %(num)s character",
                    "%(detail)s is longer than %(num)s characters",
                    limit,
                    detail=name.replace("_", " "),
                ),
                name,
            )
        return value or None

    reference = text("reference", 30)
    if not reference or not REFERENCE.match(reference):
        raise MemberError(
            _("reference %(value)s is not like WP-00123", value=repr(values.get("reference"))),
            "reference",
        )
    name = text("name", 200)
    if not name:
        raise MemberError(_("name is empty"), "name")
    email = text("email", 254)
    if email:
        email = email.lower()
        if not EMAIL.match(email):
            raise MemberError(
                _("email %(value)s is not an email address", value=repr(email)), "email"
            )
    address = text("address", 1000)
    if not email and not address:
        raise MemberError(_("give an email address or a postal address, or both"), "email")
    postcode = text("postcode", 10)
    if postcode:
        postcode = postcode.upper()
        if not POSTCODE.match(postcode):
            raise MemberError(
                _("postcode %(value)s is not a UK postcode", value=repr(postcode)), "postcode"
            )
    district = None
    if text("district", 60):
        district = _DISTRICTS.get(lookup_key(values["district"]))
        if district is None:
            raise MemberError(
                _(
                    "district %(value)s is not one of: %(words)s",
                    value=repr(values["district"]),
                    words=", ".join(DISTRICT_LABELS.values()),
                ),
                "district",
            )
    age_band = None
    if text("age_band", 30):
        age_band = _AGE_BANDS.get(lookup_key(values["age_band"]))
        if age_band is None:
            raise MemberError(
                _(
                    "age band %(value)s is not one of: %(words)s",
                    value=repr(values["age_band"]),
                    words=", ".join(_AGE_BAND_WORDS.values()),
                ),
                "age_band",
            )
    disability = None
    if text("disability", 10):
        disability = _YES_NO.get(values["disability"].strip().lower())
        if disability is None:
            raise MemberError(
                _("disability %(value)s is not yes or no", value=repr(values["disability"])),
                "disability",
            )
    consent_given_on = values.get("consent_date")
    if not isinstance(consent_given_on, date):
        consent_given_on = _parse_date(consent_given_on or "")
    consent_wording = text("consent_wording", 5000)
    if not consent_wording:
        raise MemberError(_("the consent wording is empty"), "consent_wording")
    groups = [g.strip() for g in (values.get("groups") or "").split(";") if g.strip()]
    if any(len(g) > 120 for g in groups):
        raise MemberError(_("a group name is longer than 120 characters"), "groups")
    return {
        "reference": reference,
        "name": name,
        "email": email,
        "address": address,
        "postcode": postcode,
        "district": district,
        "age_band": age_band,
        "gender": text("gender", 40),
        "ethnicity": text("ethnicity", 80),
        "disability": disability,
        "consent_given_on": consent_given_on,
        "consent_wording": consent_wording,
        "groups": groups,
    }


def _groups_named(names: list[str]) -> list[PanelGroup]:
    found = {g.name: g for g in db.session.scalars(sa.select(PanelGroup))}
    groups = []
    for name in names:
        group = found.get(name)
        if group is None:
            group = PanelGroup(name=name, kind=_group_kind(name))
            db.session.add(group)
            found[name] = group
        groups.append(group)
    return groups


def _changed(member: PanelMember, values: dict[str, Any]) -> list[str]:
    """The names of the details `values` would change (for the audit log: names only)."""
    changed = [
        label
        for name, label in DETAIL_NAMES.items()
        if name != "groups" and getattr(member, name) != values[name]
    ]
    if sorted(group.name for group in member.groups) != sorted(values["groups"]):
        changed.append(DETAIL_NAMES["groups"])
    return changed


def _apply(member: PanelMember, values: dict[str, Any], by: Any) -> None:
    """Set the member's details and audit it, in the caller's transaction: "added" for a new
    member; "changed" with the names of the details changed, or nothing when none did."""
    changed = _changed(member, values) if member.id is not None else None
    was = member.reference
    for name, value in values.items():
        if name != "groups":
            setattr(member, name, value)
    member.groups = _groups_named(values["groups"])
    if changed is None:
        add_audit_entry(by, "added", audit_subject(member))
    elif changed:
        # A new reference is a new subject: say which it was, so the two trails join up.
        renamed = f" (the reference was {was})" if was != member.reference else ""
        detail = "Changed: " + ", ".join(changed) + renamed
        add_audit_entry(by, "changed", audit_subject(member), detail)


def import_members(handle: TextIO, skip_invalid: bool = False, by: Any = None) -> ImportReport:
    """Add or update members from a CSV file, each audited as done `by` (the command's name
    when run from the command line)."""
    rows, report = checked_rows(
        handle,
        REQUIRED_COLUMNS,
        clean_member,
        "reference",
        _l("reference %(value)s appears twice in the file"),
    )
    if report.problems and not skip_invalid:
        return report
    existing = {
        m.reference: m
        for m in db.session.scalars(
            sa.select(PanelMember).where(PanelMember.reference.in_(list(rows)))
        )
    }
    for reference, values in rows.items():
        member = existing.get(reference)
        if member is None:
            member = PanelMember(leave_token=secrets.token_urlsafe(32))
            db.session.add(member)
            report.created += 1
        else:
            report.updated += 1
        _apply(member, values, by)
    db.session.commit()
    report.imported = True
    return report


def audit_subject(member: PanelMember) -> str:
    """How the audit log names a member: by reference, never by name."""
    return f"panel_member:{member.reference}"


def find_member(reference: str) -> PanelMember | None:
    return db.session.scalar(sa.select(PanelMember).where(PanelMember.reference == reference))


def save_member(member: PanelMember | None, values: dict[str, Any], by: Any) -> PanelMember:
    """Add a member (member None) or change one, audited as done `by`; the reference must
    stay unique."""
    clash = find_member(values["reference"])
    if clash is not None and clash is not member:
        raise MemberError(
            _("reference %(value)s belongs to another member", value=values["reference"]),
            "reference",
        )
    if member is None:
        member = PanelMember(leave_token=secrets.token_urlsafe(32))
        db.session.add(member)
    _apply(member, values, by)
    db.session.commit()
    return member


def leave(token: str, today: date) -> PanelMember | None:
    """A member leaves through their own link; nothing more is sent to them."""
    member = db.session.scalar(sa.select(PanelMember).where(PanelMember.leave_token == token))
    if member is None:
        return None
    if member.status != MemberStatus.LEFT:
        member.status = MemberStatus.LEFT
        member.left_on = today
        add_audit_entry(LEAVE_LINK, "left the panel", audit_subject(member))
        db.session.commit()
    return member


def members(
    group_id: int | None = None, status: MemberStatus | None = None, page: int = 1
) -> tuple[list[PanelMember], int]:
    statement = sa.select(PanelMember)
    if group_id is not None:
        statement = statement.where(PanelMember.groups.any(PanelGroup.id == group_id))
    if status is not None:
        statement = statement.where(PanelMember.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0
    rows = db.session.scalars(
        statement.order_by(PanelMember.reference)
        .limit(MEMBERS_PER_PAGE)
        .offset((max(page, 1) - 1) * MEMBERS_PER_PAGE)
    ).all()
    return list(rows), total


def groups() -> list[tuple[PanelGroup, int]]:
    """Every group with its number of active members: one GROUP BY."""
    counts = dict(
        db.session.execute(
            sa.select(PanelGroup.id, sa.func.count(PanelMember.id))
            .join(PanelGroup.members)
            .where(PanelMember.status == MemberStatus.ACTIVE)
            .group_by(PanelGroup.id)
        ).all()
    )
    return [
        (group, counts.get(group.id, 0))
        for group in db.session.scalars(sa.select(PanelGroup).order_by(PanelGroup.name))
    ]
