"""UK GDPR duties the portal carries out itself: erasing personal details when a consultation's
retention period ends, and giving a panel member (or erasing) everything held about them.

The anonymous answers stay: they are not personal data once nothing links them to a person,
and the running totals are unchanged. Every erasure is one transaction and is recorded in the
audit log with its counts (never the details erased).
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from portal.audit import AuditEntry, add_audit_entry
from portal.comments.models import QuotableComment
from portal.consultations.models import Consultation, Option, Question
from portal.extensions import db
from portal.feedback import service as feedback
from portal.panel.models import Invitation, PanelMember
from portal.panel.service import audit_subject
from portal.responses.models import Answer, Response, ResponseDraft
from portal.responses.service import format_reference

# What an erased answer reads: the person still answered (so every count stays right), but
# what they wrote is gone.
ERASED = "[erased: personal details past their retention period]"
ERASED_ON_REQUEST = "[erased at the panel member's request]"


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def erase_after(consultation: Consultation) -> date | None:
    if consultation.closes_on is None:
        return None
    return months_after(consultation.closes_on, consultation.retention_months)


@dataclass
class Erasure:
    """What was (or, in a dry run, would be) removed from one consultation."""

    consultation: str
    panel_links: int = 0  # responses no longer linked to a panel member
    invitations: int = 0  # records of who was invited
    personal_answers: int = 0  # answers to questions marked as personal, overwritten
    quotes: int = 0  # officers' redacted copies of those answers
    drafts: int = 0  # saved, sent or unsent answers kept for resuming
    # comments on the service ("What did you think of this service?"): people type what they
    # like, a name or an address included; the ratings stay
    feedback_comments: int = 0

    def summary(self) -> str:
        return ", ".join(
            f"{count} {name.replace('_', ' ')}"
            for name, count in asdict(self).items()
            if name != "consultation"
        )


def due(today: date) -> list[Consultation]:
    """Closed consultations whose retention period has ended and that are not yet erased."""
    candidates = db.session.scalars(
        sa.select(Consultation)
        .where(Consultation.closes_on.is_not(None), Consultation.personal_data_erased_on.is_(None))
        .order_by(Consultation.closes_on)
    )
    return [c for c in candidates if (end := erase_after(c)) is not None and end <= today]


def _personal_answers(*where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """Answers to questions marked personal, not yet erased, narrowed by `where`."""
    return (
        sa.select(Answer.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Question.personal.is_(True),
            Answer.text.is_not(None),
            Answer.text.not_in([ERASED, ERASED_ON_REQUEST]),
            *where,
        )
    )


def _erase_answers(answers: sa.Select[Any], marker: str) -> None:
    """Overwrite the answers' text with `marker` (so every count stays right) and drop the
    officers' quoted copies of them."""
    ids = answers.scalar_subquery()
    db.session.execute(sa.delete(QuotableComment).where(QuotableComment.answer_id.in_(ids)))
    db.session.execute(
        sa.update(Answer)
        .where(Answer.id.in_(ids))
        .values(text=marker)
        .execution_options(synchronize_session=False)
    )


def _count(statement: sa.Select[Any]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0


def erase_personal_data(
    consultation: Consultation, today: date, dry_run: bool = False, by: Any = None
) -> Erasure:
    """Erase one consultation's personal details, in one transaction (or only count them),
    audited as done `by` (the command's name when run from the command line)."""
    cid = consultation.id
    linked = sa.select(Response.id).where(
        Response.consultation_id == cid, Response.invitation_id.is_not(None)
    )
    answers = _personal_answers(Question.consultation_id == cid)
    quotes = sa.select(QuotableComment.answer_id).where(QuotableComment.answer_id.in_(answers))
    erasure = Erasure(
        consultation=consultation.slug,
        panel_links=_count(linked),
        invitations=_count(sa.select(Invitation.id).where(Invitation.consultation_id == cid)),
        personal_answers=_count(answers),
        quotes=_count(quotes),
        drafts=_count(sa.select(ResponseDraft.id).where(ResponseDraft.consultation_id == cid)),
        feedback_comments=_count(feedback.comments_of(cid)),
    )
    if dry_run:
        return erasure
    db.session.execute(
        sa.update(Response)
        .where(Response.consultation_id == cid, Response.invitation_id.is_not(None))
        .values(invitation_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(sa.delete(Invitation).where(Invitation.consultation_id == cid))
    _erase_answers(answers, ERASED)
    db.session.execute(sa.delete(ResponseDraft).where(ResponseDraft.consultation_id == cid))
    feedback.erase_comments(cid)
    consultation.personal_data_erased_on = today
    add_audit_entry(
        by, "erased personal data", f"consultation:{consultation.slug}", erasure.summary()
    )
    db.session.commit()
    return erasure


def apply_retention(today: date, dry_run: bool = False, by: Any = None) -> list[Erasure]:
    return [erase_personal_data(c, today, dry_run, by) for c in due(today)]


# A panel member's rights of access and erasure ------------------------------------------------


def _member_responses(member: PanelMember) -> list[tuple[Invitation, Response | None]]:
    rows = db.session.execute(
        sa.select(Invitation, Response)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.member_id == member.id)
        .order_by(Invitation.created_at)
    )
    return [(invitation, response) for invitation, response in rows]


def _answers_of(response: Response) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Question.text, Option.label, Answer.text, Answer.number, Answer.rank)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Option, Option.id == Answer.option_id)
        .where(Answer.response_id == response.id)
        .order_by(Question.position, Answer.id)
    )
    return [
        {"question": question, "answer": label or text or _plain(number)}
        | ({"rank": rank} if rank else {})
        for question, label, text, number, rank in rows
    ]


def _plain(value: Any) -> str | None:
    return None if value is None else str(value)


def member_record(member: PanelMember) -> dict[str, Any]:
    """Everything the portal holds about a panel member, for a subject access request."""
    invitations = []
    for invitation, response in _member_responses(member):
        consultation = db.session.get(Consultation, invitation.consultation_id)
        entry: dict[str, Any] = {
            "consultation": consultation.title if consultation else None,
            "invited": invitation.created_at.isoformat(),
            "sent": invitation.sent_at.isoformat() if invitation.sent_at else None,
            "reminders_sent": invitation.reminders_sent,
            "responded": invitation.responded_at.isoformat() if invitation.responded_at else None,
            "withdrawn": invitation.withdrawn_at.isoformat() if invitation.withdrawn_at else None,
        }
        if response is not None:
            entry["response"] = {
                "reference": format_reference(response.reference),
                "sent": response.submitted_at.isoformat(),
                "answers": _answers_of(response),
            }
        elif invitation.withdrawn_at:
            entry["response"] = "withdrawn and erased"
        elif invitation.responded_at:
            entry["response"] = "kept without a link to you (only your district and age band)"
        invitations.append(entry)
    views = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.subject == audit_subject(member))
        .order_by(AuditEntry.id)
    )
    return {
        "reference": member.reference,
        "name": member.name,
        "email": member.email,
        "address": member.address,
        "postcode": member.postcode,
        "district": member.district.value if member.district else None,
        "age_band": member.age_band.value if member.age_band else None,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "disability": member.disability,
        "consent_given_on": member.consent_given_on.isoformat(),
        "consent_wording": member.consent_wording,
        "status": member.status.value,
        "left_on": member.left_on.isoformat() if member.left_on else None,
        "joined_register": member.created_at.isoformat() if member.created_at else None,
        "groups": sorted(group.name for group in member.groups),
        "invitations": invitations,
        "who_looked_at_or_changed_the_record": [
            {"when": e.at.isoformat(), "who": e.user_email, "what": e.action} for e in views
        ],
    }


@dataclass
class MemberErasure:
    reference: str
    invitations: int
    responses_unlinked: int
    personal_answers: int


def member_erasure_counts(member: PanelMember) -> MemberErasure:
    """What erase_member would remove, counted without changing anything: for the page that
    asks an officer to confirm."""
    response_ids = [response.id for _, response in _member_responses(member) if response]
    personal = _count(_personal_answers(Answer.response_id.in_(response_ids)))
    invitations = _count(sa.select(Invitation.id).where(Invitation.member_id == member.id))
    return MemberErasure(member.reference, invitations, len(response_ids), personal)


def erase_member(member: PanelMember, by: Any = None) -> MemberErasure:
    """Erase a member at their request, in one transaction: their record, groups and
    invitations go; responses linked to them are kept anonymously (the link removed and their
    answers to personal questions erased), so the results they took part in still add up."""
    pairs = _member_responses(member)
    response_ids = [response.id for _, response in pairs if response is not None]
    personal = _personal_answers(Answer.response_id.in_(response_ids))
    erased_answers = _count(personal) if response_ids else 0
    if response_ids:
        _erase_answers(personal, ERASED_ON_REQUEST)
        db.session.execute(
            sa.update(Response)
            .where(Response.id.in_(response_ids))
            .values(invitation_id=None)
            .execution_options(synchronize_session=False)
        )
    result = MemberErasure(member.reference, len(pairs), len(response_ids), erased_answers)
    db.session.execute(sa.delete(Invitation).where(Invitation.member_id == member.id))
    db.session.delete(member)
    add_audit_entry(
        by,
        "erased panel member",
        audit_subject(member),
        f"{result.invitations} invitations, {result.responses_unlinked} responses unlinked, "
        f"{result.personal_answers} personal answers erased",
    )
    db.session.commit()
    return result
