"""The Warwickshire Panel and user groups: members, their groups, and who looked at them.

Members' personal details are seen only by officers, and every view of a member's record is
written to the audit log.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.areas.districts import District
from portal.extensions import db, enum_column


class AgeBand(enum.StrEnum):
    """The bands the liveability survey asks about, so panel and respondents compare."""

    UNDER_25 = "under_25"
    FROM_25_TO_44 = "25_44"
    FROM_45_TO_64 = "45_64"
    FROM_65_TO_74 = "65_74"
    OVER_75 = "75_plus"

    @property
    def label(self) -> str:
        return str(AGE_BAND_LABELS[self])


AGE_BAND_LABELS = {
    AgeBand.UNDER_25: _l("Under 25"),
    AgeBand.FROM_25_TO_44: _l("25 to 44"),
    AgeBand.FROM_45_TO_64: _l("45 to 64"),
    AgeBand.FROM_65_TO_74: _l("65 to 74"),
    AgeBand.OVER_75: _l("75 or over"),
}


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class GroupKind(enum.StrEnum):
    PANEL = "panel"
    BUS_USER_GROUP = "bus_user_group"
    OLDER_PEOPLES_FORUM = "older_peoples_forum"
    OTHER = "other"


panel_membership = sa.Table(
    "panel_membership",
    db.metadata,
    sa.Column("member_id", sa.ForeignKey("panel_member.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("panel_group.id", ondelete="CASCADE"), primary_key=True),
)


class PanelGroup(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[GroupKind] = mapped_column(enum_column(GroupKind, 30), default=GroupKind.OTHER)

    members: Mapped[list[PanelMember]] = relationship(
        secondary=panel_membership, back_populates="groups"
    )


class PanelMember(db.Model):  # type: ignore[name-defined]
    __table_args__ = (
        sa.CheckConstraint("email IS NOT NULL OR address IS NOT NULL", name="reachable"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The council's own reference, as on its panel records.
    reference: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    address: Mapped[str | None] = mapped_column(sa.Text)
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    district: Mapped[District | None] = mapped_column(enum_column(District, 30), index=True)
    age_band: Mapped[AgeBand | None] = mapped_column(enum_column(AgeBand, 10), index=True)
    gender: Mapped[str | None] = mapped_column(sa.String(40))
    ethnicity: Mapped[str | None] = mapped_column(sa.String(80))
    disability: Mapped[bool | None]
    consent_given_on: Mapped[date]
    consent_wording: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus, 10), default=MemberStatus.ACTIVE, index=True
    )
    left_on: Mapped[date | None]
    # In every invitation: the member's own link to leave the panel. Random, never shown to
    # anyone else.
    leave_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    groups: Mapped[list[PanelGroup]] = relationship(
        secondary=panel_membership, back_populates="members", order_by=PanelGroup.name
    )


class Invitation(db.Model):  # type: ignore[name-defined]
    """One member invited to one consultation, with a single-use personal link.

    Sending marks `send_started_at` and commits before the email goes, and `sent_at` after:
    an interrupted run resumes without sending twice (a member whose email may or may not have
    gone is reported, never sent again automatically). Reminders work the same way.
    """

    __table_args__ = (sa.UniqueConstraint("consultation_id", "member_id", name="once_each"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation.id"), index=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("panel_member.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    created_at: Mapped[datetime]
    send_started_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    reminder_started_at: Mapped[datetime | None]
    last_reminded_at: Mapped[datetime | None]
    # Set in the same transaction as the response it brought: the link then works no more.
    response_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("response.id", ondelete="SET NULL"), unique=True
    )
    responded_at: Mapped[datetime | None]
    # The response it brought was withdrawn (the member asked, or it was a duplicate or a
    # test). responded_at stays set, so the code is still spent: it cannot be used again
    # without anyone noticing, and the member is not reminded to answer. The response rates
    # count only `counted_response`.
    withdrawn_at: Mapped[datetime | None]

    member: Mapped[PanelMember] = relationship()

    @classmethod
    def counted_response(cls) -> sa.ColumnElement[datetime | None]:
        """When the member responded, or NULL if they have not or their response was
        withdrawn: what response rates count."""
        return sa.case((cls.withdrawn_at.is_(None), cls.responded_at))
