"""Submitted responses, their answers, and the server-side drafts of responses in progress.

Nothing here records who the respondent is: no IP address, no user agent, no account.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from portal.consultations.models import Consultation, ConsultationSnapshot
from portal.extensions import db, enum_column


class ResponseChannel(enum.StrEnum):
    """How a response reached the council. Paper and phone ones are keyed in by an officer."""

    ONLINE = "online"
    PAPER = "paper"
    PHONE = "phone"

    @property
    def label(self) -> str:
        """As exports and officers' pages give it."""
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    ResponseChannel.ONLINE: _l("Online"),
    ResponseChannel.PAPER: _l("Paper form"),
    ResponseChannel.PHONE: _l("Telephone"),
}


class Response(db.Model):  # type: ignore[name-defined]
    __table_args__ = (
        # Panel members' responses are few among many: weighting reads them through this
        # partial index instead of every response of the consultation.
        sa.Index(
            "ix_response_weighting_cell",
            "consultation_id",
            "profile_district",
            "profile_age_band",
            postgresql_where=sa.text(
                "profile_district IS NOT NULL AND profile_age_band IS NOT NULL"
            ),
            sqlite_where=sa.text("profile_district IS NOT NULL AND profile_age_band IS NOT NULL"),
        ),
        # Ids are never handed out twice, even after the highest is erased: the results index
        # counts ranges of ids, audit entries and exports name them (migration 0027).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation.id"), index=True)
    snapshot_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation_snapshot.id"))
    # Quoted by the respondent if they contact the council (responses.service.new_reference).
    reference: Mapped[str] = mapped_column(sa.String(12), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[ResponseChannel] = mapped_column(
        enum_column(ResponseChannel, 10), default=ResponseChannel.ONLINE, server_default="online"
    )
    # The officer who keyed in a paper or telephone response; never set for online ones.
    entered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The link (a school's, a library's...) the respondent arrived by, if any.
    distribution_channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("distribution_channel.id"), index=True
    )
    # The panel invitation (and so the member's record) it answers: kept only when the
    # consultation links responses to members (Consultation.panel_link).
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitation.id", ondelete="SET NULL", use_alter=True), index=True
    )
    # A panel member's weighting cell, copied when they respond: enough to weight the results
    # without knowing who answered.
    profile_district: Mapped[str | None] = mapped_column(sa.String(30))
    profile_age_band: Mapped[str | None] = mapped_column(sa.String(10))
    # Sent through a panel invitation, whether or not the link to the member is kept: lets
    # officers look at panel members' answers apart from everyone else's.
    panel_invited: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The language the respondent answered in (portal/i18n.py). Answers are stored by option,
    # whatever the language, so every language counts together; this says which one it was.
    language: Mapped[str] = mapped_column(sa.String(10), default="en", server_default="en")

    consultation: Mapped[Consultation] = relationship()
    snapshot: Mapped[ConsultationSnapshot] = relationship()
    answers: WriteOnlyMapped[Answer] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


# The panel groups (Bus User group, Older People's forum...) an invited member belonged to
# when they responded, copied like the weighting cell so results can be filtered by group
# without keeping who answered.
response_group = sa.Table(
    "response_group",
    db.metadata,
    sa.Column("response_id", sa.ForeignKey("response.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "group_id",
        sa.ForeignKey("panel_group.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Answer(db.Model):  # type: ignore[name-defined]
    """One chosen option (a multiple choice gives one row per option), or a piece of free text."""

    __table_args__ = (
        # Both indexes cover the columns counted, so filtered results are answered from the
        # indexes alone: which responses chose an option, and what each response answered.
        sa.Index("ix_answer_question_option_response", "question_id", "option_id", "response_id"),
        sa.Index("ix_answer_response_question_option", "response_id", "question_id", "option_id"),
        # Typed answers (comments, "Other"), newest first, without sorting every one of them.
        sa.Index(
            "ix_answer_typed",
            "question_id",
            "id",
            postgresql_where=sa.text("option_id IS NULL"),
            sqlite_where=sa.text("option_id IS NULL"),
        ),
        sa.CheckConstraint(
            "option_id IS NOT NULL OR text IS NOT NULL OR number IS NOT NULL", name="has_content"
        ),
        # Audit entries name typed answers by id: never handed out twice (migration 0027).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"))
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("option.id"))
    # Free text, or the words typed into "Other, please specify", exactly as typed; a date
    # answer as YYYY-MM-DD.
    text: Mapped[str | None] = mapped_column(sa.Text)
    number: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    # Matrix answers: the statement (row) that the chosen option answers.
    statement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("option.id"))
    # Ranking answers: 1 for the option ranked first.
    rank: Mapped[int | None]

    response: Mapped[Response] = relationship(back_populates="answers")


class ResponseDraft(db.Model):  # type: ignore[name-defined]
    """Answers kept on the server between pages, so Back and Change lose nothing.

    The browser holds only the random token (in the signed session cookie); the answers never
    travel in hidden fields or browser storage, which matters on shared family computers.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # Paper and telephone responses keyed in by an officer carry their channel and the officer
    # from the draft to the response.
    channel: Mapped[ResponseChannel] = mapped_column(
        enum_column(ResponseChannel, 10), default=ResponseChannel.ONLINE, server_default="online"
    )
    entered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    distribution_channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("distribution_channel.id")
    )
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitation.id", ondelete="CASCADE")
    )
    # Save and come back later: the SHA-256 of the resume code the respondent was given. The
    # code itself is shown once and never stored.
    resume_code_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Set, in the same transaction as the response is stored, when the draft is submitted:
    # a second submission of the same draft finds it set and stores nothing.
    response_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("response.id", ondelete="SET NULL")
    )

    consultation: Mapped[Consultation] = relationship()
    response: Mapped[Response | None] = relationship()


@dataclass
class ReadOnlyDraft:
    """A draft as the requests that only read it see it (a question page shown, check answers,
    sending the response): its columns read without the ORM. Loading the draft as an object,
    only to read it, took about a tenth of a submission's CPU (bench/results.md); saving a
    page of answers, which changes the draft, loads one."""

    id: int
    answers: dict[str, Any]
    response_id: int | None
    channel: ResponseChannel
    entered_by_id: int | None
    distribution_channel_id: int | None
    invitation_id: int | None


# The columns of ReadOnlyDraft, in its order, as a query selects them.
READ_ONLY_DRAFT_COLUMNS = tuple(
    ResponseDraft.__table__.c[field.name] for field in fields(ReadOnlyDraft)
)
