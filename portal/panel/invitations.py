"""Inviting panel members to a consultation, and reminding those who have not answered.

Rules held here:
- a member is invited to a consultation at most once, with a single-use personal link;
- an email is never sent twice: each send is marked as started (and committed) before it goes
  and as done after, so a run that stops half-way resumes with the rest; a member whose email
  may or may not have gone is reported, not sent again;
- members without email get a printed letter with the same code;
- reminders go only to members who were invited, have not answered and have not left, and at
  most `max_reminders` times each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _

from portal.codes import random_code
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.mail import MailUnavailable, send_email
from portal.panel.models import Invitation, MemberStatus, PanelGroup, PanelMember
from portal.site_links import site_url_for

CODE_LENGTH = 10


@dataclass
class SendReport:
    sent: int = 0
    failed: list[str] = field(default_factory=list)  # member references
    uncertain: list[str] = field(default_factory=list)  # started earlier, never confirmed


@dataclass(frozen=True)
class InvitationCounts:
    invited: int
    by_email: int
    sent: int
    by_letter: int
    responded: int
    reminded: int


def _new_code() -> str:
    return random_code(CODE_LENGTH)


def invite(consultation: Consultation, group: PanelGroup | None, now: datetime) -> int:
    """Invite every active member of the group (or of every group, and none) not yet invited."""
    already = sa.select(Invitation.member_id).where(Invitation.consultation_id == consultation.id)
    statement = sa.select(PanelMember.id).where(
        PanelMember.status == MemberStatus.ACTIVE, PanelMember.id.not_in(already)
    )
    if group is not None:
        statement = statement.where(PanelMember.groups.any(PanelGroup.id == group.id))
    member_ids = list(db.session.scalars(statement))
    for member_id in member_ids:
        db.session.add(
            Invitation(
                consultation_id=consultation.id,
                member_id=member_id,
                code=_new_code(),
                created_at=now,
            )
        )
    db.session.commit()
    return len(member_ids)


def invitation_link(invitation: Invitation) -> str:
    return site_url_for("public.invitation_link", code=invitation.code)


def leave_link(member: PanelMember) -> str:
    return site_url_for("public.leave_panel", token=member.leave_token)


def _email(invitation: Invitation, consultation: Consultation, reminder: bool) -> tuple[str, str]:
    subject = (
        _("Reminder: %(title)s", title=consultation.title)
        if reminder
        else _("Your invitation: %(title)s", title=consultation.title)
    )
    body = render_template(
        "panel/invitation-email.txt",
        consultation=consultation,
        member=invitation.member,
        link=invitation_link(invitation),
        leave=leave_link(invitation.member),
        reminder=reminder,
    )
    return subject, body


def _deliver(
    invitation: Invitation, consultation: Consultation, now: datetime, reminder: bool
) -> bool:
    """Mark, send, confirm: committed around the send so that nothing goes twice."""
    if reminder:
        invitation.reminder_started_at = now
    else:
        invitation.send_started_at = now
    db.session.commit()
    subject, body = _email(invitation, consultation, reminder)
    try:
        send_email(invitation.member.email or "", subject, body)
    except MailUnavailable:
        # Known not sent: clear the mark so the next run tries again.
        if reminder:
            invitation.reminder_started_at = None
        else:
            invitation.send_started_at = None
        db.session.commit()
        return False
    if reminder:
        invitation.reminders_sent += 1
        invitation.last_reminded_at = now
        invitation.reminder_started_at = None
    else:
        invitation.sent_at = now
    db.session.commit()
    return True


def _invitations(consultation: Consultation) -> sa.Select[Any]:
    return (
        sa.select(Invitation)
        .join(PanelMember)
        .where(Invitation.consultation_id == consultation.id)
        .order_by(Invitation.id)
    )


def _send_each(
    invitations: list[Invitation], consultation: Consultation, now: datetime, reminder: bool
) -> SendReport:
    report = SendReport()
    for invitation in invitations:
        started = invitation.reminder_started_at if reminder else invitation.send_started_at
        if started is not None:
            report.uncertain.append(invitation.member.reference)
        elif _deliver(invitation, consultation, now, reminder):
            report.sent += 1
        else:
            report.failed.append(invitation.member.reference)
    return report


def send_invitations(consultation: Consultation, now: datetime) -> SendReport:
    """Email every invitation not yet sent, to active members with an email address."""
    pending = db.session.scalars(
        _invitations(consultation).where(
            Invitation.sent_at.is_(None),
            PanelMember.email.is_not(None),
            PanelMember.status == MemberStatus.ACTIVE,
        )
    ).all()
    return _send_each(list(pending), consultation, now, reminder=False)


def send_reminders(consultation: Consultation, now: datetime, max_reminders: int) -> SendReport:
    """Remind those emailed who have not answered or left, up to `max_reminders` each."""
    due = db.session.scalars(
        _invitations(consultation).where(
            Invitation.sent_at.is_not(None),
            Invitation.responded_at.is_(None),
            Invitation.reminders_sent < max_reminders,
            PanelMember.status == MemberStatus.ACTIVE,
        )
    ).all()
    return _send_each(list(due), consultation, now, reminder=True)


def letters(consultation: Consultation) -> list[Invitation]:
    """Invitations to active members who have no email address: they get a printed letter."""
    return list(
        db.session.scalars(
            _invitations(consultation).where(
                PanelMember.email.is_(None), PanelMember.status == MemberStatus.ACTIVE
            )
        )
    )


def counts(consultation: Consultation) -> InvitationCounts:
    """Every figure in one GROUP-free aggregate query."""
    row = db.session.execute(
        sa.select(
            sa.func.count(Invitation.id),
            sa.func.count(PanelMember.email),
            sa.func.count(Invitation.sent_at),
            sa.func.count(Invitation.id).filter(PanelMember.email.is_(None)),
            sa.func.count(Invitation.counted_response()),
            sa.func.count(Invitation.id).filter(Invitation.reminders_sent > 0),
        )
        .join(PanelMember)
        .where(Invitation.consultation_id == consultation.id)
    ).one()
    return InvitationCounts(*row)


def find(code: str) -> Invitation | None:
    if len(code) > 16:
        return None
    return db.session.scalar(sa.select(Invitation).where(Invitation.code == code.upper()))


class CodeRefused(ValueError):
    """Why a panel member's code quoted on paper or by telephone cannot be used, in words fit
    to show the officer keying the response in."""


def normalise_code(text: str) -> str:
    """A code as read out or copied from a letter: any case, spaces and hyphens ignored."""
    return "".join(character for character in text if character not in " -\t").upper()


def invitation_for_code(consultation: Consultation, text: str) -> Invitation:
    """The unused invitation of an active member to `consultation` that `text` is the code of,
    for a response keyed in on their behalf; CodeRefused says why not. The invitation is used up
    only when the response is stored (responses.storing claims it in the same transaction),
    so two officers keying in the same code cannot both count it."""
    code = normalise_code(text)
    invitation = find(code) if code else None
    if invitation is None or invitation.consultation_id != consultation.id:
        if invitation is not None:
            raise CodeRefused(
                _(
                    "The code %(code)s is for another consultation, not this one: check the "
                    "letter the panel member is quoting from",
                    code=code,
                )
            )
        raise CodeRefused(
            _(
                "No panel member was invited with the code %(code)s: check it against the letter",
                code=code,
            )
        )
    if invitation.withdrawn_at is not None:
        raise CodeRefused(
            _(
                "The panel member with the code %(code)s had a response to this consultation "
                "withdrawn, so the code cannot be used again: enter the response without a code",
                code=code,
            )
        )
    if invitation.responded_at is not None:
        raise CodeRefused(
            _(
                "The panel member with the code %(code)s has already responded to this "
                "consultation: to keep this response too, enter it without a code (it will then "
                "not count in the panel's response rates)",
                code=code,
            )
        )
    if invitation.member.status == MemberStatus.LEFT:
        raise CodeRefused(
            _(
                "The panel member with the code %(code)s has left the panel: enter the response "
                "without a code",
                code=code,
            )
        )
    return invitation


def withdraw_response(response_id: int, now: datetime) -> None:
    """Mark the invitation that brought the response (if its link to the member is kept) as
    withdrawn, in the caller's transaction: no longer counted as responded, still spent."""
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.response_id == response_id)
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )


def has_invitations(consultation: Consultation) -> bool:
    """Whether any panel member was invited to the consultation (so may quote a code)."""
    return (
        db.session.scalar(
            sa.select(Invitation.id).where(Invitation.consultation_id == consultation.id).limit(1)
        )
        is not None
    )
