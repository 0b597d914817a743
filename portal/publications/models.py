"""A consultation's published results: what an officer chose to show, and when it went public."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.consultations.models import Consultation, Question
from portal.extensions import db
from portal.strategy.models import Outcome

# The questions whose summaries (or approved quotes) the published page shows.
published_question = sa.Table(
    "published_question",
    db.metadata,
    sa.Column(
        "publication_id", sa.ForeignKey("publication.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("question_id", sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
)


class Publication(db.Model):  # type: ignore[name-defined]
    """Drafted while the consultation runs or after; public only while `published_at` is set."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), unique=True
    )
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_by_email: Mapped[str | None] = mapped_column(sa.String(254))
    updated_at: Mapped[datetime]

    consultation: Mapped[Consultation] = relationship()
    questions: Mapped[list[Question]] = relationship(secondary=published_question)
    actions: Mapped[list[PublishedAction]] = relationship(
        back_populates="publication",
        order_by="PublishedAction.position",
        cascade="all, delete-orphan",
    )


class PublishedAction(db.Model):  # type: ignore[name-defined]
    """One "you said, we did": what respondents said, and what the council did about it, under
    the strategy outcome it serves."""

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        sa.ForeignKey("publication.id", ondelete="CASCADE"), index=True
    )
    outcome_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcome.id"))
    you_said: Mapped[str] = mapped_column(sa.Text)
    we_did: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int]

    publication: Mapped[Publication] = relationship(back_populates="actions")
    outcome: Mapped[Outcome | None] = relationship()
