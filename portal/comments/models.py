"""Themes officers code comments with, and comments made quotable (redacted) for the public.

A "comment" is a free-text Answer row (a long or short text answer, or an "Other, please
specify" answer): it is identified by that row's id. The respondent's words are never
changed; a quotable comment keeps the officer's redacted copy beside them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class Theme(db.Model):  # type: ignore[name-defined]
    """An officer-defined code for a consultation's comments, such as "Online bullying"."""

    __table_args__ = (sa.UniqueConstraint("consultation_id", "name", name="theme_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime]


class CommentTag(db.Model):  # type: ignore[name-defined]
    """One theme on one comment, with who put it there and when."""

    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tagged_by_email: Mapped[str] = mapped_column(sa.String(254))
    tagged_at: Mapped[datetime]

    theme: Mapped[Theme] = relationship()


class QuotableComment(db.Model):  # type: ignore[name-defined]
    """A comment an officer has approved for publication, as it will be shown: with personal
    details (names, schools, anything that could identify a child) taken out."""

    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    redacted: Mapped[bool]  # whether the officer changed the respondent's words
    marked_by_email: Mapped[str] = mapped_column(sa.String(254))
    marked_at: Mapped[datetime]
