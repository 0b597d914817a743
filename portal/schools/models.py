"""Schools, and the distribution channels (links) through which consultations reach people.

A channel belongs to one consultation and either to one school or to another outlet (a
library, a newspaper, a user group). A response that starts from a channel's link records the
channel, so a school can see how many of its parents answered without seeing any answer.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.areas.districts import DISTRICT_LABELS as DISTRICT_LABELS
from portal.areas.districts import District as District
from portal.consultations.models import Consultation
from portal.extensions import db, enum_column


class Phase(enum.StrEnum):
    NURSERY = "nursery"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    ALL_THROUGH = "all_through"
    SPECIAL = "special"
    ALTERNATIVE = "alternative"  # pupil referral units and other alternative provision

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self])


class OutletKind(enum.StrEnum):
    SCHOOL = "school"
    LIBRARY = "library"
    NEWSPAPER = "newspaper"
    USER_GROUP = "user_group"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(OUTLET_KIND_LABELS[self])


# Lazy, so a form's choices built once at import still speak the request's language.
PHASE_LABELS = {
    Phase.NURSERY: _l("Nursery"),
    Phase.PRIMARY: _l("Primary"),
    Phase.SECONDARY: _l("Secondary"),
    Phase.ALL_THROUGH: _l("All-through"),
    Phase.SPECIAL: _l("Special"),
    Phase.ALTERNATIVE: _l("Alternative"),
}
OUTLET_KIND_LABELS = {
    OutletKind.SCHOOL: _l("School"),
    OutletKind.LIBRARY: _l("Library"),
    OutletKind.NEWSPAPER: _l("Newspaper"),
    OutletKind.USER_GROUP: _l("User group"),
    OutletKind.OTHER: _l("Other"),
}


class School(db.Model):  # type: ignore[name-defined]
    __table_args__ = (sa.CheckConstraint("pupils >= 0", name="pupils_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The official establishment number (local authority number and school number).
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, 20))
    district: Mapped[District] = mapped_column(enum_column(District, 30), index=True)
    pupils: Mapped[int]
    # The town or village, for finding a school whose name does not say where it is.
    town: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    # A closed school keeps its row, so responses through its links still count; it gets no
    # new links, and closing it switched its links and staff accounts off.
    closed_at: Mapped[datetime | None]

    channels: Mapped[list[DistributionChannel]] = relationship(back_populates="school")

    @property
    def shown_number(self) -> str:
        """The number as the DfE writes it: "937/2031" (local authority / establishment)."""
        if len(self.number) == 7:
            return f"{self.number[:3]}/{self.number[3:]}"
        return self.number

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def __repr__(self) -> str:
        return f"<School {self.number} {self.name}>"


class DistributionChannel(db.Model):  # type: ignore[name-defined]
    __table_args__ = (sa.UniqueConstraint("consultation_id", "school_id", name="one_per_school"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    kind: Mapped[OutletKind] = mapped_column(enum_column(OutletKind, 20))
    # For outlets that are not schools: "Rugby Library", "Leamington Courier".
    name: Mapped[str] = mapped_column(sa.String(200))
    # In the link /c/<code>: random, from an alphabet with no look-alikes.
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    consultation: Mapped[Consultation] = relationship()
    school: Mapped[School | None] = relationship(back_populates="channels")
